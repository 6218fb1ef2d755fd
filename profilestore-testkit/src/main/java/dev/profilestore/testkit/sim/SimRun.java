package dev.profilestore.testkit.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.CorruptProfileException;
import dev.profilestore.DataSerializationException;
import dev.profilestore.DataTooLargeException;
import dev.profilestore.MessageHandler;
import dev.profilestore.ProfileView;
import dev.profilestore.SessionOptions;
import dev.profilestore.UnsupportedFormatException;
import dev.profilestore.admin.ProfileRecords;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.testkit.sim.Workload.Feature;
import dev.profilestore.Profile;
import dev.profilestore.ProfileAlreadyLoadedException;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionLostException;
import dev.profilestore.SessionStart;
import dev.profilestore.StorageException;
import dev.profilestore.StoreClosedException;
import dev.profilestore.spi.Storage;
import dev.profilestore.time.ManualScheduler;
import dev.profilestore.time.Scheduler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;

/** One simulation run, start to end, on the calling thread. */
final class SimRun {

    static final String STORE = "SimStore";
    /** The second store of a process that shares its server id ({@link Feature#SHARED_SERVER_ID}). */
    static final String SIBLING_STORE = "SimGuild";
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration STORAGE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STEAL_AFTER = Duration.ofSeconds(8);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(15);
    /** A start's documented deadline: its timeout, plus the handoff it may wait for (steal after, a lease, two store timeouts), plus slack. */
    private static final Duration START_DEADLINE = START_TIMEOUT.plus(STEAL_AFTER).plus(LEASE).plus(STORAGE_TIMEOUT.multipliedBy(2))
            .plusSeconds(10);
    /** Saves, ends, commits, messages, reads, overwrites, removals: store-timeout-bounded calls and their retries under random faults. */
    private static final Duration OP_DEADLINE = Duration.ofSeconds(60);
    /** Close: its timeout, one store timeout, slack. */
    private static final Duration CLOSE_DEADLINE = CLOSE_TIMEOUT.plus(STORAGE_TIMEOUT).plusSeconds(5);
    private static final int MAX_DATA_BYTES = 16_000;
    private static final int MAX_MESSAGES = 8;

    private final SimConfig config;
    private final ManualScheduler clock = new ManualScheduler();
    private final Trace trace = new Trace(clock);
    private final FaultCounter counter = new FaultCounter(trace);
    private final Faults faults;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Checker checker = new Checker(mapper, trace);
    private final Random work;
    private final Random io;
    private final Random net;
    private final Random store;
    private final Random chaos;
    private final Storage shared;
    private final StoreClock storeClock = new StoreClock(clock);
    private final AuditedStorage audited;
    private final Storage base;
    private final Workload workload;
    private final List<Pending> pending = new ArrayList<>();
    private Server operator;
    private Server hungServer;
    private boolean ending;
    private final SimMessaging hub;
    private final List<Server> live = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    private final Map<String, Long> ops = new TreeMap<>();
    private final List<Receipt> receipts = new ArrayList<>();
    private int serverSeq;
    private int nextId;
    private int step = -1;

    /** One game server: its process, its store, and the profiles its game has in hand. */
    private final class Server {
        final SimServerState state;
        final ProfileStore<Wallet> store;
        final Map<String, Profile<Wallet>> profiles = new LinkedHashMap<>();
        final Set<String> starting = new LinkedHashSet<>();
        /** The sibling store sharing this server's id, if open ({@link Feature#SHARED_SERVER_ID}). */
        ProfileStore<Wallet> sibling;

        Server(SimServerState state, ProfileStore<Wallet> store) {
            this.state = state;
            this.store = store;
        }

        boolean usable() {
            return state.alive() && !state.paused();
        }

        List<Profile<Wallet>> active() {
            return profiles.values().stream().filter(Profile::isActive).toList();
        }
    }

    private record Receipt(String id, String key, long price, int[] sends) {}

    /** A future the API returned, with its documented deadline (time paused not counted). */
    private record Pending(CompletableFuture<?> future, String what, Server server, long issuedNanos, long pausedAtIssue,
                           Duration deadline, Invariant invariant) {
        long elapsedNanos(long now) {
            return now - issuedNanos - (server.state.pausedNanos() - pausedAtIssue);
        }
    }

    SimRun(SimConfig config) {
        this.config = config;
        Random master = new Random(config.seed());
        this.work = new Random(master.nextLong());
        this.io = new Random(master.nextLong());
        this.net = new Random(master.nextLong());
        this.store = new Random(master.nextLong());
        this.chaos = new Random(master.nextLong());
        this.faults = new Faults(config.faults());
        this.workload = config.workload();
        Storage opened = config.storage().create(storeClock);
        this.shared = config.mutated(SimConfig.Mutation.REVISIONS_RESET_ON_REMOVE) ? new RevisionResettingStorage(opened) : opened;
        this.audited = new AuditedStorage(shared, mapper, checker);
        // Above the audit: a dropped write is not seen as applied.
        Storage mutated = config.mutated(SimConfig.Mutation.ACK_WITHOUT_WRITE)
                ? new AckWithoutWriteStorage(audited, new Random(chaos.nextLong()), trace) : audited;
        if (config.mutated(SimConfig.Mutation.NEWER_FORMAT_READ_AS_FOREIGN)) {
            mutated = new NewerFormatHidingStorage(mutated);
        }
        this.base = config.unsafeFencingOff() ? new UnfencedStorage(mutated) : mutated;
        if (workload.has(Feature.MESSAGE_CAP)) {
            checker.messageCap = MAX_MESSAGES;
        }
        // Drawn last from the master, so that adding it left every earlier stream of a seed as it was.
        this.hub = new SimMessaging(clock, net, faults, counter, master.nextBoolean());
        for (int i = 0; i < config.players(); i++) {
            keys.add("p" + i);
        }
    }

