package dev.profilestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class TortureCommandTest {

    @Test
    void aShortTortureRun_reportsSeedsStepsFaultsAndNoViolation_asJson() throws Exception {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"torture", "--seeds", "5", "--steps", "300", "--json"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(report.get("seeds").asInt()).isEqualTo(5);
        assertThat(report.get("steps").asLong()).isEqualTo(1_500);
        assertThat(report.get("faults_injected").asLong()).isPositive();
        assertThat(report.get("violations").asLong()).isZero();
        assertThat(report.get("passed").asBoolean()).isTrue();
    }

    static JsonNode torture(String... args) throws Exception {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        all[0] = "torture";
        System.arraycopy(args, 0, all, 1, args.length);
        all[all.length - 1] = "--json";
        int code = Main.run(all, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        String said = err.toString(StandardCharsets.UTF_8) + report;
        assertThat(report.has("passed")).as("a report, not an error: %s", said).isTrue();
        assertThat(code).as(said).isEqualTo(report.get("passed").asBoolean() ? 0 : 1);
        return report;
    }

    @Test
    void onOneSqliteFile_everySeedInItsOwnNamespace_passes(@TempDir Path dir) throws Exception {
        JsonNode report = torture("--store", "sqlite:" + dir.resolve("shared.db"), "--seeds", "4", "--steps", "200");
        assertThat(report.get("seeds").asInt()).isEqualTo(4);
        assertThat(report.get("steps").asLong()).isEqualTo(800);
        assertThat(report.get("faults_injected").asLong()).isPositive();
        assertThat(report.get("passed").asBoolean()).as(report.toString()).isTrue();
        assertThat(dir.resolve("shared.db")).exists();
    }

    @Test
    void onASqliteDirectory_aFileperSeed_passes(@TempDir Path dir) throws Exception {
        JsonNode report = torture("--store", "sqlite:" + dir + "/", "--seeds", "3", "--steps", "200");
        assertThat(report.get("passed").asBoolean()).as(report.toString()).isTrue();
        assertThat(dir.resolve("torture-3.db")).exists();
    }

    @Test
    void theWholeApiWorkload_runsOnMemory_andPasses() throws Exception {
        JsonNode report = torture("--store", "memory:", "--workload", "whole", "--seeds", "3", "--steps", "200");
        assertThat(report.get("workload").asText()).isEqualTo("whole");
        assertThat(report.get("steps").asLong()).isEqualTo(600);
        assertThat(report.get("violations").asLong()).isEqualTo(sum(report.get("violations_by_invariant"))).isZero();
        assertThat(report.get("passed").asBoolean()).as(report.toString()).isTrue();
    }

    private static long sum(JsonNode byInvariant) {
        long n = 0;
        for (JsonNode v : byInvariant) {
            n += v.asLong();
        }
        return n;
    }

    @Test
    void anUnknownSchemeOrWorkload_isRefusedWithAOneLineReason() {
        var err = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"torture", "--store", "ftp://db/x"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(CliException.EXIT_BAD_INPUT);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown scheme").doesNotContain("\tat ");
        var err2 = new ByteArrayOutputStream();
        int code2 = Main.run(new String[]{"torture", "--workload", "most"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err2, true, StandardCharsets.UTF_8));
        assertThat(code2).isEqualTo(CliException.EXIT_BAD_INPUT);
        assertThat(err2.toString(StandardCharsets.UTF_8)).contains("--workload");
    }
}
