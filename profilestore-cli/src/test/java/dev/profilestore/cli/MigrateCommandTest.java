package dev.profilestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.StorageException;
import dev.profilestore.StoreConnection;
import dev.profilestore.migration.Migration;
import dev.profilestore.migration.MigrationReport;
import dev.profilestore.mysql.EmbeddedMariaDb;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.VersionWrite;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.profilestore.cli.MigrationFixtures.assertSameProfiles;
import static dev.profilestore.cli.MigrationFixtures.seed;
import static dev.profilestore.cli.MigrationFixtures.versionCount;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code profilestore migrate} and {@link Migration} between real backends: a SQLite file, and PostgreSQL, MariaDB and
 * Redis servers started by the test. After every move the test compares both sides itself (records, versions with
 * their save times and pins, user-id index, pending messages); interruptions are made deterministic by a limit or a
 * target that fails after a fixed number of writes.
 */
class MigrateCommandTest {

    @TempDir
    static Path dir;

    private static EmbeddedPostgres pg;
    private static EmbeddedRedis redis;
    private static final AtomicInteger STORES = new AtomicInteger();

    @BeforeAll
    static void startServers() throws Exception {
        pg = EmbeddedPostgres.start();
        redis = EmbeddedRedis.start(dir);
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (redis != null) {
            redis.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static String postgres() {
        return "postgres://postgres@localhost:" + pg.getPort() + "/postgres";
    }

    /** A store name no other test uses, so the tests can share the servers. */
    private static String storeName() {
        return "Players" + STORES.incrementAndGet();
    }

    private static JsonNode json(CliRun run) throws Exception {
        return Output.PLAIN.readTree(run.out());
    }

    @Test
    void sqliteToPostgres_copiesEverything_andARunStoppedByALimitIsResumedWithoutDuplicates() throws Exception {
        String name = storeName();
        String from = "sqlite:" + dir.resolve("outgrown.db");
        try (StoreConnection source = StoreConnection.open(from)) {
            seed(source, name, 6);
        }

        CliRun first = CliRun.of("migrate", "--from", from, "--to", postgres(), "--store-name", name, "--limit", "3",
                "--json", "--quiet");
        assertThat(first.exit()).as(first.toString()).isEqualTo(MigrateCommand.EXIT_INCOMPLETE);
        assertThat(json(first).at("/migration/copied").asLong()).isEqualTo(3);
        assertThat(json(first).at("/migration/complete").asBoolean()).isFalse();

        CliRun second = CliRun.of("migrate", "--from", from, "--to", postgres(), "--store-name", name, "--verify");
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(second.out()).contains("copied 4 profile(s)").contains("3 were there already")
                .contains("verified 7 profile(s): both sides are identical");
        assertThat(second.err()).as("progress on standard error").contains("7/7 profiles copied");

        CliRun third = CliRun.of("migrate", "--from", from, "--to", postgres(), "--store-name", name, "--json");
        assertThat(third.exit()).as(third.toString()).isZero();
        assertThat(json(third).at("/migration/copied").asLong()).isZero();
        assertThat(json(third).at("/migration/already_there").asLong()).isEqualTo(7);
        try (StoreConnection source = StoreConnection.open(from); StoreConnection target = StoreConnection.open(postgres())) {
            assertThat(assertSameProfiles(source.storage(), target.storage(), name)).isEqualTo(7);
            assertThat(versionCount(target.storage(), name)).as("versions, none duplicated by the three runs")
                    .isEqualTo(versionCount(source.storage(), name)).isEqualTo(12);
            try (ProfileStore<JsonNode> game = MigrationFixtures.server(target, name, "server-on-the-new-store")) {
                Profile<JsonNode> p = game.startSession("player-4").orElseThrow();
                assertThat(p.data().get("coins").asInt()).as("the data a server loads after the switch").isEqualTo(42);
                assertThat(p.userIds()).containsExactly(1004L);
                p.endSession();
            }
        }
    }

    @Test
    void postgresToRedis_refusesAProfileALiveServerHolds_andCopiesItOnceReleased() throws Exception {
        String name = storeName();
        try (StoreConnection source = StoreConnection.open(postgres())) {
            seed(source, name, 4);
            try (ProfileStore<JsonNode> live = MigrationFixtures.server(source, name, "live-server")) {
                Profile<JsonNode> held = live.startSession("player-2").orElseThrow();

                CliRun refused = CliRun.of("migrate", "--from", postgres(), "--to", redis.uri(), "--store-name", name);
                assertThat(refused.exit()).as(refused.toString()).isEqualTo(MigrateCommand.EXIT_INCOMPLETE);
                assertThat(refused.out()).contains("held: " + name + "/player-2: held by live server live-server")
                        .contains("not complete: 1 held");
                try (StoreConnection target = StoreConnection.open(redis.uri())) {
                    assertThat(target.storage().read(name, "player-2")).as("the held profile").isEmpty();
                    assertThat(target.storage().read(name, "player-1")).isPresent();
                }
                CliRun verify = CliRun.of("migrate", "--from", postgres(), "--to", redis.uri(), "--store-name", name,
                        "--verify-only");
                assertThat(verify.exit()).isEqualTo(MigrateCommand.EXIT_INCOMPLETE);
                assertThat(verify.out()).contains("differs: " + name + "/player-2: missing on the target");
                held.endSession();
            }

            CliRun after = CliRun.of("migrate", "--from", postgres(), "--to", redis.uri(), "--store-name", name,
                    "--verify", "--json", "--quiet");
            assertThat(after.exit()).as(after.toString()).isZero();
            assertThat(json(after).at("/migration/copied").asLong()).isEqualTo(1);
            try (StoreConnection target = StoreConnection.open(redis.uri())) {
                assertThat(assertSameProfiles(source.storage(), target.storage(), name)).isEqualTo(5);
            }
        }
    }

    @Test
    void waitForHolders_copiesAHeldProfileOnceItsServerReleasesIt() throws Exception {
        String name = storeName();
        try (StoreConnection source = StoreConnection.open("sqlite:" + dir.resolve("live.db"));
             StoreConnection target = StoreConnection.open("sqlite:" + dir.resolve("new.db"))) {
            seed(source, name, 2);
            try (ProfileStore<JsonNode> live = MigrationFixtures.server(source, name, "live-server")) {
                Profile<JsonNode> held = live.startSession("player-0").orElseThrow();
                CountDownLatch waiting = new CountDownLatch(1);
                Migration migration = Migration.between(source.storage(), target.storage()).stores(java.util.List.of(name))
                        .waitForHolders(Duration.ofSeconds(60)).onProgress(p -> {
                            if (p.done() == p.total() && p.held() == 1) {
                                waiting.countDown();
                            }
                        }, Duration.ZERO);
                CompletableFuture<MigrationReport> run = CompletableFuture.supplyAsync(migration::run);

                assertThat(waiting.await(30, TimeUnit.SECONDS)).as("the run reached the held profile").isTrue();
                assertThat(run).isNotDone();
                held.endSession();
                MigrationReport report = run.get(30, TimeUnit.SECONDS);

                assertThat(report.complete()).as(report.toString()).isTrue();
                assertThat(report.held()).isEmpty();
                assertThat(report.copied()).isEqualTo(3);
            }
            assertSameProfiles(source.storage(), target.storage(), name);
        }
    }

    @Test
    void mariaDbToPostgres_interruptedByAFailingTarget_isResumedWithoutDuplicates() throws Exception {
        String name = storeName();
        String from = EmbeddedMariaDb.uri();
        try (StoreConnection source = StoreConnection.open(from); StoreConnection target = StoreConnection.open(postgres())) {
            seed(source, name, 5);
            // The target fails from its 6th version write on. Keys go in order: never-played (a message box, no
            // versions), player-0 and player-1 (two each) are copied, and player-2 is cut between its two versions.
            AtomicInteger versionWrites = new AtomicInteger();
            ForwardingStorage failing = new ForwardingStorage(target.storage()) {
                @Override
                public VersionInfo writeVersion(String store, String key, VersionWrite version) {
                    if (versionWrites.incrementAndGet() > 5) {
                        throw new StorageException("target lost (injected after 5 version writes)");
                    }
                    return super.writeVersion(store, key, version);
                }
            };
            MigrationReport cut = Migration.between(source.storage(), failing).stores(java.util.List.of(name))
                    .parallelism(1).maxFailures(1).run();
            assertThat(cut.complete()).isFalse();
            assertThat(cut.copied()).isEqualTo(3);
            assertThat(cut.failed()).singleElement().satisfies(p -> assertThat(p.problem()).contains("target lost"));
            String cutKey = cut.failed().getFirst().key();
            assertThat(cutKey).isEqualTo("player-2");
            assertThat(target.storage().read(name, cutKey)).as("no record for the cut profile").isEmpty();
            assertThat(target.storage().versions(name, cutKey, VersionRange.all(10))).as("its first version only")
                    .hasSize(1);

            CliRun resumed = CliRun.of("migrate", "--from", from, "--to", postgres(), "--store-name", name, "--verify",
                    "--json", "--quiet");
            assertThat(resumed.exit()).as(resumed.toString()).isZero();
            assertThat(json(resumed).at("/migration/copied").asLong()).isEqualTo(3);
            assertThat(json(resumed).at("/migration/already_there").asLong()).isEqualTo(3);
            assertThat(json(resumed).at("/migration/versions_copied").asLong()).as("the cut profile's second only, then"
                    + " two each").isEqualTo(5);
            assertThat(json(resumed).at("/verification/differences").size()).isZero();
            assertThat(assertSameProfiles(source.storage(), target.storage(), name)).isEqualTo(6);
            assertThat(versionCount(target.storage(), name)).isEqualTo(10);
        }
    }
}
