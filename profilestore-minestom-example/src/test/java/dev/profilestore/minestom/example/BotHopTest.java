package dev.profilestore.minestom.example;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two example game servers, each its own JVM, on one SQLite file, and bots speaking the real protocol over
 * loopback: a bot joins, earns, hops with the transfer packet and finds its coins on the other server, and a gift
 * between two bots arrives once.
 */
class BotHopTest {

    @TempDir
    Path dir;
    private final List<Process> servers = new ArrayList<>();
    private final List<Bot> bots = new ArrayList<>();

    @AfterEach
    void stop() {
        bots.forEach(Bot::close);
        servers.forEach(Process::destroyForcibly);
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void server(String id, int port, int next) throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var builder = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), GameServer.class.getName(),
                id, Integer.toString(port), "127.0.0.1:" + next, GameServer.STORE_NAME, "100", "2000");
        builder.environment().put(GameServer.STORE_VARIABLE, "sqlite:" + dir.resolve("players.db"));
        builder.redirectError(dir.resolve(id + ".err").toFile());
        Process p = builder.start();
        servers.add(p);
        var ready = CompletableFuture.runAsync(() -> {
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.equals("READY")) {
                        return;
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new IllegalStateException(id + " exited before it was ready");
        });
        try {
            // Generous: a Minestom server loads its registries at start, which takes minutes on a loaded 2-core CI box.
            ready.get(180, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("server " + id + " not ready after 180 s; its stderr:\n"
                    + Files.readString(dir.resolve(id + ".err")), e);
        }
    }

    /** A bot whose every line and transfer is recorded. */
    private static final class Recorder implements Bot.Listener {
        final List<String> lines = new CopyOnWriteArrayList<>();
        volatile int transferPort;

        @Override
        public void line(Bot bot, long connection, String[] fields, long nanos) {
            lines.add(String.join(" ", fields));
            System.err.println(bot.name() + ": " + String.join(" ", fields));
        }

        @Override
        public void transfer(Bot bot, long connection, String host, int port, long nanos) {
            transferPort = port;
        }

        @Override
        public void disconnected(Bot bot, long connection, String reason) {
            System.err.println(bot.name() + " disconnected: " + reason);
        }

        boolean saw(String prefix) {
            return lines.stream().anyMatch(l -> l.startsWith(prefix));
        }
    }

    @Test
    void aBotHopsWithItsCoins_andAGiftArrivesOnce() throws Exception {
        int a = freePort();
        int b = freePort();
        var startA = CompletableFuture.runAsync(() -> uncheck(() -> server("a", a, b)));
        server("b", b, a);
        startA.get(200, TimeUnit.SECONDS);

        var steve = new Recorder();
        var steveBot = new Bot("steve", steve);
        var alex = new Recorder();
        var alexBot = new Bot("alex", alex);
        bots.add(steveBot);
        bots.add(alexBot);
        steveBot.connect("127.0.0.1", a, false);
        alexBot.connect("127.0.0.1", b, false);
        await().atMost(Duration.ofSeconds(30)).until(() -> steve.saw("live a") && alex.saw("live b"));
        await().atMost(Duration.ofSeconds(30)).until(() -> steve.saw("earned"));

        assertThat(steveBot.command("gift alex 1")).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> steve.saw("gift-sent") && alex.saw("gift-got"));

        assertThat(steveBot.command("hop")).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> steve.transferPort == b);
        steveBot.connect("127.0.0.1", b, true);
        await().atMost(Duration.ofSeconds(30)).until(() -> steve.saw("live b"));
        assertThat(alex.lines.stream().filter(l -> l.startsWith("gift-got")).count()).isEqualTo(1);
    }

    private interface Io {
        void run() throws Exception;
    }

    private static void uncheck(Io io) {
        try {
            io.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
