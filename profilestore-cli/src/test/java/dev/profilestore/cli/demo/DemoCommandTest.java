package dev.profilestore.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profilestore.cli.Main;
import dev.profilestore.cli.Output;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code profilestore demo} end to end on a real SQLite file, through the command line. */
class DemoCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run demo(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        all[0] = "demo";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = Main.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void demoJson_onSqliteWithCrashes_printsOneObjectWithTheIssuesFields_andExitsZeroWhenClean() throws Exception {
        Path db = dir.resolve("demo.db");
        Run run = demo("--json", "--seed", "7", "--servers", "3", "--players", "16", "--duration", "4s",
                "--crash-rate", "20", "--lease", "1s", "--auto-save", "1s", "--store", "sqlite:" + db);
        assertThat(run.exit()).as(run.err() + run.out()).isZero();
        JsonNode r = Output.PLAIN.readTree(run.out());
        for (String field : List.of("profiles", "handoffs", "handoff_latency_ms", "writes_per_profile_hour", "crashes",
                "takeovers", "purchases_requested", "purchases_granted", "audit")) {
            assertThat(r.has(field)).as(field).isTrue();
        }
        for (String field : List.of("p50", "p99", "max")) {
            assertThat(r.path("handoff_latency_ms").has(field)).as(field).isTrue();
        }
        for (String field : List.of("duplicated_grants", "lost_acknowledged_saves", "economy_total", "granted_total",
                "invariant_violations", "clean")) {
            assertThat(r.path("audit").has(field)).as(field).isTrue();
        }
        assertThat(r.path("audit").path("clean").asBoolean()).isTrue();
        assertThat(r.path("profiles").asInt()).isEqualTo(16);
        assertThat(r.path("crashes").asInt()).isPositive();
        assertThat(r.path("takeovers").asInt()).isPositive();
        assertThat(r.path("seed").asLong()).isEqualTo(7);
        assertThat(run.err()).as("progress goes to standard error").contains("auditing");
        assertThat(db).as("a given store is kept for the operator commands").exists();
    }

    @Test
    void demo_onAStoreThatAlreadyHoldsProfiles_refusesWithoutReset_andResetRuns() {
        Path db = dir.resolve("again.db");
        String[] args = {"--quiet", "--players", "4", "--servers", "2", "--duration", "1s", "--crash-rate", "0",
                "--store", "sqlite:" + db};
        assertThat(demo(args).exit()).isZero();
        Run again = demo(args);
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err().strip().lines()).hasSize(1);
        assertThat(again.err()).contains("--reset");
        String[] reset = java.util.Arrays.copyOf(args, args.length + 1);
        reset[args.length] = "--reset";
        Run third = demo(reset);
        assertThat(third.exit()).as(third.err()).isZero();
        assertThat(third.out()).contains("Audit: CLEAN");
    }

    @Test
    void demo_badOptions_areOneLineErrors() {
        Run run = demo("--servers", "1");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--servers must be between 2 and 64");
        assertThat(demo("--duration", "soon").err()).contains("not a duration");
    }
}
