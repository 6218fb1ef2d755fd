package dev.profilestore.bench;

import dev.profilestore.Profile;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.testkit.PlayerData;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scenario 1: how long a server waits for a profile another server holds, per backend, in three cases: the holder
 * is live; the holder is live but the first control message is lost; the holder crashed (taken over after its
 * lease). Time is measured from the {@code startSessionAsync} call to its completion, on real clocks.
 */
final class HandoffScenario {

    private static final Logger LOG = LoggerFactory.getLogger(HandoffScenario.class);
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** Sizes of one run. */
    record Sizes(int liveSamples, int lostSamples, int reaskSamples, int crashRounds, int crashKeys, Duration crashLease) {}

    /** The three cases' results, with raw histograms for the charts. */
    record Outcome(List<BenchReport.Handoff> results, Histogram live) {}

    private HandoffScenario() {}

    static Outcome run(Backend backend, Sizes sizes) {
        String storeName = "Handoff" + RUNS.incrementAndGet() + "_" + System.nanoTime() % 100_000;
        List<BenchReport.Handoff> results = new ArrayList<>();
        Histogram live = Dist.histogram();
        Histogram lost = Dist.histogram();
        Histogram reask = Dist.histogram();
        String label = backend.label();
        try (Node a = new Node(backend, storeName, "server-a", Duration.ofSeconds(15), b -> b);
             Node b = new Node(backend, storeName, "server-b", Duration.ofSeconds(15), x -> x)) {
            String key = "player-1";
            Profile<PlayerData> held = start(a, key);
            Node holder = a;
            Node requester = b;
            // Warm-up: a few handoffs not recorded (JIT, connection pools, prepared statements).
            int warm = Math.max(20, sizes.liveSamples() / 5);
            for (int i = 0; i < warm + sizes.liveSamples() + sizes.lostSamples(); i++) {
                boolean lose = i >= warm + sizes.liveSamples();
                if (lose) {
                    requester.messaging.dropNext(1); // the TAKEOVER hint is lost; polling must find the holder
                }
                long t0 = System.nanoTime();
                Profile<PlayerData> got = start(requester, key);
                long nanos = System.nanoTime() - t0;
                if (i >= warm) {
                    Dist.record(lose ? lost : live, nanos);
                }
                awaitEnded(holder, held);
                held = got;
                Node t = holder;
                holder = requester;
                requester = t;
            }
            // Re-asked: the previous holder asks again the moment it has released, before the requester it
            // released for has taken the lock (a player bouncing back, or the ping-pong of a naive test).
            if (holder != a) {
                Profile<PlayerData> got = start(a, key);
                awaitEnded(holder, held);
                held = got;
            }
            for (int i = 0; i < sizes.reaskSamples(); i++) {
                CompletableFuture<SessionStart<PlayerData>> toB = b.store.startSessionAsync(key, SessionOptions.defaults());
                awaitEnded(a, held);
                long t0 = System.nanoTime();
                Profile<PlayerData> back = start(a, key);
                Dist.record(reask, System.nanoTime() - t0);
                Profile<PlayerData> bHeld = toB.get(60, TimeUnit.SECONDS).orElseThrow();
                awaitEnded(b, bHeld);
                held = back;
            }
            held.endSessionAsync().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(label + " handoff scenario failed: " + e, e);
        }
        results.add(new BenchReport.Handoff(label, "live holder", Dist.of(live), null, null));
        results.add(new BenchReport.Handoff(label, "notification lost", Dist.of(lost), null, null));
        results.add(new BenchReport.Handoff(label, "re-asked during handoff", Dist.of(reask), null, null));
        if (sizes.crashRounds() > 0) {
            results.add(crashed(backend, storeName, sizes));
        }
        return new Outcome(results, live);
    }

    private static BenchReport.Handoff crashed(Backend backend, String storeName, Sizes sizes) {
        Histogram h = Dist.histogram();
        Duration lease = sizes.crashLease();
        try (Node taker = new Node(backend, storeName, "server-taker", lease, b -> b)) {
            for (int round = 0; round < sizes.crashRounds(); round++) {
                try (Node victim = new Node(backend, storeName, "server-victim-" + round, lease, b -> b)) {
                    List<String> keys = new ArrayList<>();
                    for (int k = 0; k < sizes.crashKeys(); k++) {
                        keys.add("crash-" + round + "-" + k);
                        start(victim, keys.getLast());
                    }
                    victim.crash();
                    long crashedAt = System.nanoTime();
                    List<CompletableFuture<Long>> takes = new ArrayList<>();
                    for (String key : keys) {
                        takes.add(taker.store.startSessionAsync(key, SessionOptions.defaults()).thenApply(s -> {
                            if (!s.isStarted()) {
                                throw new IllegalStateException("takeover of " + key + " did not start: " + s);
                            }
                            return System.nanoTime() - crashedAt;
                        }));
                    }
                    for (CompletableFuture<Long> f : takes) {
                        Dist.record(h, f.get(lease.toSeconds() * 4 + 60, TimeUnit.SECONDS));
                    }
                    List<CompletableFuture<Void>> ends = new ArrayList<>();
                    CompletableFuture.runAsync(() -> keys.forEach(k -> taker.store.activeProfile(k)
                            .ifPresent(p -> ends.add(p.endSessionAsync()))), taker.store.callbackExecutor()).join();
                    CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(backend.kind().label() + " crashed-holder scenario failed: " + e, e);
        }
        Dist d = Dist.of(h);
        double leaseMs = lease.toMillis();
        LOG.info("{} takeover after crash: p50 {} ms, p99 {} ms, lease {} ms", backend.kind().label(), d.p50Ms(), d.p99Ms(),
                lease.toMillis());
        return new BenchReport.Handoff(backend.kind().label(), "holder crashed", d, leaseMs, d.p99Ms() / leaseMs);
    }

    static Profile<PlayerData> start(Node node, String key) throws Exception {
        SessionStart<PlayerData> s = node.store.startSessionAsync(key, SessionOptions.defaults()).get(120, TimeUnit.SECONDS);
        if (!s.isStarted()) {
            throw new IllegalStateException(node.id + " could not start " + key + ": " + s);
        }
        return s.orElseThrow();
    }

    /** Waits until the previous holder's session has ended (it released for the requester). */
    static void awaitEnded(Node holder, Profile<PlayerData> p) throws Exception {
        awaitEnded(holder, p, holder.store);
    }

    static void awaitEnded(Node unused, Profile<PlayerData> p, dev.profilestore.ProfileStore<PlayerData> store) throws Exception {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        // Profile state lives on the holder's callback executor: look there; the end signal may have fired already.
        store.callbackExecutor().execute(() -> {
            p.onSessionEnd().connect(r -> ended.complete(null));
            if (!p.isActive()) {
                ended.complete(null);
            }
        });
        ended.get(30, TimeUnit.SECONDS);
    }
}
