package dev.profilestore.cli.crash;

import dev.profilestore.ProfileStore;
import dev.profilestore.cli.EmbeddedRedis;
import dev.profilestore.StoreUri;
import dev.profilestore.cli.CliStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several server JVMs on one store, killed with SIGKILL at random moments while they save and trade,
 * each replaced by a new server; afterwards every acknowledged operation is in the store, none twice,
 * every trade on both sides or neither, and the coins add up. On SQLite, PostgreSQL and Redis.
 */
final class SigkillCrashTest {

    private static final int KEYS = 6;
    private static final int WORKERS = 3;
    private static final int KILLS = 4;

    @TempDir
    Path dir;

    @Test
    void sqlite_workersKilledMidWrite_loseNoAcknowledgedOperation() throws Exception {
        run("sqlite:" + dir.resolve("crash.db"));
    }

    @Test
    void postgres_workersKilledMidWrite_loseNoAcknowledgedOperation() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            run("postgres://postgres@localhost:" + pg.getPort() + "/postgres");
        }
    }

    @Test
    void redis_workersKilledMidWrite_loseNoAcknowledgedOperation() throws Exception {
        try (EmbeddedRedis redis = EmbeddedRedis.start(dir)) {
            run(redis.uri());
        }
    }

    private void run(String uri) throws Exception {
        Path stop = dir.resolve("stop");
        List<Process> workers = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            spawn(uri, "w" + i, stop, workers, logs);
        }
        Random random = new Random(42);
        int next = WORKERS;
        for (int kill = 1; kill <= KILLS; kill++) {
            int target = kill * 40;
            await().atMost(Duration.ofSeconds(60)).until(() -> acks(logs).size() >= target);
            int victim = random.nextInt(workers.size());
            workers.get(victim).destroyForcibly(); // SIGKILL: no shutdown hook, no last save
            workers.get(victim).waitFor(10, TimeUnit.SECONDS);
            workers.remove(victim);
            spawn(uri, "w" + (next++), stop, workers, logs);
        }
        int total = (KILLS + 1) * 40;
        await().atMost(Duration.ofSeconds(60)).until(() -> acks(logs).size() >= total);
        Files.createFile(stop);
        for (Process w : workers) {
            assertThat(w.waitFor(60, TimeUnit.SECONDS)).as("worker stopped cleanly").isTrue();
            assertThat(w.exitValue()).as("worker exit code").isZero();
        }
        audit(uri, acks(logs));
    }

    private void spawn(String uri, String id, Path stop, List<Process> workers, List<Path> logs) throws IOException {
        Path log = dir.resolve(id + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        workers.add(new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                CrashWorker.class.getName(), uri, id, Integer.toString(KEYS), stop.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start());
        logs.add(log);
    }

    /** Acknowledged op id to the keys it touched, from every worker's output so far. */
    private static Map<String, List<String>> acks(List<Path> logs) throws IOException {
        Map<String, List<String>> acks = new HashMap<>();
        for (Path log : logs) {
            if (!Files.exists(log)) {
                continue;
            }
            for (String line : Files.readAllLines(log)) {
                String[] parts = line.split(" ");
                if (parts.length == 3 && parts[0].equals("ACK")) {
                    acks.put(parts[1], List.of(parts[2].split(",")));
                }
            }
        }
        return acks;
    }

    private static void audit(String uri, Map<String, List<String>> acks) {
        Map<String, CrashWorker.Account> accounts = new HashMap<>();
        try (var opened = CliStore.open(uri, CliStore.OpenMode.EXISTING, Duration.ofSeconds(5));
             var store = ProfileStore.builder("Crash", CrashWorker.Account.class, CrashWorker.Account::new)
                     .storage(opened.storage()).withoutMessaging().serverId("auditor").build()) {
            for (int k = 0; k < KEYS; k++) {
                String key = "acct-" + k;
                store.getAsync(key).join().ifPresent(view -> accounts.put(key, view.data()));
            }
        }
        int coins = 0;
        Map<String, Set<String>> tradeSides = new HashMap<>();
        for (var e : accounts.entrySet()) {
            List<String> ops = e.getValue().ops;
            assertThat(new HashSet<>(ops)).as("no operation applied twice in " + e.getKey()).hasSameSizeAs(ops);
            coins += e.getValue().coins;
            ops.forEach(op -> tradeSides.computeIfAbsent(op, o -> new HashSet<>()).add(e.getKey()));
        }
        for (var ack : acks.entrySet()) {
            for (String key : ack.getValue()) {
                assertThat(accounts.get(key).ops).as("acknowledged " + ack.getKey() + " survives in " + key)
                        .contains(ack.getKey());
            }
        }
        tradeSides.forEach((op, keys) -> {
            if (op.endsWith("-trade")) {
                assertThat(keys).as("trade " + op + " is on both sides or neither").hasSize(2);
            }
        });
        int created = accounts.size();
        assertThat(coins).as("trades conserve coins").isEqualTo(created * 100);
        assertThat(acks).hasSizeGreaterThanOrEqualTo((KILLS + 1) * 40);
        long trades = acks.values().stream().filter(keys -> keys.size() == 2).count();
        assertThat(trades).as("trades were exercised").isPositive();
    }
}
