package dev.profilestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profilestore.mysql.EmbeddedMariaDb;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.profilestore.cli.TortureCommandTest.torture;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code profilestore torture --store URI --workload whole} on each server backend, started by the test from
 * Maven artifacts: the simulator's whole-API workload over a real PostgreSQL, Redis and MariaDB, every seed in
 * store names of its own. A short run by default; {@code -Dtorture.seeds=N -Dtorture.steps=M} makes it a long one
 * (the figures in docs/reliability.md). It fails on any violation.
 */
class TortureOnServersTest {

    private static final int SEEDS = Integer.getInteger("torture.seeds", 3);
    private static final int STEPS = Integer.getInteger("torture.steps", 150);

    @TempDir
    Path dir;

    private static void assertPassed(JsonNode report) {
        assertThat(report.get("workload").asText()).isEqualTo("whole");
        assertThat(report.get("steps").asLong()).isEqualTo((long) SEEDS * STEPS);
        assertThat(report.get("faults_injected").asLong()).isPositive();
        System.out.println("torture report: " + report);
        assertThat(report.get("violations").asLong()).as(report.toString()).isZero();
        assertThat(report.get("passed").asBoolean()).isTrue();
    }

    private static JsonNode whole(String uri) throws Exception {
        return torture("--store", uri, "--workload", "whole", "--seeds", Integer.toString(SEEDS),
                "--steps", Integer.toString(STEPS));
    }

    @Test
    void postgres() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            assertPassed(whole("postgres://postgres@localhost:" + pg.getPort() + "/postgres"));
        }
    }

    @Test
    void redis() throws Exception {
        try (EmbeddedRedis redis = EmbeddedRedis.start(dir)) {
            assertPassed(whole(redis.uri()));
        }
    }

    @Test
    void mariadb() throws Exception {
        assertPassed(whole(EmbeddedMariaDb.uri()));
    }
}