    SimReport run() {
        try {
            for (int i = 0; i < config.servers(); i++) {
                live.add(newServer());
            }
            clock.advance(Duration.ofMillis(50));
            int stepsRun = 0;
            for (step = 0; step < config.steps(); step++) {
                trace.step(step);
                step();
                stepsRun++;
                checkPending();
                checker.afterStep();
                if (!checker.violations().isEmpty()) {
                    return report(stepsRun);
                }
            }
            step = -1;
            trace.step(-1);
            end();
            return report(stepsRun);
        } catch (RuntimeException e) {
            checker.violation(Invariant.UNEXPECTED_ERROR, "the simulation itself failed: " + e);
            return report(Math.max(0, step));
        } finally {
            shared.close();
        }
    }

    private SimReport report(int stepsRun) {
        return new SimReport(config, stepsRun, clock.elapsed(), counter.snapshot(), ops, checker.violations(), trace.lines());
    }

    // ---------------------------------------------------------------- servers

    private Server newServer() {
        String id = "s" + (serverSeq++);
        return newServer(id, true);
    }

    private Server newServer(String id, boolean faulty) {
        var state = new SimServerState(id, clock, io, faults, counter);
        boolean skewed = chaos.nextDouble() < faults.p(FaultKind.CLOCK_SKEW);
        long skewMs = (long) ((chaos.nextDouble() * 2 - 1) * 120_000);
        Scheduler scheduler = clock;
        if (skewed && faulty) {
            scheduler = new SkewedScheduler(clock, Duration.ofMillis(skewMs));
            counter.add(FaultKind.CLOCK_SKEW, id + "'s wall clock is off by " + skewMs + " ms");
        }
        Storage storage = faulty ? new SimStorage(base, state, clock, store, faults, counter) : base;
        ProfileStore<Wallet> ps = build(STORE, id, state, scheduler, storage);
        trace.add("server " + id + " started");
        return new Server(state, ps);
    }

