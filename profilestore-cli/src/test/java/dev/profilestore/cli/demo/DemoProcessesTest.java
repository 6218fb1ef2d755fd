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
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code profilestore demo --processes}: game servers in JVMs of their own, killed with SIGKILL, on real SQLite. */
class DemoProcessesTest {

    @TempDir
    Path dir;

    @Test
    void demoProcessesJson_withSigkills_takesProfilesOverAndAuditsClean() throws Exception {
        // Database servers other tests of this JVM started (and stop at its exit) are not the demo's.
        Set<Long> before = ProcessHandle.current().descendants().map(ProcessHandle::pid)
                .collect(Collectors.toSet());
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"demo", "--processes", "--json", "--seed", "11", "--servers", "3",
                        "--players", "20", "--duration", "8s", "--crash-rate", "20", "--lease", "1s", "--auto-save", "1s",
                        "--store", "sqlite:" + dir.resolve("demo.db")},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String stdout = out.toString(StandardCharsets.UTF_8);
        String stderr = err.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(stderr + stdout).isZero();
        JsonNode r = Output.PLAIN.readTree(stdout);
        assertThat(r.path("mode").asText()).isEqualTo("processes");
        assertThat(r.path("audit").path("clean").asBoolean()).as(r.path("audit").toString()).isTrue();
        assertThat(r.path("audit").path("lost_acknowledged_saves").asLong()).isZero();
        assertThat(r.path("audit").path("duplicated_grants").asLong()).isZero();
        assertThat(r.path("crashes").asInt()).as("SIGKILLs").isGreaterThanOrEqualTo(1);
        assertThat(r.path("takeovers").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(r.path("handoffs").asInt()).isPositive();
        assertThat(r.path("handoff_latency_ms").path("count").asInt()).isEqualTo(r.path("handoffs").asInt());
        assertThat(r.path("purchases_granted").asInt()).isPositive().isEqualTo(r.path("purchases_requested").asInt());
        assertThat(r.path("writes_per_profile_hour").asLong()).isPositive();
        assertThat(r.path("profiles").asInt()).isEqualTo(20);
        assertThat(stderr).as("progress goes to standard error").contains("server processes up", "auditing");
        await("no server process outlives the demo").atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.current().descendants()
                        .noneMatch(h -> h.isAlive() && !before.contains(h.pid())));
    }

    @Test
    void aServerProcess_exitsByItselfWhenItsStandardInputCloses() throws Exception {
        List<ServerEvent> events = new CopyOnWriteArrayList<>();
        ServerProcess server = ServerProcess.start("server-1", "sqlite:" + dir.resolve("orphan.db"),
                List.of("--store-name", "DemoPlayers", "--server-id", "server-1", "--number", "1", "--seed", "1",
                        "--lease", "1s", "--auto-save", "1s"),
                (s, e) -> events.add(e), line -> { });
        try {
            await().atMost(Duration.ofSeconds(30)).until(server::ready);
            server.send("JOIN player-0001 1");
            await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(ServerEvent.Started.class::isInstance));

            server.closeCommands(); // what the parent's death does to the pipe

            await().atMost(Duration.ofSeconds(10)).until(server::exited);
            assertThat(events).as("it ended the session with a last save on the way out")
                    .anyMatch(e -> e instanceof ServerEvent.Saved s && s.released());
        } finally {
            server.destroy();
        }
    }

    @Test
    void processesOnAnInMemoryStore_isABadInputError() {
        var err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"demo", "--processes", "--store", "memory:"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--processes needs a store that several processes can open");
    }
}
