package dev.profilestore.testkit.sim;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The deterministic simulator: several {@code ProfileStore} servers over one store, on one simulated
 * clock, driven by one seed. Store calls complete after random latencies on that clock, control
 * messages travel through it, and the faults of a {@link FaultMix} are injected along the way; a
 * checker holds every step to the product's properties ({@link Invariant}).
 *
 * <p>A run is single-threaded and reproducible: the same {@link SimConfig} with the in-memory store
 * makes the same choices and finds the same violations. Different runs share nothing, so seeds may
 * run in parallel (see {@link Torture}).
 *
 * <pre>{@code
 * SimReport report = Simulation.run(SimConfig.defaults(42, 300));
 * if (!report.passed()) {
 *     System.err.println(Simulation.shrink(report).describe());
 * }
 * }</pre>
 */
public final class Simulation {

    private static final Logger log = LoggerFactory.getLogger(Simulation.class);

    private Simulation() {
    }

    /** Runs one seed: the workload for {@code config.steps()} steps, then heals, drains and checks the end state. */
    public static SimReport run(SimConfig config) {
        return new SimRun(config).run();
    }

    /**
     * Looks for the shortest run that still breaks the invariant {@code failing} broke first: the same seed with fault kinds
     * turned off one at a time where the run still fails without them, then with the fewest steps.
     * Returns {@code failing} itself when it passed.
     *
     * @param maxRuns how many reruns the search may spend
     */
    public static SimReport shrink(SimReport failing, int maxRuns) {
        if (failing.passed()) {
            return failing;
        }
        Invariant target = failing.violations().get(0).invariant();
        SimReport best = failing;
        int runs = 0;
        // Fewer fault kinds first: the draws of the others stay where they were, so this often keeps the failure.
        List<FaultKind> kinds = new ArrayList<>(best.config().faults().probabilities().keySet());
        kinds.sort(null);
        for (FaultKind kind : kinds) {
            if (runs++ >= maxRuns) {
                break;
            }
            SimReport candidate = run(best.config().withFaults(best.config().faults().without(kind)));
            if (fails(candidate, target) && candidate.stepsRun() <= best.stepsRun()) {
                best = candidate;
            }
        }
        // Then fewer steps: the first step after which it failed, found by bisection, then walked down.
        int lo = 0;
        int hi = best.stepsRun();
        while (lo < hi && runs < maxRuns) {
            int mid = (lo + hi) / 2;
            runs++;
            SimReport candidate = run(best.config().withSteps(mid));
            if (fails(candidate, target)) {
                best = candidate;
                hi = Math.min(mid, candidate.stepsRun());
            } else {
                lo = mid + 1;
            }
        }
        log.debug("shrank seed {} to {} steps in {} reruns", failing.seed(), best.stepsRun(), runs);
        return best;
    }

    private static boolean fails(SimReport report, Invariant target) {
        return report.violations().stream().anyMatch(v -> v.invariant() == target);
    }

    /** {@link #shrink(SimReport, int)} with up to 40 reruns. */
    public static SimReport shrink(SimReport failing) {
        return shrink(failing, 40);
    }
}
