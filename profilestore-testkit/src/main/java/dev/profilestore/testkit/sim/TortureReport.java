package dev.profilestore.testkit.sim;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a batch of seeds did and found, for people and for {@code --json}.
 *
 * @param template the config every seed ran with (its seed field is ignored)
 * @param firstSeed the first seed; the batch ran {@code firstSeed .. firstSeed + seedsRun - 1}
 * @param seedsRun seeds run
 * @param stepsRun workload steps, summed over seeds
 * @param simulatedTime simulated time, summed over seeds
 * @param faults faults injected, by kind, summed over seeds
 * @param violations violations found, by invariant, summed over seeds
 * @param failedSeeds the seeds that failed, in order
 * @param failures the first few failing runs, each shrunk to the shortest failing run found
 * @param elapsed wall-clock time the batch took
 */
public record TortureReport(SimConfig template, long firstSeed, int seedsRun, long stepsRun, Duration simulatedTime,
                            Map<FaultKind, Long> faults, Map<Invariant, Long> violations, List<Long> failedSeeds,
                            List<SimReport> failures, Duration elapsed) {

    /** Copies the collections. */
    public TortureReport {
        Objects.requireNonNull(template, "template");
        faults = Map.copyOf(faults);
        violations = Map.copyOf(violations);
        failedSeeds = List.copyOf(failedSeeds);
        failures = List.copyOf(failures);
    }

    /** Whether every seed passed. */
    public boolean passed() {
        return failedSeeds.isEmpty();
    }

    /** Violations in total. */
    public long violationCount() {
        return violations.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Faults in total. */
    public long faultCount() {
        return faults.values().stream().mapToLong(Long::longValue).sum();
    }

    /** A human summary, with the shrunk traces of failures. */
    public String describe() {
        var sb = new StringBuilder();
        sb.append(seedsRun).append(" seeds from ").append(firstSeed).append(", ").append(stepsRun).append(" steps, ")
                .append(simulatedTime.toSeconds()).append(" s simulated in ").append(elapsed.toMillis()).append(" ms; ")
                .append(faultCount()).append(" faults ").append(new java.util.TreeMap<>(faults)).append("; ")
                .append(violationCount()).append(" violations ").append(new java.util.TreeMap<>(violations))
                .append("; failed seeds ").append(failedSeeds).append('\n');
        failures.forEach(f -> sb.append(f.describe()));
        return sb.toString();
    }
}
