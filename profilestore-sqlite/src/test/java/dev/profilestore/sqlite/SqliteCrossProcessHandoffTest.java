package dev.profilestore.sqlite;

import dev.profilestore.ProfileStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two server JVMs on one SQLite file pass a profile back and forth through the session protocol. */
final class SqliteCrossProcessHandoffTest {

    @TempDir
    Path dir;

    @Test
    void twoProcesses_handAProfileBackAndForth100Times_withNoLostSave() throws Exception {
        Path file = dir.resolve("handoff.db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> processes = new ArrayList<>();
        for (String id : List.of("a", "b")) {
            String other = id.equals("a") ? "b" : "a";
            processes.add(new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), HandoffProcess.class.getName(), file.toString(), "server-" + id,
                    dir.resolve(other + ".done").toString(), dir.resolve(id + ".done").toString(), "50")
                    .redirectErrorStream(true).redirectOutput(dir.resolve(id + ".log").toFile()).start());
        }
        try {
            for (Process p : processes) {
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
                assertThat(p.exitValue()).as("child JVM exit code; see its log").isZero();
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
        try (var store = ProfileStore.builder("Handoff", HandoffProcess.Ball.class, HandoffProcess.Ball::new)
                .storage(SqliteStorage.open(file)).build()) {
            var view = store.getAsync("ball").join().orElseThrow();
            assertThat(view.data().coins).as("every acknowledged save survived").isEqualTo(100);
            // A start can be taken back by the other process before this one touched the data (last
            // requester wins); such a round adds no coin but is still a session load, so count starts.
            assertThat(view.sessionLoadCount()).as("one session load per successful start")
                    .isEqualTo(startsLogged(dir));
            long switches = 0;
            for (int i = 1; i < view.data().holders.size(); i++) {
                switches += view.data().holders.get(i).equals(view.data().holders.get(i - 1)) ? 0 : 1;
            }
            assertThat(switches).as("the profile really moved between the processes").isGreaterThanOrEqualTo(50);
        }
        List<Double> latencies = latencies(dir);
        Collections.sort(latencies);
        System.out.printf("cross-process start latency over %d starts: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                latencies.size(), latencies.get(latencies.size() / 2), latencies.get((int) (latencies.size() * 0.99)),
                latencies.get(latencies.size() - 1));
    }

    private static long startsLogged(Path dir) throws Exception {
        return latencies(dir).size();
    }

    /** One entry per successful start in either process, in milliseconds from asking to getting. */
    private static List<Double> latencies(Path dir) throws Exception {
        List<Double> latencies = new ArrayList<>();
        for (String id : List.of("a", "b")) {
            for (String line : Files.readAllLines(dir.resolve(id + ".log"))) {
                if (line.startsWith("handoff-ms ")) {
                    latencies.add(Double.parseDouble(line.substring("handoff-ms ".length())));
                }
            }
        }
        return latencies;
    }
}
