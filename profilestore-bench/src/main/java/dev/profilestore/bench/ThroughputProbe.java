package dev.profilestore.bench;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

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
        // -Dprobe.io=DEFAULT (or another ThroughputScenario.Io) narrows the settings tried.
        String only = System.getProperty("probe.io");
        List<ThroughputScenario.Io> ios = only == null ? List.of(ThroughputScenario.Io.values())
                : List.of(ThroughputScenario.Io.valueOf(only));
        try (Servers servers = new Servers()) {
            try (Backend memory = new Backend(BackendKind.MEMORY, servers)) {
                ThroughputScenario.run(memory, new ThroughputScenario.Sizes(Duration.ofSeconds(3), Duration.ofSeconds(1), 2));
            }
            for (BackendKind kind : kinds) {
                try (Backend b = new Backend(kind, servers)) {
                    for (int workers : new int[] {1, 4}) {
                        for (ThroughputScenario.Io io : ios) {
                            var oursCpu = new ThroughputScenario.CpuTally();
                            var rawCpu = new ThroughputScenario.CpuTally();
                            var r = ThroughputScenario.run(b, new ThroughputScenario.Sizes(Duration.ofSeconds(2),
                                    Duration.ofSeconds(3), workers), io, oursCpu, rawCpu);
                            // CPU per cycle: what a cycle costs the machine, JVM and database apart (2 runs each).
                            double oursCycles = r.oursPerSecond() * 6;
                            double rawCycles = r.rawPerSecond() * 6;
                            System.out.printf(java.util.Locale.ROOT,
                                    "%-10s threads %d io %-16s ours %6.0f/s raw %6.0f/s ratio %.2f  cycle p50 ours %.3f ms raw %.3f ms"
                                            + "  CPU µs/cycle ours JVM %.0f DB %.0f, raw JVM %.0f DB %.0f%n",
                                    kind.label(), r.workers(), io, r.oursPerSecond(),
                                    r.rawPerSecond(), r.ratio(), r.oursCycle().p50Ms(), r.rawCycle().p50Ms(),
                                    oursCpu.jvm / oursCycles * 1e6, oursCpu.db / oursCycles * 1e6,
                                    rawCpu.jvm / rawCycles * 1e6, rawCpu.db / rawCycles * 1e6);
                        }
                    }
                }
            }
        }
        System.exit(0);
    }
}
