package dev.profilestore.bench;

import java.time.Duration;
import java.util.EnumSet;

/**
 * Diagnosis, not measurement: session-cycle throughput against the raw driver at 1 thread and at 4, with the
 * store's blocking calls on each {@link ThroughputScenario.Io} (the default, virtual threads, platform threads,
 * the event loop itself), to separate per-cycle latency, thread hops and CPU contention.
 * Run: {@code java -cp profilestore-bench.jar dev.profilestore.bench.ThroughputProbe postgres redis}.
 */
public final class ThroughputProbe {

    private ThroughputProbe() {}

    /** Prints one line per backend and setting. */
    public static void main(String[] args) {
        EnumSet<BackendKind> kinds = EnumSet.noneOf(BackendKind.class);
        for (String a : args) {
            kinds.add(BackendKind.parse(a));
        }
        try (Servers servers = new Servers()) {
            try (Backend memory = new Backend(BackendKind.MEMORY, servers)) {
                ThroughputScenario.run(memory, new ThroughputScenario.Sizes(Duration.ofSeconds(3), Duration.ofSeconds(1), 2));
            }
            for (BackendKind kind : kinds) {
                try (Backend b = new Backend(kind, servers)) {
                    for (int workers : new int[] {1, 4}) {
                        for (ThroughputScenario.Io io : ThroughputScenario.Io.values()) {
                            var r = ThroughputScenario.run(b, new ThroughputScenario.Sizes(Duration.ofSeconds(2),
                                    Duration.ofSeconds(3), workers), io);
                            System.out.printf(java.util.Locale.ROOT,
                                    "%-10s threads %d io %-16s ours %6.0f/s raw %6.0f/s ratio %.2f  cycle p50 ours %.3f ms raw %.3f ms%n",
                                    kind.label(), r.workers(), io, r.oursPerSecond(),
                                    r.rawPerSecond(), r.ratio(), r.oursCycle().p50Ms(), r.rawCycle().p50Ms());
                        }
                    }
                }
            }
        }
        System.exit(0);
    }
}
