package dev.profilestore.cli.demo;

import dev.profilestore.ProfileStore;
import dev.profilestore.SessionEndReason;
import dev.profilestore.StoreConnection;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code demo --processes}: the demo's network with each game server in a JVM of its own, over one store, and
 * crashes that are real: the demo kills a server process with SIGKILL at random (seeded) moments and starts a
 * replacement with a new server id, which, like the other servers, takes the dead server's profiles over once its
 * lease has run out.
 *
 * <p>This process plays the proxy and the shop. It decides which server each player is on (joins, hops, the
 * reconnects after a crash) by writing commands to the servers' standard input, and sends purchases through a
 * store of its own. The servers play (coins, trades, purchase grants) and report every change, acknowledged save
 * and session start on their standard output ({@link ServerEvent}); the {@link ReportedHistory} rebuilds each
 * profile's history from those reports. After the play the live servers shut down with last saves, this process
 * loads every profile once more (taking over what the killed servers held, processing waiting purchases), and
 * audits the store against the reports.
 *
 * <p>Server processes never outlive the demo: they are killed in a {@code finally} and by a shutdown hook, and
 * each one exits when its standard input closes.
 */
public final class ProcessNetwork {

    private static final Logger log = LoggerFactory.getLogger(ProcessNetwork.class);
    /** Chance per tick that an online player hops to another server: the same as in threads mode. */
    private static final double HOP_CHANCE = 0.006;
    private static final Duration START_MAX = Duration.ofSeconds(60);
    private static final Duration STOP_MAX = Duration.ofSeconds(60);

    private final DemoConfig config;
    private final StoreConnection opened;
    private final String storeUri;
    private final String storeName;
    private final Consumer<String> progress;
    private final Consumer<String> serverLog;
    private final boolean verbose;
    private final Random driverRandom;
    private final ReportedHistory history = new ReportedHistory();
    private final List<ServerProcess> servers = new CopyOnWriteArrayList<>();
    private final Map<String, Player> players = new TreeMap<>();
    private final List<String> keys;
    /** Both in microseconds, as the servers measured them; guarded by {@code this}. */
    private final Histogram handoffMicros = new Histogram(3_600_000_000L, 3);
    private final Histogram takeoverMicros = new Histogram(3_600_000_000L, 3);
    // Counters below are guarded by this.
    private long handoffs;
    private long takeovers;
    private long trades;
    private long tradesFailed;
    private long duplicatesBlocked;
    private long storeErrors;
    private long sessionsLost;
    private long sessionNanos;
    private int crashes;
    private int serverCounter;
    private boolean stopping;

    private enum State { JOINING, ONLINE, OFFLINE }

    /** A player as the proxy sees it, and what the parent knows of its profile's lock; guarded by the network. */
    private static final class Player {
        final String key;
        State state = State.OFFLINE;
        /** Where the player is, or is connecting to. */
        ServerProcess server;
        int attempt;
        boolean hop;
        long epoch;
        long onlineSince;
        /** The server of the profile's latest session start, and whether that session's release was acknowledged. */
        ServerProcess holder;
        long holderEpoch;
        boolean released = true;
        /** The holder was killed before releasing: the next start is a takeover. */
        boolean holderCrashed;

        Player(String key) {
            this.key = key;
        }
    }

    /**
     * @param config what to simulate
     * @param opened the shared store, as this process opened it (for the shop and the final load)
     * @param storeUri the URI the server processes open the same store with
     * @param storeName the ProfileStore name
     * @param progress receives a one-line status now and then (never standard output)
     * @param serverLog receives the servers' own log lines, prefixed with their id (with {@code --verbose})
     * @param verbose whether the servers log library warnings
     */
    public ProcessNetwork(DemoConfig config, StoreConnection opened, String storeUri, String storeName,
                          Consumer<String> progress, Consumer<String> serverLog, boolean verbose) {
        this.config = config;
        this.opened = opened;
        this.storeUri = storeUri;
        this.storeName = storeName;
        this.progress = progress;
        this.serverLog = serverLog;
        this.verbose = verbose;
        this.driverRandom = new Random(config.seed());
        for (int i = 0; i < config.players(); i++) {
            String key = String.format("player-%04d", i + 1);
            players.put(key, new Player(key));
        }
        this.keys = List.copyOf(players.keySet());
    }

