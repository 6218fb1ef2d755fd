package dev.profilestore.bench;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.PlayerData;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Diagnosis, not measurement: where the in-memory session cycle of the throughput scenario spends its time, phase
 * by phase (start, the change and save made on the callback executor, end), at 1 caller and at 4. On a store that
 * does no I/O, each phase's latency is the engine's work plus its thread hand-offs; an empty round trip to the
 * callback executor, timed the same way, shows what the hand-offs alone cost.
 * Naming backends ({@code postgres}, {@code sqlite}...) runs the same phases on each of them instead, which shows
 * which phase a backend's store calls slow down.
 * Run: {@code java -cp profilestore-bench.jar dev.profilestore.bench.CyclePhasesProbe [backend...]}.
 */
public final class CyclePhasesProbe {

    private static final Duration WARM_UP = Duration.ofSeconds(3);
    private static final Duration MEASURE = Duration.ofSeconds(5);

    private CyclePhasesProbe() {}

    /** Prints one line per caller count. */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            phases("in-memory", InMemoryStorage::new);
            return;
        }
        try (Servers servers = new Servers()) {
            for (String a : args) {
                try (Backend b = new Backend(BackendKind.parse(a), servers)) {
                    phases(b.kind().label(), b::storage);
                }
            }
        }
        System.exit(0);
    }

    private static void phases(String label, Supplier<Storage> storages) throws InterruptedException {
        for (int callers : new int[] {1, 4}) {
            try (Storage storage = storages.get();
                 ProfileStore<PlayerData> store = ProfileStore.builder("Phases", PlayerData.class, PlayerData::new)
                    .storage(storage).withoutMessaging().serverId("phases").build()) {
                List<Histogram> phases = List.of(Dist.histogram(), Dist.histogram(), Dist.histogram(), Dist.histogram());
                run(store, callers, WARM_UP, List.of(Dist.histogram(), Dist.histogram(), Dist.histogram(),
                        Dist.histogram()));
                run(store, callers, MEASURE, phases);
                System.out.printf(Locale.ROOT, "%s, %d caller(s): start p50 %.1f µs, save p50 %.1f µs, end p50 %.1f µs"
                                + " (p90 %.1f / %.1f / %.1f µs); an empty task on the callback executor and back"
                                + " p50 %.1f µs; %d cycles%n", label, callers,
                        p50(phases.get(0)), p50(phases.get(1)), p50(phases.get(2)),
                        phases.get(0).getValueAtPercentile(90) / 1e3, phases.get(1).getValueAtPercentile(90) / 1e3,
                        phases.get(2).getValueAtPercentile(90) / 1e3, p50(phases.get(3)), phases.get(0).getTotalCount());
            }
        }
    }

    private static double p50(Histogram h) {
        return h.getValueAtPercentile(50) / 1e3;
    }

    private static void run(ProfileStore<PlayerData> store, int callers, Duration duration, List<Histogram> phases)
            throws InterruptedException {
        long until = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int caller = c;
            threads.add(Thread.ofPlatform().name("phases-" + c).start(() -> {
                long i = 0;
                while (System.nanoTime() < until) {
                    String key = "c" + caller + "-k" + (i++ % 100);
                    long t0 = System.nanoTime();
                    Profile<PlayerData> p = store.startSession(key, SessionOptions.defaults()).orElseThrow();
                    long t1 = System.nanoTime();
                    // As ThroughputScenario's cycle: the data is changed on the callback executor, as a game must.
                    CompletableFuture.supplyAsync(() -> {
                        p.data().coins++;
                        return p.saveAsync();
                    }, store.callbackExecutor()).thenCompose(f -> f).join();
                    long t2 = System.nanoTime();
                    p.endSession();
                    long t3 = System.nanoTime();
                    // The hand-off alone, for comparison with the save phase: there and back, no work.
                    CompletableFuture.supplyAsync(() -> null, store.callbackExecutor()).join();
                    long t4 = System.nanoTime();
                    synchronized (phases) {
                        Dist.record(phases.get(0), t1 - t0);
                        Dist.record(phases.get(1), t2 - t1);
                        Dist.record(phases.get(2), t3 - t2);
                        Dist.record(phases.get(3), t4 - t3);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}
