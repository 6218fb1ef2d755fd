package dev.profilestore.cli;

import dev.profilestore.ProfileStore;
import dev.profilestore.StorageException;
import dev.profilestore.StoreConnection;
import dev.profilestore.mysql.EmbeddedMariaDb;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link StoreConnection#open} for every scheme, each backend found through its module's {@code StoreProvider} on
 * this module's class path, against a real SQLite file and the real servers the suite starts from Maven artifacts:
 * what one connection saves, a second connection to the same URI reads back.
 */
class StoreConnectionSchemesTest {

    @TempDir
    Path dir;

    /** Saves a coin count through one connection and reads it through another. */
    private static void roundTrip(String uri, String expectedDescription) {
        String key = "player-" + UUID.randomUUID();
        try (StoreConnection connection = StoreConnection.open(uri);
             ProfileStore<Map> store = ProfileStore.builder("Schemes", Map.class, HashMap::new)
                     .storage(connection.storage()).messaging(connection.messaging()).build()) {
            assertThat(connection.messaging()).isNotNull();
            assertThat(connection.description()).isEqualTo(expectedDescription);
            var profile = store.startSession(key).orElseThrow();
            @SuppressWarnings("unchecked")
            Map<String, Object> data = profile.data();
            store.callbackExecutor().execute(() -> data.put("coins", 42));
            profile.endSession();
        }
        try (StoreConnection connection = StoreConnection.open(Map.of("uri", uri, "create", "false"));
             ProfileStore<Map> store = ProfileStore.builder("Schemes", Map.class, HashMap::new)
                     .storage(connection.storage()).messaging(connection.messaging()).build()) {
            Map<?, ?> read = store.getAsync(key).join().orElseThrow().data();
            assertThat(read.get("coins")).isEqualTo(42);
        }
    }

    @Test
    void sqlite() {
        Path file = dir.resolve("profiles.db");
        roundTrip("sqlite:" + file, "sqlite:" + file.toAbsolutePath());
        assertThat(file).exists();
    }

    @Test
    void sqlite_withCreateFalse_refusesAMissingFile_andAForeignOne() throws Exception {
        Path missing = dir.resolve("missing.db");
        assertThatThrownBy(() -> StoreConnection.open(Map.of("uri", "sqlite:" + missing, "create", "false")))
                .isInstanceOf(StorageException.class).hasMessageContaining("does not exist (nothing was created)");
        assertThat(missing).doesNotExist();
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a database, just text long enough to be a header");
        assertThatThrownBy(() -> StoreConnection.open(Map.of("uri", "sqlite:" + text, "create", "false")))
                .isInstanceOf(StorageException.class).hasMessageContaining("not a SQLite database");
    }

    @Test
    void postgres_andPostgresql() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            String uri = "postgres://postgres@localhost:" + pg.getPort() + "/postgres";
            roundTrip(uri, uri);
            roundTrip(uri.replace("postgres://", "postgresql://"), uri.replace("postgres://", "postgresql://"));
        }
    }

    @Test
    void redis() throws Exception {
        try (EmbeddedRedis redis = EmbeddedRedis.start(dir)) {
            roundTrip(redis.uri(), redis.uri());
        }
    }

    @Test
    void rediss_isServedByTheRedisModule_andSpeaksTls() throws Exception {
        // The embedded server has no TLS: the rediss provider is found and its TLS handshake is what fails.
        try (EmbeddedRedis redis = EmbeddedRedis.start(dir)) {
            String uri = redis.uri().replace("redis://", "rediss://");
            assertThatThrownBy(() -> StoreConnection.open(uri)).isInstanceOf(StorageException.class)
                    .hasMessageStartingWith("cannot open " + uri + ": ");
        }
    }

    @Test
    void mysql_andMariadb() {
        String uri = EmbeddedMariaDb.uri();
        roundTrip(uri, uri);
        roundTrip(uri.replace("mysql://", "mariadb://"), uri.replace("mysql://", "mariadb://"));
    }

    @Test
    void memory() {
        try (StoreConnection connection = StoreConnection.open("memory:")) {
            assertThat(connection.storage()).isNotNull();
            assertThat(connection.messaging()).isNotNull();
        }
    }

    @Test
    void anUnreachableServer_isAOneLineErrorWithoutThePassword() {
        assertThatThrownBy(() -> CliStore.open("postgres://admin:s3cret@127.0.0.1:1/game", CliStore.OpenMode.EXISTING,
                java.time.Duration.ZERO))
                .isInstanceOf(CliException.class).hasMessageContaining("cannot open postgres://admin:***@127.0.0.1:1/game")
                .hasMessageNotContaining("s3cret")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
