package dev.profilestore.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the harness with tiny sizes on the in-memory store (no database servers, no JMH) and checks the report's
 * shape. Measures nothing: no assertion here is about time.
 */
final class BenchSmokeTest {

    @TempDir
    Path dir;

    @Test
    void tinyRun_reportsEveryScenario_asJsonMarkdownAndCharts() throws Exception {
        BenchReport report = Bench.run(BenchOptions.smoke().withChartDir(dir));

        assertThat(report.handoff()).extracting(BenchReport.Handoff::scenario)
                .containsExactly("live holder", "notification lost", "re-asked during handoff", "holder crashed");
        assertThat(report.handoff()).allSatisfy(h -> assertThat(h.latency().count()).isPositive());
        assertThat(report.throughput()).singleElement().satisfies(t -> {
            assertThat(t.backend()).isEqualTo("in-memory");
            assertThat(t.oursPerSecond()).isPositive();
            assertThat(t.rawPerSecond()).isPositive();
        });
        // Counts, not times: the simulated hour is deterministic.
        assertThat(report.writeCost().idleWritesPerProfileHour()).isZero();
        assertThat(report.writeCost().activeWritesPerProfileHour()).isEqualTo(12.0);
        assertThat(report.smoothness().meanPerSecond()).isPositive();
        assertThat(report.memory()).singleElement().satisfies(m -> assertThat(m.totalBytes()).isPositive());
        assertThat(report.targets()).isNotEmpty();

        JsonNode json = new ObjectMapper().readTree(Bench.toJson(report));
        assertThat(json.at("/handoff/0/latency/p99Ms").isNumber()).isTrue();
        assertThat(json.at("/throughput/0/ratio").isNumber()).isTrue();
        assertThat(json.at("/writeCost/idleWritesPerProfileHour").isNumber()).isTrue();
        assertThat(json.at("/memory/0/bytesBeyondData").isNumber()).isTrue();

        assertThat(Bench.toMarkdown(report)).contains("### Targets", "### 1. Handoff latency", "| in-memory |");
        assertThat(report.charts()).hasSize(2);
        for (String chart : report.charts()) {
            assertThat(Files.size(Path.of(chart))).isPositive();
        }
    }
}