    /** Runs the whole demo and returns its report. Every server process is gone when it returns or throws. */
    public DemoReport run() throws Exception {
        Thread hook = new Thread(this::destroyAll, "demo-kill-servers");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return play();
        } finally {
            destroyAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs anyway
            }
        }
    }

    private void destroyAll() {
        servers.forEach(ServerProcess::destroy);
    }

    private DemoReport play() throws Exception {
        long startNanos = System.nanoTime();
        ProfileStore<DemoPlayer> shopStore = GameServer.configure(ProfileStore.builder(storeName, DemoPlayer.class,
                DemoPlayer::new), opened.storage(), opened.messaging(), "shop", config.lease(), config.autoSave()).build();
        Shop shop = new Shop(shopStore, config, driverRandom);
        for (int i = 0; i < config.servers(); i++) {
            spawn();
        }
        Waiting.until(() -> {
            checkServers();
            return servers.stream().allMatch(ServerProcess::ready);
        }, START_MAX, "the server processes to start");
        progress.accept("server processes up: " + servers.stream().map(ServerProcess::id).toList());

        List<Long> crashTimes = config.crashSchedule(driverRandom);
        long playStart = System.nanoTime();
        long tickNanos = config.tick().toNanos();
        long next = playStart;
        long lastProgress = 0;
        long elapsed = 0;
        while (elapsed < config.duration().toNanos()) {
            synchronized (this) {
                movePlayers();
            }
            shop.tick(keys);
            while (!crashTimes.isEmpty() && elapsed >= crashTimes.getFirst()) {
                crashTimes.removeFirst();
                crashOne();
            }
            checkServers();
            if (elapsed - lastProgress >= 250_000_000L) {
                lastProgress = elapsed;
                progress.accept(status(elapsed, shop));
            }
            next += tickNanos;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
            elapsed = System.nanoTime() - playStart;
        }

        // ---- stop: no new moves; purchases in flight finish; the live servers shut down with last saves ----
        double profileHours;
        synchronized (this) {
            stopping = true;
            profileHours = profileHours(System.nanoTime());
        }
        shop.awaitInFlight(Duration.ofSeconds(20));
        List<ServerProcess> live = servers.stream().filter(s -> !s.killed()).toList();
        progress.accept("stopping " + live.size() + " server processes (last saves)");
        live.forEach(s -> s.send("STOP"));
        for (ServerProcess s : live) {
            if (!s.awaitExit(STOP_MAX)) {
                throw new IllegalStateException(s.id() + " did not stop cleanly (exit code " + s.exitCode() + ")"
                        + lastErrors(s));
            }
        }
        long writes = servers.stream().mapToLong(ServerProcess::writes).sum();
        shopStore.close();

        // ---- the final load, in this process ----
        progress.accept("loading every profile once more (taking over killed servers' profiles after the "
                + config.lease().toMillis() + " ms lease, processing waiting purchases)");
        GameServer auditor = new GameServer("auditor", 0, config.seed() + 11, storeName, opened.storage(),
                opened.messaging(), config.lease(), config.autoSave(), e -> onEvent(null, e));
        Map<String, DemoPlayer> finals = new TreeMap<>();
        Map<String, Integer> pending = new TreeMap<>();
        try {
            List<CompletableFuture<Void>> loads = keys.stream().map(k -> auditor.loadOnce(k, START_MAX)).toList();
            Waiting.awaitAll(loads, Duration.ofSeconds(90));
            for (int i = 0; i < loads.size(); i++) {
                if (loads.get(i).isCompletedExceptionally()) {
                    throw new IllegalStateException("the final load of " + keys.get(i) + " failed: "
                            + loads.get(i).exceptionNow());
                }
            }
            progress.accept("auditing " + keys.size() + " profiles");
            GameServer.readAll(auditor.store(), keys, finals, pending);
        } finally {
            auditor.close();
        }
        Oracle.Audit audit = history.audit(finals, pending, shop.requested());
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        synchronized (this) {
            return new DemoReport(keys.size(), handoffs, DemoReport.Latency.of(handoffMicros),
                    profileHours == 0 ? 0 : Math.round(writes / profileHours), crashes, takeovers,
                    shop.requestedCount(), audit.receiptsGranted(), audit, config.seed(), opened.description(),
                    "processes", config.servers(), config.duration().toMillis() / 1000.0, Math.round(seconds * 10) / 10.0,
                    DemoReport.Latency.of(takeoverMicros), trades, tradesFailed,
                    opened.storage().capabilities().atomicMultiWrite() ? null
                            : "the backend cannot write several keys atomically, so players did not trade",
                    shop.messages(), shop.resends(), duplicatesBlocked, history.coinsEarned(), sessionsLost, storeErrors,
                    writes);
        }
    }

    // ---------------------------------------------------------------- server processes

    private ServerProcess spawn() throws IOException {
        int number;
        synchronized (this) {
            number = ++serverCounter;
        }
        String id = "server-" + number;
        List<String> args = new ArrayList<>(List.of("--store-name", storeName, "--server-id", id,
                "--number", Integer.toString(number), "--seed", Long.toString(config.seed() * 31 + number),
                "--lease", config.lease().toMillis() + "ms", "--auto-save", config.autoSave().toMillis() + "ms",
                "--tick", config.tick().toMillis() + "ms"));
        if (verbose) {
            args.add("--verbose");
        }
        ServerProcess server = ServerProcess.start(id, storeUri, args, this::onEvent,
                line -> serverLog.accept("[" + id + "] " + line));
        servers.add(server);
        return server;
    }

    /** Fails the run when a server process exited that the demo did not kill or stop: that is a bug, not a crash. */
    private void checkServers() {
        for (ServerProcess s : servers) {
            if (s.exited() && !s.killed()) {
                synchronized (this) {
                    if (stopping) {
                        return;
                    }
                }
                throw new IllegalStateException(s.id() + " exited unexpectedly with code " + s.exitCode() + lastErrors(s));
            }
        }
    }

    private static String lastErrors(ServerProcess s) {
        String errors = s.lastErrors();
        return errors.isEmpty() ? "" : "; its last lines on standard error:\n" + errors;
    }

    /** A live server other than {@code not}, chosen by the seeded random source, or null. Holds the lock. */
    private ServerProcess pickLive(ServerProcess not) {
        List<ServerProcess> choices = servers.stream()
                .filter(s -> s != not && s.ready() && !s.killed() && !s.exited()).toList();
        return choices.isEmpty() ? null : choices.get(driverRandom.nextInt(choices.size()));
    }

    // ---------------------------------------------------------------- the proxy (holds the lock)

    /** Players without a server join one; online players sometimes hop to another server. */
    private void movePlayers() {
        for (Player p : players.values()) {
            if (p.state == State.OFFLINE) {
                ServerProcess target = pickLive(null);
                if (target != null) {
                    join(p, target, false);
                }
            } else if (p.state == State.ONLINE && driverRandom.nextDouble() < HOP_CHANCE) {
                ServerProcess target = pickLive(p.server);
                if (target != null) {
                    // The player leaves one server and connects to the next at the same moment, as behind a proxy:
                    // the new server's request and the old server's release race, and the protocol must hand over.
                    ServerProcess from = p.server;
                    wentOffline(p, System.nanoTime());
                    from.send("LEAVE " + p.key);
                    join(p, target, true);
                }
            }
        }
    }

    private void join(Player p, ServerProcess target, boolean hop) {
        p.attempt++;
        p.state = State.JOINING;
        p.server = target;
        p.hop = hop;
        target.send("JOIN " + p.key + " " + p.attempt);
    }

    private void rejoinElsewhere(Player p, ServerProcess failed) {
        ServerProcess target = stopping ? null : pickLive(failed);
        if (target == null) {
            p.state = State.OFFLINE; // the next tick finds it a server
            p.server = null;
        } else {
            join(p, target, false);
        }
    }

    private void wentOffline(Player p, long nowNanos) {
        if (p.state == State.ONLINE) {
            sessionNanos += nowNanos - p.onlineSince;
        }
        p.state = State.OFFLINE;
    }

    private double profileHours(long nowNanos) {
        long open = players.values().stream().filter(p -> p.state == State.ONLINE)
                .mapToLong(p -> nowNanos - p.onlineSince).sum();
        return (sessionNanos + open) / 3.6e12;
    }

    // ---------------------------------------------------------------- events from the servers

    /**
     * Handles one event of a server ({@code null}: this process's final load). Runs on the server's reader thread;
     * lines of different servers arrive in no particular order, which the {@link ReportedHistory} does not need.
     */
    private void onEvent(ServerProcess from, ServerEvent event) {
        history.record(from == null ? "auditor" : from.id(), event);
        synchronized (this) {
            switch (event) {
                case ServerEvent.Started s -> started(from, s);
                case ServerEvent.NotStarted n -> {
                    Player p = players.get(n.key());
                    if (from != null && p.attempt == n.attempt() && p.server == from && p.state == State.JOINING) {
                        log.debug("start of {} on {} failed: {}", n.key(), from.id(), n.reason());
                        rejoinElsewhere(p, from);
                    }
                }
                case ServerEvent.Saved s -> {
                    Player p = players.get(s.key());
                    if (s.released() && p.holder == from && p.holderEpoch == s.epoch()) {
                        p.released = true;
                    }
                }
                case ServerEvent.Ended e -> ended(from, e);
                case ServerEvent.Traded t -> {
                    if (t.committed()) {
                        trades++;
                    } else {
                        tradesFailed++;
                    }
                }
                case ServerEvent.DuplicateBlocked d -> duplicatesBlocked++;
                case ServerEvent.StoreError e -> {
                    storeErrors++;
                    log.debug("store error on {}: {}", from == null ? "auditor" : from.id(), e.message());
                }
                default -> { }
            }
        }
    }

    private void started(ServerProcess from, ServerEvent.Started s) {
        Player p = players.get(s.key());
        boolean takeover = p.holderCrashed;
        if (takeover) {
            takeovers++;
            takeoverMicros.recordValue(s.micros());
            p.holderCrashed = false;
        }
        p.holder = from;
        p.holderEpoch = s.epoch();
        p.released = false;
        if (from == null) {
            return; // the final load
        }
        if (s.attempt() != p.attempt || p.server != from || stopping) {
            // An answer to an older request: the player is elsewhere by now. (While stopping, the close ends it.)
            if (!stopping) {
                from.send("LEAVE " + s.key());
            }
            return;
        }
        p.state = State.ONLINE;
        p.epoch = s.epoch();
        p.onlineSince = System.nanoTime();
        if (p.hop && !takeover) {
            handoffs++;
            handoffMicros.recordValue(s.micros());
        }
        p.hop = false;
    }

    private void ended(ServerProcess from, ServerEvent.Ended e) {
        if (from == null) {
            return;
        }
        if (SessionEndReason.LOST.name().equals(e.reason())) {
            sessionsLost++; // a live server found its lock taken: expected never
        }
        Player p = players.get(e.key());
        if (p.state == State.ONLINE && p.server == from && p.epoch == e.epoch()) {
            // Kicked while the proxy had it there: it joins again somewhere.
            wentOffline(p, System.nanoTime());
            rejoinElsewhere(p, from);
        }
    }

    // ---------------------------------------------------------------- crashes

    /**
     * Kills a random live server with SIGKILL, reconnects its players elsewhere, and starts a replacement. The kill
     * happens outside the lock, so the dead server's last lines (saves it had acknowledged) are handled first.
     */
    private void crashOne() throws IOException, InterruptedException {
        ServerProcess victim;
        synchronized (this) {
            victim = pickLive(null);
        }
        if (victim == null) {
            return;
        }
        victim.kill(Duration.ofSeconds(10));
        synchronized (this) {
            crashes++;
            long now = System.nanoTime();
            for (Player p : players.values()) {
                if (p.holder == victim && !p.released) {
                    p.holderCrashed = true;
                }
                if (p.server == victim && p.state != State.OFFLINE) {
                    wentOffline(p, now);
                    rejoinElsewhere(p, victim);
                }
            }
        }
        log.debug("killed {}", victim.id());
        spawn();
    }

    private synchronized String status(long elapsedNanos, Shop shop) {
        long online = players.values().stream().filter(p -> p.state == State.ONLINE).count();
        long live = servers.stream().filter(s -> !s.killed()).count();
        return String.format("%5.1fs  server processes %d live, %d killed  online %d/%d  handoffs %d (p99 %.1f ms)"
                        + "  takeovers %d  purchases %d  trades %d", elapsedNanos / 1e9, live, crashes, online, keys.size(),
                handoffs, handoffMicros.getTotalCount() == 0 ? 0.0 : handoffMicros.getValueAtPercentile(99) / 1000.0,
                takeovers, shop.requestedCount(), trades);
    }
}
