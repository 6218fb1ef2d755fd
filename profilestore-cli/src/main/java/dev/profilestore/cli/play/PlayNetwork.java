package dev.profilestore.cli.play;

import dev.profilestore.StoreConnection;
import dev.profilestore.cli.demo.DemoReport;
import dev.profilestore.cli.demo.ServerProcess;
import dev.profilestore.cli.demo.Waiting;
import dev.profilestore.minestom.example.Bot;
import dev.profilestore.minestom.example.GameServer;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code play}: a network of example Minestom game servers, each its own JVM on one store, played by protocol bots
 * over loopback, with servers killed by SIGKILL at seeded moments and restarted on the same port. When every bot
 * has made its hops, the bots leave, the servers stop with last saves, this process loads every profile once more
 * ({@link PlayAudit}), and audits the store against what the servers told the bots.
 *
 * <p>Server processes never outlive the run: they are killed in a {@code finally} and by a shutdown hook, and each
 * one stops when its standard input closes.
 */
public final class PlayNetwork {

    private static final Duration START_MAX = Duration.ofMinutes(5);
    private static final Duration STOP_MAX = Duration.ofSeconds(60);

    private final PlayConfig config;
    private final StoreConnection opened;
    private final String storeUri;
    private final String storeName;
    private final Consumer<String> progress;
    private final Consumer<String> serverLog;
    private final ServerProcess[] servers;
    private final int[] ports;
    private final List<PlayBot> bots = new ArrayList<>();
    private final Histogram hopMicros = new Histogram(3_600_000_000L, 3);
    private final Histogram reconnectMicros = new Histogram(3_600_000_000L, 3);
    /** The parts of a hop, by name, in the order they happen. */
    private final Map<String, Histogram> phases = new LinkedHashMap<>();
    private int kills;

    /**
     * @param config what to run
     * @param opened the store, as this process opened it (for the final load)
     * @param storeUri the URI the server processes open the same store with
     * @param storeName the ProfileStore name
     * @param progress receives a one-line status now and then (never standard output)
     * @param serverLog receives the servers' own log lines, prefixed with their id
     */
    public PlayNetwork(PlayConfig config, StoreConnection opened, String storeUri, String storeName,
                       Consumer<String> progress, Consumer<String> serverLog) {
        this.config = config;
        this.opened = opened;
        this.storeUri = storeUri;
        this.storeName = storeName;
        this.progress = progress;
        this.serverLog = serverLog;
        this.servers = new ServerProcess[config.servers()];
        this.ports = new int[config.servers()];
    }

