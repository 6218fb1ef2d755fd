package dev.profilestore.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the scale benchmark at its smallest (2 child JVMs, one server each, 20 profiles, a real Redis) to prove the
 * child-process plumbing and the JSON and SVG output. Measures nothing: no assertion is about time.
 */
final class ScaleBenchSmokeTest {

    @TempDir
    Path dir;

    @Test
    void twoChildJvms_hopProfilesBetweenThem_andTheResultsAreWrittenAsJsonAndSvg() throws Exception {
        Path json = dir.resolve("scale-results.json");

        ScaleBench.main(new String[] {"backends=redis", "servers=2", "profiles=20", "jvms=2", "hopEverySeconds=1",
                "warmUpSeconds=0", "measureSeconds=1", "childHeap=256m", "out=" + json, "charts=" + dir});

        JsonNode results = ScaleProtocol.JSON.readTree(json.toFile()).get("results");
        assertThat(results).hasSize(1);
        JsonNode r = results.get(0);
        assertThat(r.get("jvms").asInt()).isEqualTo(2);
        assertThat(r.get("servers").asInt()).isEqualTo(2);
        // With two servers in two JVMs every hop crosses processes; 20 profiles hopping every second on average.
        assertThat(r.get("hopsPerSecond").asDouble()).isPositive();
        assertThat(r.get("failedHops").asLong()).isZero();
        assertThat(r.get("handoffP50Ms").asDouble()).isPositive();
        // Each hop reads and writes records; the counts came back from both children.
        assertThat(r.get("readsPerSecond").asDouble()).isPositive();
        assertThat(r.get("writesPerSecond").asDouble()).isPositive();
        // Each server has its own connections (storage, publish, subscribe) and its own control channel.
        assertThat(r.get("connections").asInt()).isEqualTo(6);
        assertThat(r.get("channels").asInt()).isGreaterThanOrEqualTo(2);

        for (String chart : ScaleCharts.FILES) {
            Path svg = dir.resolve(chart);
            var root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile()).getDocumentElement();
            assertThat(root.getTagName()).isEqualTo("svg");
            assertThat(root.getElementsByTagName("polyline").getLength()).as(chart).isPositive();
        }
        assertThat(Files.readString(dir.resolve("scale-handoff.svg"))).contains("Redis, 20 profiles p99");
    }

    @Test
    void twoChildJvmsOnOneSqliteFile_hopProfilesBetweenThemThroughItsMessagesTable() throws Exception {
        Path json = dir.resolve("scale-results.json");

        ScaleBench.main(new String[] {"backends=sqlite", "servers=2", "profiles=20", "jvms=2", "hopEverySeconds=1",
                "warmUpSeconds=0", "measureSeconds=1", "childHeap=256m", "out=" + json, "charts=" + dir});

        JsonNode r = ScaleProtocol.JSON.readTree(json.toFile()).get("results").get(0);
        assertThat(r.get("backend").asText()).isEqualTo("sqlite");
        assertThat(r.get("messaging").asText()).isEqualTo("sqlite");
        assertThat(r.get("hopsPerSecond").asDouble()).isPositive();
        assertThat(r.get("failedHops").asLong()).isZero();
        assertThat(r.get("handoffP50Ms").asDouble()).isPositive();
        assertThat(r.get("writesPerSecond").asDouble()).isPositive();
        // No database server: no client connections to count, one polled control channel per game server.
        assertThat(r.get("connections").asInt()).isZero();
        assertThat(r.get("channels").asInt()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("scale-handoff.svg"))).contains("SQLite, 20 profiles p99");
    }
}
