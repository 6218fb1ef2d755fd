package dev.profilestore.testkit.sim;

import java.util.EnumMap;
import java.util.Map;

/** Counts injected faults by kind. One per run; used on the run's single thread. */
final class FaultCounter {

    private final EnumMap<FaultKind, Long> counts = new EnumMap<>(FaultKind.class);
    private final Trace trace;

    FaultCounter(Trace trace) {
        this.trace = trace;
    }

    void add(FaultKind kind) {
        counts.merge(kind, 1L, Long::sum);
    }

    /** Counts a fault and writes it to the trace. */
    void add(FaultKind kind, String detail) {
        add(kind);
        trace.add("fault " + kind + ": " + detail);
    }

    Map<FaultKind, Long> snapshot() {
        return new EnumMap<>(counts);
    }
}