    /** Runs the whole network and returns its report. Every server process is gone when it returns or throws. */
    public PlayReport run() throws Exception {
        Thread hook = new Thread(this::destroyAll, "play-kill-servers");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return play();
        } finally {
            bots.forEach(PlayBot::stop);
            destroyAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs anyway
            }
        }
    }

    private synchronized void destroyAll() {
        for (ServerProcess s : servers) {
            if (s != null) {
                s.destroy();
            }
        }
    }

    private PlayReport play() throws Exception {
        long startNanos = System.nanoTime();
        for (int i = 0; i < ports.length; i++) {
            ports[i] = freePort();
        }
        for (int i = 0; i < servers.length; i++) {
            spawn(i);
        }
        Waiting.until(this::allReady, START_MAX, "the game servers to start");
        progress.accept("game servers up on ports " + java.util.Arrays.toString(ports));

        var random = new Random(config.seed());
        for (int i = 0; i < config.bots(); i++) {
            bots.add(new PlayBot(String.format("bot%03d", i + 1), i % servers.length, this, new Random(random.nextLong())));
        }
        List<CompletableFuture<Void>> done = bots.stream().map(PlayBot::start).toList();
        List<Long> killTimes = config.killSchedule(random);
        long playStart = System.nanoTime();
        long lastProgress = 0;
        while (!CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).isDone()) {
            long elapsed = System.nanoTime() - playStart;
            if (elapsed > config.maxPlay().toNanos()) {
                throw new IllegalStateException("the bots did not finish their hops within " + config.maxPlay()
                        + ": " + bots.stream().map(PlayBot::status).toList());
            }
            if (!killTimes.isEmpty() && elapsed >= killTimes.getFirst()) {
                killTimes.removeFirst();
                killOne(random);
            }
            checkServers();
            if (elapsed - lastProgress >= 1_000_000_000L) {
                lastProgress = elapsed;
                progress.accept(status(elapsed));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        for (CompletableFuture<Void> d : done) {
            d.join(); // a bot that failed fails the run, with its reason
        }
        double playS = (System.nanoTime() - playStart) / 1e9;

        progress.accept("bots done after " + Math.round(playS * 10) / 10.0 + " s; stopping the servers (last saves)");
        bots.forEach(PlayBot::stop);
        List<ServerProcess> stopping = new ArrayList<>();
        for (ServerProcess s : snapshot()) {
            if (s.ready()) {
                s.send("STOP");
                stopping.add(s);
            } else {
                // Still restarting after a kill: it has taken no player, so it holds no profile to save.
                s.kill(STOP_MAX);
            }
        }
        for (ServerProcess s : stopping) {
            if (!s.awaitExit(STOP_MAX)) {
                throw new IllegalStateException(s.id() + " did not stop cleanly (exit code " + s.exitCode() + ")"
                        + lastErrors(s));
            }
        }
        progress.accept("loading every profile once more and auditing");
        var audit = PlayAudit.run(opened, storeName, config.lease(), bots);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        synchronized (this) {
            Map<String, DemoReport.Latency> parts = new LinkedHashMap<>();
            phases.forEach((name, h) -> parts.put(name, DemoReport.Latency.of(h)));
            return new PlayReport(audit.problems().isEmpty(), hopMicros.getTotalCount(), DemoReport.Latency.of(hopMicros),
                    parts, bots.stream().mapToLong(PlayBot::redirected).sum(),
                    bots.stream().mapToLong(PlayBot::loginsAbandoned).sum(), kills, reconnectMicros.getTotalCount(),
                    DemoReport.Latency.of(reconnectMicros), audit.earnedReported(), audit.acknowledged(),
                    audit.earnedStored(), audit.coinsStored(), audit.duplicated(), audit.lost(), audit.giftsSent(),
                    audit.giftsPaid(), audit.giftsApplied(), audit.problems(), config.servers(), config.bots(),
                    config.seed(), opened.description(), Math.round(seconds * 10) / 10.0);
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void spawn(int i) throws IOException {
        String id = "server-" + (i + 1);
        List<String> args = List.of(id, Integer.toString(ports[i]), "127.0.0.1:" + ports[(i + 1) % ports.length],
                storeName, Long.toString(config.earnEvery().toMillis()), Long.toString(config.lease().toMillis()));
        ServerProcess server = ServerProcess.startMain(id, GameServer.STORE_VARIABLE, storeUri, GameServer.class.getName(),
                args, line -> { }, line -> serverLog.accept("[" + id + "] " + line));
        synchronized (this) {
            servers[i] = server;
        }
    }

    private synchronized List<ServerProcess> snapshot() {
        return List.of(servers);
    }

    private synchronized boolean allReady() {
        for (ServerProcess s : servers) {
            if (!s.ready()) {
                return false;
            }
        }
        return true;
    }

    /** Kills a live server with SIGKILL and starts it again on its port, unless one is still restarting. */
    private void killOne(Random random) throws IOException, InterruptedException {
        if (!allReady()) {
            return;
        }
        int i = random.nextInt(servers.length);
        ServerProcess victim;
        synchronized (this) {
            victim = servers[i];
        }
        victim.kill(Duration.ofSeconds(10));
        synchronized (this) {
            kills++;
        }
        progress.accept("killed " + victim.id() + " with SIGKILL; restarting it");
        spawn(i);
    }

    /** Fails the run when a server exited that the run did not kill: a bug, not a crash. */
    private synchronized void checkServers() {
        for (ServerProcess s : servers) {
            if (s.exited() && !s.killed()) {
                throw new IllegalStateException(s.id() + " exited unexpectedly with code " + s.exitCode() + lastErrors(s));
            }
        }
    }

    private static String lastErrors(ServerProcess s) {
        String errors = s.lastErrors();
        return errors.isEmpty() ? "" : "; its last lines on standard error:\n" + errors;
    }

    /** The port of a live server other than {@code not}'s, chosen by {@code random}; -1 when none is up. */
    synchronized int livePort(Random random, int not) {
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < servers.length; i++) {
            if (ports[i] != not && servers[i].ready() && !servers[i].exited()) {
                live.add(ports[i]);
            }
        }
        return live.isEmpty() ? -1 : live.get(random.nextInt(live.size()));
    }

    /** The port of server {@code i}. */
    int port(int i) {
        return ports[i];
    }

    /** The other bots' names, for gifts. */
    List<String> botNames() {
        return bots.stream().map(PlayBot::name).toList();
    }

    /**
     * A measured hop: the whole (transfer packet to profile live), and its parts as the bot and the server saw them.
     */
    synchronized void hopMeasured(long nanos, long connectNanos, long loginNanos, long configurationNanos,
                                  long spawnNanos, long loadMicros) {
        hopMicros.recordValue(Math.max(1, nanos / 1000));
        record("connect", connectNanos / 1000);
        record("login", loginNanos / 1000);
        record("configuration", configurationNanos / 1000);
        record("spawn", spawnNanos / 1000);
        if (loadMicros >= 0) {
            record("profile_load", loadMicros);
        }
    }

    private void record(String phase, long micros) {
        phases.computeIfAbsent(phase, p -> new Histogram(3_600_000_000L, 3)).recordValue(Math.max(1, micros));
    }

    synchronized void reconnectMeasured(long nanos) {
        reconnectMicros.recordValue(Math.max(1, nanos / 1000));
    }

    private synchronized String status(long elapsedNanos) {
        long hopsDone = bots.stream().mapToLong(PlayBot::hopsDone).sum();
        return String.format("%5.1fs  hops %d/%d (p99 %.1f ms)  kills %d  reconnects %d", elapsedNanos / 1e9, hopsDone,
                (long) config.bots() * config.hops(),
                hopMicros.getTotalCount() == 0 ? 0.0 : hopMicros.getValueAtPercentile(99) / 1000.0, kills,
                reconnectMicros.getTotalCount());
    }

    /** The run's configuration, for the bots. */
    PlayConfig config() {
        return config;
    }
}