    /** One store of a server's process, every option the API has set the same way on every server. */
    private ProfileStore<Wallet> build(String name, String id, SimServerState state, Scheduler scheduler, Storage storage) {
        var builder = ProfileStore.builder(name, Wallet.class, Wallet::new)
                .storage(storage)
                .messaging(hub.view(state))
                .serverId(id)
                .scheduler(scheduler)
                .callbackExecutor(state.callbacks)
                .ioExecutor(state.io)
                .lease(LEASE)
                .autoSavePeriod(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50), Duration.ofSeconds(1))
                .stealAfter(STEAL_AFTER)
                .startTimeout(START_TIMEOUT)
                .backoff(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(1))
                .closeTimeout(CLOSE_TIMEOUT)
                .storageTimeout(config.mutated(SimConfig.Mutation.CALLS_NEVER_RETURN) ? Duration.ofDays(365) : STORAGE_TIMEOUT)
                .snapshotInterval(Duration.ofMinutes(1));
        if (workload.has(Feature.MESSAGE_CAP)) {
            builder.maxMessages(MAX_MESSAGES);
        }
        if (workload.has(Feature.DATA_NEAR_MAX)) {
            builder.maxDataBytes(MAX_DATA_BYTES);
        }
        if (workload.has(Feature.MIGRATION)) {
            // Format 1 kept the balance as "balance"; format 2 calls it "coins".
            builder.formatVersion(2).migration(1, data -> {
                if (data.has("balance")) {
                    data.set("coins", data.get("balance"));
                    data.remove("balance");
                }
                return data;
            });
        }
        ProfileStore<Wallet> ps = builder.build();
        ps.onMessagesDropped().connect(d -> trace.add(id + " " + name + ": " + d.count() + " messages of " + d.key()
                + " dropped for the cap"));
        return ps;
    }

    // ---------------------------------------------------------------- a step

    private void step() {
        injectProcessFaults();
        Server server = pick(live.stream().filter(Server::usable).toList());
        int roll = work.nextInt(100);
        if (server != null) {
            if (roll < 18) {
                join(server, pickKey(), "join");
            } else if (roll < 45) {
                play(server);
            } else if (roll < 55) {
                buy(server);
            } else if (roll < 60) {
                resendReceipt(server);
            } else if (roll < 68) {
                gift(server);
            } else if (roll < 78) {
                if (config.workload().trades()) {
                    trade(server);
                }
            } else if (roll < 88) {
                hop(server);
            } else if (roll < 95) {
                leave(server);
            } else {
                save(server);
            }
            if (!workload.features().isEmpty() && work.nextInt(100) < 15) {
                apiOp(server);
            }
        }
        if (config.mutated(SimConfig.Mutation.CALLS_NEVER_RETURN) && step == 40 && server != null && hungServer == null) {
            hungServer = server;
            server.state.hung = true;
            trace.add("MUTATION: from now on " + server.state.id + "'s store calls never return, and it has no storage timeout");
        }
        int pace = work.nextInt(100);
        long dt = pace < 85 ? work.nextInt(200) : pace < 98 ? 500 + work.nextInt(2500) : 5_000 + work.nextInt(15_000);
        clock.advance(Duration.ofMillis(dt));
    }

    private void injectProcessFaults() {
        boolean crash = chaos.nextDouble() < faults.p(FaultKind.CRASH);
        boolean pause = chaos.nextDouble() < faults.p(FaultKind.PAUSE);
        boolean holdIo = chaos.nextBoolean();
        long pauseMs = LEASE.toMillis() + 500 + chaos.nextInt(8_000);
        int victim = chaos.nextInt(1 << 20);
        boolean replace = chaos.nextInt(4) == 0;
        boolean stall = chaos.nextDouble() < faults.p(FaultKind.LEASE_STALL);
        long stallMs = 3_000 + chaos.nextInt(7_000);
        boolean jump = chaos.nextDouble() < faults.p(FaultKind.STORE_CLOCK_JUMP);
        long jumpMs = (chaos.nextBoolean() ? 1 : -1) * (1_000 + chaos.nextInt(9_000));
        live.removeIf(s -> !s.state.alive());
        if (crash && !live.isEmpty()) {
            Server s = live.get(victim % live.size());
            counter.add(FaultKind.CRASH, s.state.id + " crashes");
            s.state.crash();
            live.remove(s);
        }
        if (pause && !live.isEmpty()) {
            Server s = live.get(victim % live.size());
            if (!s.state.paused()) {
                counter.add(FaultKind.PAUSE, s.state.id + " pauses for " + pauseMs + " ms" + (holdIo ? ", its I/O held too" : ""));
                s.state.pause(holdIo, clock.nanoTime() + pauseMs * 1_000_000);
                clock.schedule(Duration.ofMillis(pauseMs), () -> {
                    trace.add(s.state.id + " resumes");
                    s.state.resume();
                });
            }
        }
        if (stall && !live.isEmpty()) {
            Server s = live.get(victim % live.size());
            counter.add(FaultKind.LEASE_STALL, s.state.id + "'s store I/O (lease renewals included) stalls for " + stallMs + " ms");
            s.state.stallIo(clock.nanoTime() + stallMs * 1_000_000);
        }
        if (jump) {
            counter.add(FaultKind.STORE_CLOCK_JUMP, "the store's clock jumps by " + jumpMs + " ms");
            storeClock.jump(Duration.ofMillis(jumpMs));
        }
        if (live.size() < config.servers() && replace) {
            live.add(newServer());
        }
    }

    private <X> X pick(List<X> list) {
        int i = work.nextInt(1 << 20);
        return list.isEmpty() ? null : list.get(i % list.size());
    }

    private String pickKey() {
        return keys.get(work.nextInt(keys.size()));
    }

    private void op(String name) {
        ops.merge(name, 1L, Long::sum);
    }

    // ---------------------------------------------------------------- the workload

    private void join(Server s, String key, String why) {
        join(s, key, why, SessionOptions.defaults(), false);
    }

    private void join(Server s, String key, String why, SessionOptions options, boolean again) {
        if (s.store.activeProfile(key).isPresent() || (s.starting.contains(key) && !again)) {
            return;
        }
        op(why);
        trace.add(s.state.id + " " + why + " " + key);
        s.starting.add(key);
        CompletableFuture<SessionStart<Wallet>> start;
        try {
            start = s.store.startSessionAsync(key, options);
        } catch (RuntimeException e) {
            expected(s, "start " + key, e);
            return;
        }
        track(s, start, s.state.id + " start of " + key + " (" + why + ")", START_DEADLINE, Invariant.PENDING_FOREVER);
        start.whenComplete((result, error) -> {
            s.starting.remove(key);
            if (!s.state.alive()) {
                return;
            }
            if (error != null) {
                expected(s, "start " + key, error);
                return;
            }
            switch (result) {
                case SessionStart.Started<Wallet> started -> began(s, started.profile());
                case SessionStart.NotStarted<Wallet> no -> trace.add(s.state.id + " start " + key + " not started: " + no.reason());
            }
        });
    }

    private void began(Server s, Profile<Wallet> p) {
        String key = p.key();
        trace.add(s.state.id + " has " + key + " as " + trace.session(p.sessionInfo().sessionId()) + " epoch " + p.epoch()
                + " coins=" + p.data().coins);
        s.profiles.put(key, p);
        Checker.Ticket session = checker.ticket(key);
        p.onAfterSave().connect(saved -> {
            if (s.state.alive() && !config.mutated(SimConfig.Mutation.NO_ON_AFTER_SAVE)) {
                checker.ackSave(session, saved);
            }
        });
        p.onSessionEnd().connect(reason -> trace.add(s.state.id + " session " + trace.session(p.sessionInfo().sessionId())
                + " of " + key + " ended: " + reason));
        p.messageHandler(handler(p));
    }

    /** The game's message handler: purchases (deduplicated by receipt id) and gifts. */
    private MessageHandler handler(Profile<Wallet> p) {
        return (message, processed) -> {
            JsonNode body = message.body();
            Wallet w = p.data();
            if (body.has("receipt")) {
                String receipt = body.get("receipt").asText();
                long price = body.get("price").asLong();
                if (config.unsafeDedupOff() || !w.receipts.containsKey(receipt)) {
                    w.coins += price;
                    w.receipts.merge(receipt, price, Long::sum);
                    trace.add("  " + p.key() + " grants receipt " + receipt + " (" + price + ")");
                } else {
                    trace.add("  " + p.key() + " already granted receipt " + receipt);
                }
            } else if (body.has("gift")) {
                String gift = body.get("gift").asText();
                long coins = body.get("coins").asLong();
                if (!config.workload().strictGifts() && w.gifts.containsKey(gift)) {
                    op("duplicate gift delivery ignored");
                    trace.add("  " + p.key() + " ignores gift " + gift + " delivered again");
                    processed.run();
                    return;
                }
                w.coins += coins;
                w.gifts.merge(gift, coins, Long::sum);
                trace.add("  " + p.key() + " applies gift " + gift + " (" + coins + ")");
            }
            processed.run();
        };
    }

    private void play(Server s) {
        Profile<Wallet> p = pick(s.active());
        int coins = 1 + work.nextInt(10);
        if (p == null) {
            return;
        }
        op("play");
        p.data().coins += coins;
        p.data().earned += coins;
        trace.add(s.state.id + " " + p.key() + " earns " + coins);
    }

    private void buy(Server s) {
        String key = pickKey();
        long price = 10 + work.nextInt(91);
        String id = "r" + (nextId++);
        op("buy");
        checker.receiptPrice.put(id, price);
        checker.receiptKey.put(id, key);
        Receipt r = new Receipt(id, key, price, new int[] {0});
        receipts.add(r);
        sendReceipt(s, r);
    }

    /** The platform sends a receipt again until the game has it saved, as Roblox's ProcessReceipt does. */
    private void resendReceipt(Server s) {
        Receipt r = pick(receipts.stream().filter(x -> x.sends()[0] < 3).toList());
        if (r != null) {
            op("resend");
            sendReceipt(s, r);
        }
    }

    private void sendReceipt(Server s, Receipt r) {
        r.sends()[0]++;
        trace.add(s.state.id + " sends receipt " + r.id() + " (" + r.price() + ") to " + r.key() + ", send #" + r.sends()[0]);
        message(s, r.key(), Map.of("receipt", r.id(), "item", "coins", "price", r.price()),
                () -> checker.ackedReceipts.add(r.id()), "receipt " + r.id());
    }

    private void gift(Server s) {
        gift(s, pickKey());
    }

    private void gift(Server s, String key) {
        long coins = 1 + work.nextInt(50);
        String id = "g" + (nextId++);
        op("gift");
        checker.giftAmount.put(id, coins);
        checker.giftKey.put(id, key);
        trace.add(s.state.id + " sends gift " + id + " (" + coins + ") to " + key);
        message(s, key, Map.of("gift", id, "coins", coins), () -> checker.ackedGifts.add(id), "gift " + id);
    }

    private void message(Server s, String key, Map<String, Object> body, Runnable onAck, String what) {
        String id = what.substring(what.indexOf(' ') + 1);
        checker.messageTickets.putIfAbsent(id, checker.ticket(key));
        CompletableFuture<Void> sent = s.store.messageAsync(key, body);
        track(s, sent, s.state.id + " message " + what + " to " + key, OP_DEADLINE, Invariant.PENDING_FOREVER);
        sent.whenComplete((v, error) -> {
            if (!s.state.alive()) {
                return;
            }
            if (error != null) {
                expected(s, "message " + what, error);
                return;
            }
            trace.add(s.state.id + " " + what + " to " + key + " acknowledged");
            onAck.run();
        });
    }

    private void trade(Server s) {
        List<Profile<Wallet>> active = s.active();
        if (active.size() < 2) {
            return;
        }
        int i = work.nextInt(active.size());
        int j = (i + 1 + work.nextInt(active.size() - 1)) % active.size();
        long want = 1 + work.nextInt(30);
        Profile<Wallet> from = active.get(i);
        Profile<Wallet> to = active.get(j);
        long coins = Math.min(want, from.data().coins);
        if (coins <= 0) {
            return;
        }
        op("trade");
        String id = "t" + (nextId++);
        var trade = new Checker.Trade(id, from.key(), to.key(), coins);
        checker.trades.put(id, trade);
        checker.tradeTickets.put(id, new Checker.Ticket[] {checker.ticket(from.key()), checker.ticket(to.key())});
        trace.add(s.state.id + " trade " + id + ": " + from.key() + " pays " + to.key() + " " + coins);
        boolean[] applied = {false};
        // The engine runs the change when the commit's turn comes, and puts the data back if it cannot commit.
        CompletableFuture<Void> commit = s.store.commitAsync(List.of(from, to), () -> {
            if (from.data().coins < coins) {
                return;
            }
            from.data().coins -= coins;
            from.data().tradesOut.put(id, coins);
            to.data().coins += coins;
            to.data().tradesIn.put(id, coins);
            applied[0] = true;
        });
        track(s, commit, s.state.id + " commit of trade " + id, OP_DEADLINE, Invariant.PENDING_FOREVER);
        commit.whenComplete((v, error) -> {
            if (!s.state.alive()) {
                return;
            }
            if (error != null) {
                expected(s, "trade " + id, error);
                trace.add(s.state.id + " trade " + id + " not committed; the engine put the data back");
                return;
            }
            if (applied[0]) {
                trace.add(s.state.id + " trade " + id + " committed");
                checker.ackTrade(trade);
                if (workload.has(Feature.ACK_FUTURES)) {
                    Checker.Ticket[] t = checker.tradeTickets.get(id);
                    Wallet out = new Wallet();
                    out.tradesOut.put(id, coins);
                    Wallet in = new Wallet();
                    in.tradesIn.put(id, coins);
                    checker.ackDurable(t[0], out, "commitAsync of trade " + id);
                    checker.ackDurable(t[1], in, "commitAsync of trade " + id);
                }
            }
        });
    }

    private void hop(Server s) {
        Profile<Wallet> p = pick(s.active());
        Server to = pick(live.stream().filter(x -> x != s && x.usable()).toList());
        if (p == null || to == null) {
            return;
        }
        join(to, p.key(), "hop " + s.state.id + "->");
    }

    private void leave(Server s) {
        Profile<Wallet> p = pick(s.active());
        if (p == null) {
            return;
        }
        op("leave");
        trace.add(s.state.id + " " + p.key() + " leaves");
        acked(s, p, p.endSessionAsync(), "endSessionAsync");
    }

    private void save(Server s) {
        Profile<Wallet> p = pick(s.active());
        if (p == null) {
            return;
        }
        op("save");
        acked(s, p, p.saveAsync(), "saveAsync");
    }

    /**
     * Tracks an operation on a session profile: its deadline, its failure, and when it completed
     * normally ({@link Feature#ACK_FUTURES}), the ledger the profile had at the call as acknowledged.
     */
    private void acked(Server s, Profile<Wallet> p, CompletableFuture<Void> f, String what) {
        Checker.Ticket ticket = checker.ticket(p.key());
        Wallet atCall = copy(p.data());
        String label = s.state.id + " " + what + " of " + p.key() + " (" + trace.session(p.sessionInfo().sessionId()) + ")";
        track(s, f, label, OP_DEADLINE, Invariant.PENDING_FOREVER);
        f.whenComplete((v, error) -> {
            if (!s.state.alive()) {
                return;
            }
            if (error != null) {
                expected(s, what + " " + p.key(), error);
                if (unwrap(error) instanceof DataTooLargeException && p.isActive()) {
                    p.data().pad = "";
                    trace.add(s.state.id + " " + p.key() + " trims its data after DataTooLargeException");
                }
                return;
            }
            trace.add(label + " completed");
            if (workload.has(Feature.ACK_FUTURES)) {
                checker.ackDurable(ticket, atCall, label);
            }
        });
    }

    private Wallet copy(Wallet w) {
        return mapper.convertValue(w, Wallet.class);
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Holds {@code f} to a deadline; checked after every step while its server is alive. */
    private void track(Server s, CompletableFuture<?> f, String what, Duration deadline, Invariant invariant) {
        if (!f.isDone()) {
            pending.add(new Pending(f, what, s, clock.nanoTime(), s.state.pausedNanos(), deadline, invariant));
        }
    }

    private void checkPending() {
        long now = clock.nanoTime();
        pending.removeIf(p -> {
            if (p.future().isDone() || !p.server().state.alive()) {
                return true;
            }
            if (p.elapsedNanos(now) > p.deadline().toNanos()) {
                checker.violation(p.invariant(), p.what() + " still pending " + p.elapsedNanos(now) / 1_000_000
                        + " ms after it was called (not counting pauses), past its deadline of " + p.deadline().toMillis() + " ms");
                return true;
            }
            return false;
        });
    }

    // ---------------------------------------------------------------- the rest of the API

    private boolean injections() {
        return workload.has(Feature.NULL_RECORD) || workload.has(Feature.FOREIGN_RECORD) || workload.has(Feature.CORRUPT_RECORD)
                || workload.has(Feature.NEWER_FORMAT_RECORD) || workload.has(Feature.IMPORT);
    }

    /** One operation of an enabled {@link Feature}, picked at random. */
    private void apiOp(Server s) {
        List<Feature> on = workload.features().stream().filter(f -> f != Feature.ACK_FUTURES && f != Feature.MIGRATION)
                .sorted().toList();
        if (on.isEmpty()) {
            return;
        }
        Feature f = on.get(work.nextInt(on.size()));
        String key = pickKey();
        switch (f) {
            case SAVE_ALL -> saveAll(s);
            case STEAL -> join(s, key, "steal", SessionOptions.stealing(), false);
            case CANCEL -> {
                if (work.nextBoolean()) {
                    boolean[] cancelled = {false};
                    long afterMs = work.nextInt(6_000);
                    clock.schedule(Duration.ofMillis(afterMs), () -> cancelled[0] = true);
                    join(s, key, "join (cancel after " + afterMs + " ms)", SessionOptions.cancelWhen(() -> cancelled[0]), false);
                } else {
                    long timeoutMs = 500 + work.nextInt(5_000);
                    join(s, key, "join (timeout " + timeoutMs + " ms)",
                            SessionOptions.defaults().withTimeout(Duration.ofMillis(timeoutMs)), false);
                }
            }
            case QUICK_REJOIN -> {
                join(s, key, "join", SessionOptions.defaults(), false);
                clock.advance(Duration.ofMillis(work.nextInt(30)));
                if (s.usable()) {
                    join(s, key, "quick rejoin", SessionOptions.defaults(), true);
                }
            }
            case REMOVE -> remove(key);
            case VIEW_OVERWRITE -> overwrite(key, false);
            case ROLLBACK -> rollback(key);
            case OPERATOR_RELEASE -> release(key);
            case IMPORT -> importRecord(key);
            case MESSAGE_CAP -> {
                int n = MAX_MESSAGES - 2 + work.nextInt(6);
                op("gift burst");
                for (int i = 0; i < n; i++) {
                    gift(s, key);
                }
            }
            case DATA_NEAR_MAX -> pad(s);
            case NULL_RECORD -> inject(key, "null data", envelope("profilestore/1", "null", loadCount(key)), false);
            case FOREIGN_RECORD -> inject(key, "a foreign value", "{\"hello\":\"world\",\"score\":5}".getBytes(StandardCharsets.UTF_8),
                    false);
            case CORRUPT_RECORD -> inject(key, "a corrupt value", new byte[] {'{', 0, 'x', '"', (byte) 0xff}, false);
            case NEWER_FORMAT_RECORD -> inject(key, "a record of a newer library",
                    envelope(Checker.NEWER, "{\"coins\":7,\"earned\":7,\"futureField\":[1,2]}", loadCount(key)), true);
            case SHARED_SERVER_ID -> sibling(s);
            case RESTART_SAME_ID -> restart(s);
            default -> throw new IllegalStateException("unhandled feature " + f);
        }
    }

    private void saveAll(Server s) {
        List<Profile<Wallet>> active = s.active();
        if (active.size() < 2) {
            return;
        }
        op("saveAll");
        List<Profile<Wallet>> some = active.subList(0, 2 + work.nextInt(active.size() - 1));
        List<Checker.Ticket> tickets = some.stream().map(p -> checker.ticket(p.key())).toList();
        List<Wallet> atCall = some.stream().map(p -> copy(p.data())).toList();
        String label = s.state.id + " saveAllAsync of " + some.stream().map(Profile::key).toList();
        trace.add(label);
        CompletableFuture<Void> f = s.store.saveAllAsync(List.copyOf(some));
        track(s, f, label, OP_DEADLINE, Invariant.PENDING_FOREVER);
        f.whenComplete((v, error) -> {
            if (!s.state.alive()) {
                return;
            }
            if (error != null) {
                expected(s, label, error);
                return;
            }
            trace.add(label + " completed");
            if (workload.has(Feature.ACK_FUTURES)) {
                for (int i = 0; i < tickets.size(); i++) {
                    checker.ackDurable(tickets.get(i), atCall.get(i), label);
                }
            }
        });
    }

    /** Grows a profile's data to just under {@code maxDataBytes}, now and then over it; trims it when over. */
    private void pad(Server s) {
        Profile<Wallet> p = pick(s.active());
        if (p == null) {
            return;
        }
        int size;
        try {
            p.data().pad = "";
            size = mapper.writeValueAsBytes(p.data()).length;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        boolean over = work.nextInt(4) == 0;
        int target = over ? MAX_DATA_BYTES + 1 + work.nextInt(4_000) : MAX_DATA_BYTES - 700 - work.nextInt(400);
        int len = Math.max(0, target - size);
        op(over ? "data over maxDataBytes" : "data near maxDataBytes");
        p.data().pad = "x".repeat(len);
        trace.add(s.state.id + " " + p.key() + " grows its data to about " + (size + len) + " bytes (limit " + MAX_DATA_BYTES + ")");
    }

    private Server operator() {
        if (operator == null || !operator.state.alive()) {
            operator = newServer("operator", false);
        }
        return operator;
    }

    /** removeAsync by an operator's store: a reset of the key. */
    private void remove(String key) {
        Server o = operator();
        op("remove");
        trace.add("operator removes " + key);
        checker.beginReset(key, "removeAsync");
        CompletableFuture<Boolean> f = o.store.removeAsync(key);
        track(o, f, "operator removeAsync of " + key, OP_DEADLINE, Invariant.PENDING_FOREVER);
        f.whenComplete((removed, error) -> {
            trace.add("operator removeAsync of " + key + " " + (error == null ? "done: " + removed : "failed: " + unwrap(error)));
            checker.endReset(key, null);
        });
    }

    /** getAsync, an admin grant of 5 coins (or none: a release), overwriteAsync: a reset of the key. */
    private void overwrite(String key, boolean releaseOnly) {
        if (checker.holdsNewerFormat(key)) {
            return;
        }
        Server o = operator();
        op(releaseOnly ? "release (view)" : "view overwrite");
        CompletableFuture<Optional<ProfileView<Wallet>>> read = o.store.getAsync(key);
        track(o, read, "operator getAsync of " + key, OP_DEADLINE, Invariant.PENDING_FOREVER);
        read.whenComplete((view, error) -> {
            if (error != null || view.isEmpty()) {
                trace.add("operator getAsync of " + key + ": " + (error != null ? unwrap(error) : "none"));
                if (error != null) {
                    expected(o, "getAsync " + key, error);
                }
                return;
            }
            overwriteView(o, view.get(), releaseOnly ? "release (view overwrite) of " + key : "admin grant to " + key, !releaseOnly);
        });
    }

    private void overwriteView(Server o, ProfileView<Wallet> v, String what, boolean grant) {
        String key = v.key();
        if (grant) {
            v.data().coins += 5;
            v.data().earned += 5;
        }
        Wallet written = copy(v.data());
        trace.add("operator " + what + ": overwriteAsync (version " + v.version() + ", earned " + written.earned + ")");
        checker.beginReset(key, what);
        CompletableFuture<Void> f = v.overwriteAsync();
        track(o, f, "operator overwriteAsync (" + what + ")", OP_DEADLINE, Invariant.PENDING_FOREVER);
        f.whenComplete((x, error) -> {
            trace.add("operator overwriteAsync (" + what + ") " + (error == null ? "done" : "failed: " + unwrap(error)));
            checker.endReset(key, error == null && workload.has(Feature.ACK_FUTURES) ? written : null);
        });
    }

    /** getAsync(key, version) of a saved version, then overwriteAsync: a rollback. */
    private void rollback(String key) {
        if (checker.holdsNewerFormat(key)) {
            return;
        }
        List<VersionInfo> versions = shared.versions(STORE, key, VersionRange.all(20));
        if (versions.isEmpty()) {
            return;
        }
        VersionInfo version = versions.get(work.nextInt(versions.size()));
        Server o = operator();
        op("rollback");
        CompletableFuture<Optional<ProfileView<Wallet>>> read = o.store.getAsync(key, version.versionId());
        track(o, read, "operator getAsync of " + key + " version " + version.versionId(), OP_DEADLINE, Invariant.PENDING_FOREVER);
        read.whenComplete((view, error) -> {
            if (error != null || view.isEmpty()) {
                trace.add("operator getAsync of " + key + " version " + version.versionId() + ": "
                        + (error != null ? unwrap(error) : "none"));
                return;
            }
            overwriteView(o, view.get(), "rollback of " + key + " to version " + version.versionId(), false);
        });
    }

    /** An operator clears a lock: through a view overwrite, or straight in the storage as {@code release --force} does. */
    private void release(String key) {
        if (work.nextBoolean()) {
            overwrite(key, true);
            return;
        }
        Optional<StoredRecord> rec = shared.read(STORE, key);
        if (rec.isEmpty() || !ours(rec.get().payload())) {
            return;
        }
        byte[] released;
        try {
            released = ProfileRecords.withoutLock(rec.get().payload());
        } catch (RuntimeException e) {
            return; // not a record the CLI can release
        }
        op("release (storage)");
        boolean done = audited.operatorWrite(STORE, key, released, RecordWrite.Versioning.NONE);
        trace.add("operator release --force of " + key + (done ? "" : " lost a race"));
    }

    private boolean ours(byte[] payload) {
        try {
            JsonNode root = mapper.readTree(payload);
            return root != null && "profilestore/1".equals(root.path("format").asText()) && root.path("data").isObject();
        } catch (IOException e) {
            return false;
        }
    }

    /** An older export written back straight to the storage, as {@code profilestore import --overwrite} does. */
    private void importRecord(String key) {
        long earned = 1 + work.nextInt(100);
        boolean v1 = workload.has(Feature.MIGRATION);
        String data = "{\"" + (v1 ? "balance" : "coins") + "\":" + earned + ",\"earned\":" + earned + "}";
        byte[] payload = envelope("profilestore/1", data, 1 + work.nextInt(2));
        op("import");
        Wallet w = new Wallet();
        w.coins = earned;
        w.earned = earned;
        if (audited.operatorWrite(STORE, key, payload, RecordWrite.Versioning.PRESERVE_PREVIOUS)) {
            trace.add("operator imports " + key + " (earned " + earned + (v1 ? ", data format 1" : "") + ")");
            checker.replaced(key, w, false, "import");
        }
    }

    /** A value put straight into the storage: null data, foreign, corrupt, or a newer format. */
    private void inject(String key, String what, byte[] payload, boolean newer) {
        op("record: " + what);
        if (audited.operatorWrite(STORE, key, payload, RecordWrite.Versioning.PRESERVE_PREVIOUS)) {
            trace.add(key + " now holds " + what);
            checker.replaced(key, null, newer, what);
        }
    }

    /** The key's load count now (so a record put in its place does not by itself take the epoch back), or 1. */
    private long loadCount(String key) {
        return shared.read(STORE, key).map(r -> {
            try {
                return Math.max(1, mapper.readTree(r.payload()).path("meta").path("loadCount").asLong(1));
            } catch (IOException e) {
                return 1L;
            }
        }).orElse(1L);
    }

    /** An unlocked envelope of {@code format} holding {@code data} (raw JSON) in data format {@code dataVersion}. */
    private byte[] envelope(String format, String data, long loadCount) {
        long now = clock.instant().toEpochMilli();
        return ("{\"format\":\"" + format + "\",\"dataVersion\":1,\"data\":" + data + ",\"meta\":{\"createdMs\":" + now
                + ",\"loadCount\":" + loadCount + ",\"lastUpdateMs\":" + now + ",\"lastSnapshotMs\":0},\"metadata\":{},"
                + "\"userIds\":[],\"messages\":{\"lastId\":0,\"items\":[]}}").getBytes(StandardCharsets.UTF_8);
    }

    /** Opens, or closes, a second store in this server's process with the same server id. */
    private void sibling(Server s) {
        if (s.sibling == null) {
            op("sibling store opens");
            s.sibling = build(SIBLING_STORE, s.state.id, s.state, clock, new SimStorage(base, s.state, clock, store, faults, counter));
            trace.add(s.state.id + " opens a second store, " + SIBLING_STORE + ", with the same server id");
        } else {
            op("sibling store closes");
            trace.add(s.state.id + " closes its second store " + SIBLING_STORE);
            track(s, s.sibling.closeAsync(), s.state.id + " close of " + SIBLING_STORE, CLOSE_DEADLINE, Invariant.CLOSE_HUNG);
            s.sibling = null;
        }
    }

    /** The server restarts and its successor reuses its id: after a clean close, during it, or after a crash. */
    private void restart(Server s) {
        int how = work.nextInt(3);
        String id = s.state.id;
        live.remove(s);
        if (how == 2) {
            op("restart after crash, same id");
            trace.add(id + " crashes and restarts with the same server id");
            s.state.crash();
            live.add(newServer(id, true));
            return;
        }
        op(how == 0 ? "restart after close, same id" : "restart during close, same id");
        trace.add(id + " closes to restart with the same server id");
        CompletableFuture<Void> closing = s.store.closeAsync();
        track(s, closing, id + " close for a restart", CLOSE_DEADLINE, Invariant.CLOSE_HUNG);
        if (s.sibling != null) {
            track(s, s.sibling.closeAsync(), id + " close of " + SIBLING_STORE, CLOSE_DEADLINE, Invariant.CLOSE_HUNG);
        }
        if (how == 1) {
            live.add(newServer(id, true));
        } else {
            closing.whenComplete((v, e) -> {
                if (!ending && live.size() < config.servers()) {
                    live.add(newServer(id, true));
                }
            });
        }
    }

    /** Failures the game must expect under faults; anything else is a finding. */
    private void expected(Server s, String what, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof StorageException || cause instanceof SessionLostException
                || cause instanceof StoreClosedException || cause instanceof ProfileAlreadyLoadedException
                || (workload.has(Feature.DATA_NEAR_MAX) && cause instanceof DataTooLargeException)
                || (injections() && (cause instanceof CorruptProfileException || cause instanceof UnsupportedFormatException
                        || cause instanceof DataSerializationException))) {
            trace.add(s.state.id + " " + what + " failed: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
        } else {
            checker.violation(Invariant.UNEXPECTED_ERROR, s.state.id + " " + what + " failed: " + cause);
        }
    }

    // ---------------------------------------------------------------- the end

    /**
     * Heals every fault, lets the cluster settle, closes every server, then has a fresh server load
     * every key, take its messages and release it; then checks the store.
     */
    private void end() {
        ending = true;
        trace.add("healing: no more faults; paused servers resume");
        faults.heal();
        for (Server s : List.copyOf(live)) {
            s.state.resume();
        }
        live.removeIf(s -> !s.state.alive());
        if (operator != null && operator.state.alive()) {
            live.add(operator);
        }
        clock.advance(Duration.ofSeconds(30));
        checkPending();
        checker.afterStep();
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        for (Server s : List.copyOf(live)) {
            trace.add(s.state.id + " closes");
            CompletableFuture<Void> c = s.store.closeAsync();
            closes.add(c);
            track(s, c, s.state.id + " close at the end", CLOSE_DEADLINE, Invariant.CLOSE_HUNG);
            if (s.sibling != null) {
                CompletableFuture<Void> sc = s.sibling.closeAsync();
                closes.add(sc);
                track(s, sc, s.state.id + " close of " + SIBLING_STORE + " at the end", CLOSE_DEADLINE, Invariant.CLOSE_HUNG);
            }
        }
        settleChecking(() -> closes.stream().allMatch(CompletableFuture::isDone), Duration.ofMinutes(2));
        if (!closes.stream().allMatch(CompletableFuture::isDone)) {
            checker.violation(Invariant.STUCK, "servers did not close within 2 minutes after healing");
            return;
        }
        closes.forEach(c -> {
            if (c.isCompletedExceptionally()) {
                checker.violation(Invariant.UNEXPECTED_ERROR, "a close failed: " + c.exceptionNow());
            }
        });
        checker.afterStep();
        Server auditor = newServer("auditor", false);
        clock.advance(Duration.ofMillis(100));
        for (String key : keys) {
            var start = auditor.store.startSessionAsync(key);
            track(auditor, start, "auditor start of " + key, START_DEADLINE, Invariant.PENDING_FOREVER);
            if (!settleChecking(start::isDone, START_DEADLINE.plusSeconds(1))) {
                continue; // PENDING_FOREVER is reported
            }
            if (start.isCompletedExceptionally() || !start.join().isStarted()) {
                Object why = start.isCompletedExceptionally() ? unwrap(start.exceptionNow()) : start.join();
                boolean refused = why instanceof SessionStart.NotStarted<?> no && no.reason() == SessionStart.Reason.UNSUPPORTED_FORMAT
                        || why instanceof UnsupportedFormatException;
                if (refused && checker.holdsNewerFormat(key)) {
                    trace.add("auditor: " + key + " holds a newer format and was refused, as it must be");
                } else {
                    checker.violation(Invariant.STUCK, "the auditor could not load " + key + ": " + why);
                }
                continue;
            }
            began(auditor, start.join().orElseThrow());
            clock.advance(Duration.ofMillis(10));
            var end = auditor.profiles.get(key).endSessionAsync();
            track(auditor, end, "auditor end of " + key, OP_DEADLINE, Invariant.PENDING_FOREVER);
            if (!settleChecking(end::isDone, Duration.ofMinutes(1))) {
                checker.violation(Invariant.STUCK, "the auditor could not release " + key);
            }
        }
        checker.afterStep();
        var closing = auditor.store.closeAsync();
        track(auditor, closing, "auditor close", CLOSE_DEADLINE, Invariant.CLOSE_HUNG);
        settleChecking(closing::isDone, CLOSE_DEADLINE.plusSeconds(1));
        Map<String, JsonNode> finals = new TreeMap<>();
        for (String key : keys) {
            finals.put(key, shared.read(STORE, key).map(r -> {
                try {
                    return mapper.readTree(r.payload());
                } catch (IOException e) {
                    return null; // not JSON: a value put there, left as it was
                }
            }).orElse(null));
        }
        checker.atEnd(finals);
    }

    /** Advances the clock in small steps until {@code done} or {@code limit} passed, checking deadlines as time passes. */
    private boolean settleChecking(BooleanSupplier done, Duration limit) {
        long until = clock.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean() && clock.nanoTime() < until) {
            clock.advance(Duration.ofMillis(100));
            checkPending();
        }
        checkPending();
        return done.getAsBoolean();
    }
}
