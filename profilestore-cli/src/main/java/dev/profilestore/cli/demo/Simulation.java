package dev.profilestore.cli.demo;

import dev.profilestore.Profile;
import dev.profilestore.ProfileMessage;
import dev.profilestore.ProfileStore;
import dev.profilestore.ProfileView;
import dev.profilestore.SessionEndReason;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.StoreConnection;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.faults.FaultyMessaging;
import dev.profilestore.testkit.faults.FaultyStorage;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A small network of game servers in one JVM over one shared store: players join, earn coins, receive purchases
 * as durable messages, trade, hop between servers, and servers crash without saving and are replaced. Then every
 * profile is loaded once more (which takes over the crashed servers' profiles and processes waiting purchases),
 * and the {@link Oracle} audits the store against what the servers did.
 *
 * <p>Each server is a real {@link ProfileStore} with its own server id, callback thread and timers; it sees the
 * shared storage and messaging through {@link FaultyStorage} and {@link FaultyMessaging}, which a crash switches
 * off (along with the server's timers), so nothing the dead server still has in flight lands afterwards.
 */
public final class Simulation {

    private static final Logger log = LoggerFactory.getLogger(Simulation.class);

    private final DemoConfig config;
    private final StoreConnection opened;
    private final String storeName;
    private final Consumer<String> progress;
    private final Oracle oracle = new Oracle();
    private final Random driverRandom;
    private final AtomicLong nextOpId = new AtomicLong();
    private final AtomicLong nextTradeId = new AtomicLong();
    private final List<Server> allServers = new CopyOnWriteArrayList<>();
    private final List<Server> live = new CopyOnWriteArrayList<>();
    private final List<Player> players = new ArrayList<>();
    /** Trades and purchase messages in flight, with the server that runs them (a crashed one never finishes them). */
    private final Map<CompletableFuture<?>, Server> inFlight = new ConcurrentHashMap<>();
    /** Session starts in flight, with their target server. */
    private final Map<Object, Server> startsInFlight = new ConcurrentHashMap<>();
    private final Histogram handoffMicros = new SynchronizedHistogram(3_600_000_000L, 3);
    private final Histogram takeoverMicros = new SynchronizedHistogram(3_600_000_000L, 3);
    private final AtomicLong handoffs = new AtomicLong();
    private final AtomicLong trades = new AtomicLong();
    private final AtomicLong tradesFailed = new AtomicLong();
    private final AtomicLong duplicatesBlocked = new AtomicLong();
    private final AtomicLong storeErrors = new AtomicLong();
    private final AtomicLong earned = new AtomicLong();
    private volatile boolean stopping;
    private int crashes;
    private int serverCounter;
    private final boolean tradesSupported;
    private Consumer<Storage> beforeAudit = s -> { };

    /** One simulated game server. */
    private static final class Server {
        final String id;
        final ProfileStore<DemoPlayer> store;
        final FaultyStorage storage;
        final FaultyMessaging messaging;
        final FreezableScheduler scheduler;
        final Random random;
        volatile boolean crashed;

        Server(String id, ProfileStore<DemoPlayer> store, FaultyStorage storage, FaultyMessaging messaging,
               FreezableScheduler scheduler, Random random) {
            this.id = id;
            this.store = store;
            this.storage = storage;
            this.messaging = messaging;
            this.scheduler = scheduler;
            this.random = random;
        }
    }

    private enum State { JOINING, ONLINE, OFFLINE }

    /** A player; its fields are guarded by the simulation's lock. */
    private static final class Player {
        final String key;
        State state = State.OFFLINE;
        Server server;
        volatile Profile<DemoPlayer> profile;
        volatile int attempt;

        Player(String key) {
            this.key = key;
        }
    }

    /**
     * @param config what to simulate
     * @param opened the shared store (its storage and messaging are shared by every server)
     * @param storeName the ProfileStore name
     * @param progress receives a one-line status now and then (never standard output)
     */
    public Simulation(DemoConfig config, StoreConnection opened, String storeName, Consumer<String> progress) {
        this.config = config;
        this.opened = opened;
        this.storeName = storeName;
        this.progress = progress;
        this.driverRandom = new Random(config.seed());
        this.tradesSupported = opened.storage().capabilities().atomicMultiWrite();
    }

    /** For tests: runs just before the final read, with the shared storage (to break something on purpose). */
    public Simulation beforeAudit(Consumer<Storage> hook) {
        this.beforeAudit = hook;
        return this;
    }

    private Server newServer(String id, long seed) {
        var storage = new FaultyStorage(opened.storage());
        Messaging shared = opened.messaging();
        var messaging = shared == null ? null : new FaultyMessaging(shared);
        var scheduler = new FreezableScheduler();
        var builder = GameServer.configure(ProfileStore.builder(storeName, DemoPlayer.class, DemoPlayer::new), storage,
                messaging, id, config.lease(), config.autoSave()).scheduler(scheduler);
        ProfileStore<DemoPlayer> store = builder.build();
        Server server = new Server(id, store, storage, messaging, scheduler, new Random(seed));
        store.onError().connect(e -> {
            if (!server.crashed) {
                storeErrors.incrementAndGet();
                log.debug("store error on {}: {}", id, e.message());
            }
        });
        allServers.add(server);
        return server;
    }

    private synchronized Server addServer() {
        serverCounter++;
        Server s = newServer("server-" + serverCounter, config.seed() * 31 + serverCounter);
        live.add(s);
        return s;
    }

    /** Runs the whole demo and returns its report. */
    public DemoReport run() throws Exception {
        long startNanos = System.nanoTime();
        for (int i = 0; i < config.servers(); i++) {
            addServer();
        }
        Server shopServer = newServer("shop", config.seed() + 7);
        Shop shop = new Shop(shopServer.store, config, driverRandom);
        for (int i = 0; i < config.players(); i++) {
            players.add(new Player(String.format("player-%04d", i + 1)));
        }
        List<String> keys = players.stream().map(p -> p.key).toList();
        for (Player p : players) {
            Server target;
            synchronized (this) {
                target = live.get(driverRandom.nextInt(live.size()));
                p.state = State.JOINING;
                p.server = target;
            }
            join(p, target, p.attempt, System.nanoTime(), false);
        }

        List<Long> crashTimes = config.crashSchedule(driverRandom);
        long durationNanos = config.duration().toNanos();
        long tickNanos = config.tick().toNanos();
        long next = System.nanoTime();
        long lastProgress = 0;
        while (System.nanoTime() - startNanos < durationNanos) {
            next += tickNanos;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
            long elapsed = System.nanoTime() - startNanos;
            for (Server s : live) {
                s.store.callbackExecutor().execute(() -> tick(s));
            }
            shop.tick(keys);
            while (!crashTimes.isEmpty() && elapsed >= crashTimes.getFirst()) {
                crashTimes.removeFirst();
                crashOne();
            }
            if (elapsed - lastProgress >= 250_000_000L) {
                lastProgress = elapsed;
                progress.accept(status(elapsed, shop));
            }
        }

        // ---- stop: no new actions; let starts, trades and purchases in flight finish ----
        stopping = true;
        progress.accept("stopping: waiting for session starts, trades and purchases in flight");
        // Work on crashed servers never finishes (their timers are gone, as in a dead process): only wait for live ones.
        Waiting.until(() -> startsInFlight.values().stream().allMatch(s -> s.crashed), Duration.ofSeconds(20),
                "session starts to finish");
        shop.awaitInFlight(Duration.ofSeconds(20));
        Waiting.awaitAll(inFlight.entrySet().stream().filter(e -> !e.getValue().crashed).map(Map.Entry::getKey).toList(),
                Duration.ofSeconds(20));
        long writes = allServers.stream().mapToLong(s -> s.storage.writes.get()).sum();
        double profileHours = oracle.profileHours(System.nanoTime());
        progress.accept("closing " + live.size() + " live servers (last saves)");
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Server s : live) {
            closing.add(s.store.closeAsync());
        }
        Waiting.awaitAll(closing, Duration.ofSeconds(30));

        // ---- drain: load every profile once more on a fresh server ----
        progress.accept("loading every profile once more (taking over crashed servers' profiles after the "
                + config.lease().toMillis() + " ms lease, processing waiting purchases)");
        Server auditor = newServer("auditor", config.seed() + 11);
        List<CompletableFuture<?>> drains = new ArrayList<>();
        for (Player p : players) {
            drains.add(auditor.store.startSessionAsync(p.key, SessionOptions.defaults().withTimeout(Duration.ofSeconds(60)))
                    .thenCompose(result -> {
                        Profile<DemoPlayer> profile = result.orElseThrow();
                        attach(auditor, null, profile, -1, System.nanoTime(), false);
                        return profile.endSessionAsync();
                    }));
        }
        Waiting.awaitAll(drains, Duration.ofSeconds(90));
        for (CompletableFuture<?> f : drains) {
            if (f.isCompletedExceptionally() || !f.isDone()) {
                throw new IllegalStateException("the final load of a profile failed: " + describe(f));
            }
        }

        // ---- audit ----
        beforeAudit.accept(opened.storage());
        progress.accept("auditing " + players.size() + " profiles");
        Map<String, DemoPlayer> finals = new TreeMap<>();
        Map<String, Integer> pending = new TreeMap<>();
        GameServer.readAll(auditor.store, keys, finals, pending);
        auditor.store.close();
        shopServer.store.close();
        Map<String, Long> requested = shop.requested();
        Oracle.Audit audit = oracle.audit(finals, pending, requested);
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        return new DemoReport(players.size(), handoffs.get(), DemoReport.Latency.of(handoffMicros), profileHours == 0 ? 0
                : Math.round(writes / profileHours), crashes, oracle.takeovers(), requested.size(), audit.receiptsGranted(),
                audit, config.seed(), opened.description(), "threads", config.servers(), config.duration().toMillis() / 1000.0,
                Math.round(elapsed * 10) / 10.0, DemoReport.Latency.of(takeoverMicros), trades.get(), tradesFailed.get(),
                tradesSupported ? null : "the backend cannot write several keys atomically, so players did not trade",
                shop.messages(), shop.resends(), duplicatesBlocked.get(), earned.get(), oracle.lostSessions(),
                storeErrors.get(), writes);
    }

    private static String describe(CompletableFuture<?> f) {
        if (!f.isDone()) {
            return "still running";
        }
        try {
            f.join();
            return "ok";
        } catch (RuntimeException e) {
            return String.valueOf(e.getCause() != null ? e.getCause() : e);
        }
    }

    private String status(long elapsedNanos, Shop shop) {
        long online;
        synchronized (this) {
            online = players.stream().filter(p -> p.state == State.ONLINE).count();
        }
        return String.format("%5.1fs  servers %d live, %d crashed  online %d/%d  handoffs %d (p99 %.1f ms)  takeovers %d"
                        + "  purchases %d  trades %d", elapsedNanos / 1e9, live.size(), crashes, online, players.size(),
                handoffs.get(), handoffMicros.getTotalCount() == 0 ? 0.0 : handoffMicros.getValueAtPercentile(99) / 1000.0,
                oracle.takeovers(), shop.requestedCount(), trades.get());
    }

    // ---------------------------------------------------------------- joining and leaving

    private void join(Player p, Server target, int attempt, long startedNanos, boolean hop) {
        Object token = new Object();
        startsInFlight.put(token, target);
        CompletableFuture<SessionStart<DemoPlayer>> start;
        try {
            start = target.store.startSessionAsync(p.key,
                    SessionOptions.cancelWhen(() -> stopping || p.attempt != attempt || target.crashed));
        } catch (RuntimeException e) {
            startsInFlight.remove(token);
            throw e;
        }
        start.whenComplete((result, error) -> {
            try {
                onStart(p, target, attempt, startedNanos, hop, result, error);
            } finally {
                startsInFlight.remove(token);
            }
        });
    }

    private void onStart(Player p, Server target, int attempt, long startedNanos, boolean hop,
                         SessionStart<DemoPlayer> result, Throwable error) {
        if (error != null || !(result instanceof SessionStart.Started<DemoPlayer> started)) {
            if (error != null) {
                log.debug("start of {} on {} failed: {}", p.key, target.id, error.toString());
            }
            rejoinElsewhere(p, attempt, target);
            return;
        }
        Profile<DemoPlayer> profile = started.profile();
        Oracle.StartKind kind = attach(target, p, profile, attempt, startedNanos, hop);
        boolean keep;
        synchronized (this) {
            keep = p.attempt == attempt && !target.crashed && !stopping;
            if (keep) {
                p.state = State.ONLINE;
                p.server = target;
                p.profile = profile;
            }
        }
        if (!keep) {
            if (!target.crashed) {
                profile.endSessionAsync();
            }
            return;
        }
        long micros = (System.nanoTime() - startedNanos) / 1000;
        if (kind == Oracle.StartKind.TAKEOVER) {
            takeoverMicros.recordValue(micros);
        } else if (hop) {
            handoffMicros.recordValue(micros);
            handoffs.incrementAndGet();
        }
    }

    /** Connects the oracle and the purchase handler to a freshly started session. Runs on its server's loop. */
    private Oracle.StartKind attach(Server server, Player p, Profile<DemoPlayer> profile, int attempt, long startedNanos,
                                    boolean hop) {
        String key = profile.key();
        long epoch = profile.epoch();
        Oracle.StartKind kind = oracle.sessionStarted(key, server.id, epoch, profile.data(), System.nanoTime());
        profile.onAfterSave().connect(saved -> {
            oracle.acknowledged(key, epoch, saved);
            if (!profile.isActive()) {
                oracle.released(key, epoch); // the session's last save, which cleared the lock, was accepted
            }
        });
        profile.onSessionEnd().connect(reason -> {
            oracle.sessionEnded(key, epoch, reason, server.crashed, System.nanoTime());
            if (p != null) {
                onSessionEnd(p, profile, reason);
            }
        });
        profile.messageHandler((message, processed) -> grant(profile, message, processed));
        if (profile.userIds().isEmpty()) {
            // Ties the profile to its player's user id, as a game would, for the erase command.
            profile.addUserId(Long.parseLong(key.substring(key.lastIndexOf('-') + 1)));
        }
        return kind;
    }

    private void onSessionEnd(Player p, Profile<DemoPlayer> profile, SessionEndReason reason) {
        int attempt;
        synchronized (this) {
            if (p.profile != profile) {
                return; // the player had already moved on (a hop), or the end was ours
            }
            p.profile = null;
            p.state = State.OFFLINE;
            if (stopping || reason == SessionEndReason.SHUTDOWN) {
                return;
            }
            attempt = ++p.attempt;
        }
        // Kicked unexpectedly (the lock was found taken): join again somewhere.
        Server target = pickLive(null);
        if (target != null) {
            synchronized (this) {
                p.state = State.JOINING;
                p.server = target;
            }
            join(p, target, attempt, System.nanoTime(), false);
        }
    }

    private void rejoinElsewhere(Player p, int attempt, Server failed) {
        Server target;
        synchronized (this) {
            if (p.attempt != attempt || stopping) {
                return;
            }
            target = pickLive(failed);
            if (target == null) {
                p.state = State.OFFLINE;
                return;
            }
            p.state = State.JOINING;
            p.server = target;
        }
        join(p, target, attempt, System.nanoTime(), false);
    }

    private synchronized Server pickLive(Server not) {
        List<Server> choices = live.stream().filter(s -> s != not && !s.crashed).toList();
        return choices.isEmpty() ? null : choices.get(driverRandom.nextInt(choices.size()));
    }

    // ---------------------------------------------------------------- playing

    /** One game tick of a server: runs on its callback executor, where profiles may be touched. */
    private void tick(Server s) {
        if (s.crashed || stopping) {
            return;
        }
        List<Player> here;
        synchronized (this) {
            here = players.stream().filter(p -> p.state == State.ONLINE && p.server == s && p.profile != null).toList();
        }
        for (Player p : here) {
            Profile<DemoPlayer> profile = profileOn(p, s);
            if (profile == null || !profile.isActive() || s.crashed) {
                continue;
            }
            double r = s.random.nextDouble();
            if (r < 0.5) {
                long coins = 1 + s.random.nextInt(10);
                apply(profile, new Op.Earn(nextOpId.incrementAndGet(), coins));
                earned.addAndGet(coins);
            } else if (r < 0.52 && tradesSupported && here.size() > 1) {
                Player other = here.get(s.random.nextInt(here.size()));
                // The other player may have hopped away earlier in this tick and already be loaded elsewhere.
                Profile<DemoPlayer> theirs = other == p ? null : profileOn(other, s);
                if (theirs != null && theirs.isActive()) {
                    trade(s, profile, theirs);
                }
            } else if (r < 0.526) {
                hop(s, p);
            }
        }
    }

    /** The player's profile if the player is online on {@code s}, else null. */
    private synchronized Profile<DemoPlayer> profileOn(Player p, Server s) {
        return p.state == State.ONLINE && p.server == s ? p.profile : null;
    }

    private void apply(Profile<DemoPlayer> profile, Op op) {
        DemoPlayer d = profile.data();
        long before = d.chain;
        op.applyTo(d);
        d.ops++;
        d.chain = DemoPlayer.nextChain(before, op.id());
        oracle.applied(profile.key(), profile.epoch(), op, before, d);
    }

    /**
     * A trade committed atomically. {@code commitAsync} makes the change when its turn comes in both profiles'
     * queues and, when it cannot commit, puts both documents back as they were. Changing the data first and then
     * calling {@code saveAllAsync} would not be atomic: a save or a handoff of one profile asked for earlier may
     * take its snapshot after the change and store one side alone (seen as torn trades under crashes).
     */
    private void trade(Server s, Profile<DemoPlayer> a, Profile<DemoPlayer> b) {
        long tradeId = nextTradeId.incrementAndGet();
        CompletableFuture<Void> commit = s.store.commitAsync(List.of(a, b), () -> {
            DemoPlayer da = a.data();
            DemoPlayer db = b.data();
            if (!da.items.isEmpty()) {
                DemoPlayer.Item item = da.items.get(s.random.nextInt(da.items.size()));
                long price = Math.min(db.coins, Math.max(1, item.value() / 2 + s.random.nextInt((int) item.value() + 1)));
                apply(a, new Op.TradeSide(nextOpId.incrementAndGet(), tradeId, price, List.of(), List.of(item)));
                apply(b, new Op.TradeSide(nextOpId.incrementAndGet(), tradeId, -price, List.of(item), List.of()));
            } else {
                long gift = Math.min(da.coins, 1 + s.random.nextInt(20));
                apply(a, new Op.TradeSide(nextOpId.incrementAndGet(), tradeId, -gift, List.of(), List.of()));
                apply(b, new Op.TradeSide(nextOpId.incrementAndGet(), tradeId, gift, List.of(), List.of()));
            }
        });
        inFlight.put(commit, s);
        commit.whenComplete((v, e) -> {
            inFlight.remove(commit);
            (e == null ? trades : tradesFailed).incrementAndGet();
        });
    }

    private void hop(Server from, Player p) {
        Server target;
        Profile<DemoPlayer> old;
        int attempt;
        synchronized (this) {
            if (p.state != State.ONLINE || p.server != from) {
                return;
            }
            target = pickLive(from);
            if (target == null) {
                return;
            }
            old = p.profile;
            p.profile = null;
            p.state = State.JOINING;
            p.server = target;
            attempt = ++p.attempt;
        }
        long started = System.nanoTime();
        // The player leaves one server and connects to the next at the same moment, as behind a proxy: the new
        // server's request and the old server's release race, and the protocol must hand over either way.
        old.endSessionAsync();
        join(p, target, attempt, started, true);
    }

    // ---------------------------------------------------------------- purchases

    /** The purchase handler: grants a receipt once, keeping the receipt ids in the profile itself. */
    private void grant(Profile<DemoPlayer> profile, ProfileMessage message, Runnable processed) {
        String receipt = message.body().path("receiptId").asText();
        if (config.receiptCheck() && profile.data().receipts.contains(receipt)) {
            duplicatesBlocked.incrementAndGet();
            processed.run();
            return;
        }
        var item = new DemoPlayer.Item(receipt, message.body().path("item").asText(), message.body().path("price").asLong());
        apply(profile, new Op.Grant(nextOpId.incrementAndGet(), receipt, item));
        processed.run();
    }

    // ---------------------------------------------------------------- crashes

    private void crashOne() {
        Server victim;
        List<Player> affected = new ArrayList<>();
        synchronized (this) {
            List<Server> candidates = live.stream().filter(s -> !s.crashed).toList();
            if (candidates.isEmpty()) {
                return;
            }
            victim = candidates.get(driverRandom.nextInt(candidates.size()));
            victim.crashed = true;
            victim.storage.down = true;
            if (victim.messaging != null) {
                victim.messaging.down = true;
            }
            victim.scheduler.freeze();
            live.remove(victim);
            crashes++;
            for (Player p : players) {
                if (p.server == victim && p.state != State.OFFLINE) {
                    p.attempt++;
                    p.profile = null;
                    p.state = State.JOINING;
                    affected.add(p);
                }
            }
        }
        oracle.serverCrashed(victim.id, System.nanoTime());
        addServer();
        long now = System.nanoTime();
        for (Player p : affected) {
            Server target = pickLive(victim);
            synchronized (this) {
                p.server = target;
            }
            join(p, target, p.attempt, now, false);
        }
        log.debug("crashed {}; {} players reconnect elsewhere", victim.id, affected.size());
    }
}
