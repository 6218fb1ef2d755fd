package dev.profilestore.testkit.sim;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one simulation run did and found.
 *
 * @param config the run's config (rerun it to reproduce)
 * @param stepsRun workload steps performed
 * @param simulatedTime time that passed on the simulated clock, end checks included
 * @param faults faults injected, by kind
 * @param operations workload operations attempted, by name (join, play, buy, trade, hop, gift, leave, ...)
 * @param violations broken invariants, in the order found; empty when the run passed
 * @param trace every step's events, for reading a failure
 */
public record SimReport(SimConfig config, int stepsRun, Duration simulatedTime, Map<FaultKind, Long> faults,
                        Map<String, Long> operations, List<Violation> violations, List<String> trace) {

    /** Copies the collections. */
    public SimReport {
        Objects.requireNonNull(config, "config");
        faults = Map.copyOf(faults);
        operations = Map.copyOf(operations);
        violations = List.copyOf(violations);
        trace = List.copyOf(trace);
    }

    /** The seed that reproduces this run. */
    public long seed() {
        return config.seed();
    }

    /** Whether no invariant was broken. */
    public boolean passed() {
        return violations.isEmpty();
    }

    /** Faults injected in total. */
    public long faultCount() {
        return faults.values().stream().mapToLong(Long::longValue).sum();
    }

    /** A human summary: seed, outcome, violations, and the trace when it failed. */
    public String describe() {
        var sb = new StringBuilder();
        sb.append("seed ").append(seed()).append(": ").append(passed() ? "passed" : "FAILED").append(", ")
                .append(stepsRun).append(" steps, ").append(simulatedTime.toMillis()).append(" ms simulated, faults ")
                .append(new java.util.TreeMap<>(faults)).append(", fault kinds enabled ").append(config.faults());
        if (config.unsafeFencingOff()) {
            sb.append(", UNSAFE fencing off");
        }
        if (config.unsafeDedupOff()) {
            sb.append(", UNSAFE receipt dedup off");
        }
        sb.append('\n');
        violations.forEach(v -> sb.append("  violation: ").append(v).append('\n'));
        if (!passed()) {
            sb.append("  trace (").append(trace.size()).append(" lines):\n");
            trace.forEach(line -> sb.append("    ").append(line).append('\n'));
        }
        return sb.toString();
    }
}
