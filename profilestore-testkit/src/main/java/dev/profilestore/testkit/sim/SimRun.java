package dev.profilestore.testkit.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profilestore.MessageHandler;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;

/** One simulation run, start to end, on the calling thread. */
final class SimRun {

    static final String STORE = "SimStore";
    private static final Duration LEASE = Duration.ofSeconds(3);

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
    private final Storage base;
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

    SimRun(SimConfig config) {
        this.config = config;
        Random master = new Random(config.seed());
        this.work = new Random(master.nextLong());
        this.io = new Random(master.nextLong());
        this.net = new Random(master.nextLong());
        this.store = new Random(master.nextLong());
        this.chaos = new Random(master.nextLong());
        this.faults = new Faults(config.faults());
        this.shared = config.storage().create(clock);
        Storage audited = new AuditedStorage(shared, mapper, checker::onApplied);
        this.base = config.unsafeFencingOff() ? new UnfencedStorage(audited) : audited;
        this.hub = new SimMessaging(clock, net, faults, counter);
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
        ProfileStore<Wallet> ps = ProfileStore.builder(STORE, Wallet.class, Wallet::new)
                .storage(storage)
                .messaging(hub.view(state))
                .serverId(id)
                .scheduler(scheduler)
                .callbackExecutor(state.callbacks)
                .ioExecutor(state.io)
                .lease(LEASE)
                .autoSavePeriod(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50), Duration.ofSeconds(1))
                .stealAfter(Duration.ofSeconds(8))
                .startTimeout(Duration.ofSeconds(20))
                .backoff(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(1))
                .closeTimeout(Duration.ofSeconds(15))
                .snapshotInterval(Duration.ofMinutes(1))
                .build();
        trace.add("server " + id + " started");
        return new Server(state, ps);
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
        if (s.store.activeProfile(key).isPresent() || s.starting.contains(key)) {
            return;
        }
        op(why);
        trace.add(s.state.id + " " + why + " " + key);
        s.starting.add(key);
        CompletableFuture<SessionStart<Wallet>> start = s.store.startSessionAsync(key);
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
        p.onAfterSave().connect(saved -> {
            if (s.state.alive()) {
                checker.ackSave(key, saved);
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
        String key = pickKey();
        long coins = 1 + work.nextInt(50);
        String id = "g" + (nextId++);
        op("gift");
        checker.giftAmount.put(id, coins);
        checker.giftKey.put(id, key);
        trace.add(s.state.id + " sends gift " + id + " (" + coins + ") to " + key);
        message(s, key, Map.of("gift", id, "coins", coins), () -> checker.ackedGifts.add(id), "gift " + id);
    }

    private void message(Server s, String key, Map<String, Object> body, Runnable onAck, String what) {
        s.store.messageAsync(key, body).whenComplete((v, error) -> {
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
        trace.add(s.state.id + " trade " + id + ": " + from.key() + " pays " + to.key() + " " + coins);
        boolean[] applied = {false};
        // The engine runs the change when the commit's turn comes, and puts the data back if it cannot commit.
        s.store.commitAsync(List.of(from, to), () -> {
            if (from.data().coins < coins) {
                return;
            }
            from.data().coins -= coins;
            from.data().tradesOut.put(id, coins);
            to.data().coins += coins;
            to.data().tradesIn.put(id, coins);
            applied[0] = true;
        }).whenComplete((v, error) -> {
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
        p.endSessionAsync().whenComplete((v, error) -> {
            if (error != null && s.state.alive()) {
                expected(s, "leave " + p.key(), error);
            }
        });
    }

    private void save(Server s) {
        Profile<Wallet> p = pick(s.active());
        if (p == null) {
            return;
        }
        op("save");
        p.saveAsync().whenComplete((v, error) -> {
            if (error != null && s.state.alive()) {
                expected(s, "save " + p.key(), error);
            }
        });
    }

    /** Failures the game must expect under faults; anything else is a finding. */
    private void expected(Server s, String what, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof StorageException || cause instanceof SessionLostException
                || cause instanceof StoreClosedException || cause instanceof ProfileAlreadyLoadedException) {
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
        trace.add("healing: no more faults; paused servers resume");
        faults.heal();
        for (Server s : List.copyOf(live)) {
            s.state.resume();
        }
        live.removeIf(s -> !s.state.alive());
        clock.advance(Duration.ofSeconds(30));
        checker.afterStep();
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        for (Server s : live) {
            trace.add(s.state.id + " closes");
            closes.add(s.store.closeAsync());
        }
        if (!settle(() -> closes.stream().allMatch(CompletableFuture::isDone), Duration.ofMinutes(2))) {
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
            if (!settle(start::isDone, Duration.ofMinutes(1)) || start.isCompletedExceptionally()
                    || !start.join().isStarted()) {
                checker.violation(Invariant.STUCK, "the auditor could not load " + key + ": "
                        + (start.isDone() ? (start.isCompletedExceptionally() ? start.exceptionNow() : start.join()) : "still waiting"));
                continue;
            }
            began(auditor, start.join().orElseThrow());
            clock.advance(Duration.ofMillis(10));
            var end = auditor.profiles.get(key).endSessionAsync();
            if (!settle(end::isDone, Duration.ofMinutes(1))) {
                checker.violation(Invariant.STUCK, "the auditor could not release " + key);
            }
        }
        checker.afterStep();
        var closing = auditor.store.closeAsync();
        settle(closing::isDone, Duration.ofMinutes(1));
        Map<String, JsonNode> finals = new TreeMap<>();
        for (String key : keys) {
            finals.put(key, shared.read(STORE, key).map(r -> {
                try {
                    return mapper.readTree(r.payload());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).orElse(null));
        }
        checker.atEnd(finals);
    }

    /** Advances the clock in small steps until {@code done} or {@code limit} passed. */
    private boolean settle(BooleanSupplier done, Duration limit) {
        long until = clock.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean() && clock.nanoTime() < until) {
            clock.advance(Duration.ofMillis(100));
        }
        return done.getAsBoolean();
    }
}
