package dev.profilestore.testkit.sim;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The simulator itself: reproducible, shrinking, and with a checker that catches broken safety. */
class SimulationTest {

    private static final SimConfig BASE = SimulationCiTest.CI.withSteps(400);

    @Test
    void aSeed_replaysIdentically_traceAndAll() {
        SimReport first = Simulation.run(BASE.withSeed(7));
        SimReport again = Simulation.run(BASE.withSeed(7));
        assertThat(again.trace()).isEqualTo(first.trace());
        assertThat(again.faults()).isEqualTo(first.faults());
        assertThat(again.operations()).isEqualTo(first.operations());
        assertThat(again.simulatedTime()).isEqualTo(first.simulatedTime());
        assertThat(first.faultCount()).as("faults were injected").isPositive();
    }

    @Test
    void differentSeeds_makeDifferentRuns() {
        assertThat(Simulation.run(BASE.withSeed(1)).trace()).isNotEqualTo(Simulation.run(BASE.withSeed(2)).trace());
    }

    @Test
    void withoutFaults_everyWorkloadOperationRuns_andNothingIsInjected() {
        SimReport report = Simulation.run(SimConfig.defaults(3, 400).withFaults(FaultMix.none()));
        assertThat(report.passed()).as(report.describe()).isTrue();
        assertThat(report.faultCount()).isZero();
        assertThat(report.operations().keySet()).contains("join", "play", "buy", "resend", "gift", "trade", "leave", "save");
        assertThat(report.operations().keySet()).anyMatch(op -> op.startsWith("hop"));
    }

    @Test
    void withFencingOff_staleWritesLand_andTheCheckerFindsThemWithinAFewSeeds() {
        Found found = firstFailure(BASE.withUnsafeFencingOff(), 20);
        System.out.println("fencing off: " + found);
        assertThat(found.report()).as("a violation within 20 seeds").isNotNull();
        assertThat(found.report().violations().get(0).invariant())
                .isIn(Invariant.SINGLE_WRITER, Invariant.ACKED_SAVE_LOST, Invariant.MESSAGE_LOST, Invariant.RECEIPT_LOST);
    }

    @Test
    void withReceiptDedupOff_aResentReceiptIsGrantedTwice_andTheCheckerFindsItWithinAFewSeeds() {
        Found found = firstFailure(BASE.withUnsafeDedupOff(), 20);
        System.out.println("dedup off: " + found);
        assertThat(found.report()).as("a violation within 20 seeds").isNotNull();
        assertThat(found.report().violations().get(0).invariant()).isEqualTo(Invariant.RECEIPT_DUPLICATED);
    }

    @Test
    void shrinking_aFailure_keepsItsInvariant_withFewerStepsOrFaults() {
        Found found = firstFailure(BASE.withUnsafeFencingOff(), 20);
        SimReport shrunk = Simulation.shrink(found.report());
        System.out.println("shrunk: " + shrunk.describe());
        assertThat(shrunk.passed()).isFalse();
        // Shrinking keeps the invariant the failure broke first; in the shorter run another may break before it.
        assertThat(shrunk.violations()).extracting(Violation::invariant)
                .contains(found.report().violations().get(0).invariant());
        assertThat(shrunk.stepsRun()).isLessThanOrEqualTo(found.report().stepsRun());
        assertThat(shrunk.config().faults().probabilities().size())
                .isLessThanOrEqualTo(found.report().config().faults().probabilities().size());
        assertThat(shrunk.stepsRun() < found.report().stepsRun()
                || shrunk.config().faults().probabilities().size() < found.report().config().faults().probabilities().size())
                .as("something was shrunk").isTrue();
        assertThat(Simulation.run(shrunk.config()).violations()).as("the shrunk config reproduces").isNotEmpty();
    }

    @Test
    void torture_sumsUpSeeds_inOrder_whateverTheThreads() {
        TortureReport one = Torture.run(BASE.withSteps(100), 10, 8, 1, 0);
        TortureReport two = Torture.run(BASE.withSteps(100), 10, 8, 2, 0);
        assertThat(two.stepsRun()).isEqualTo(one.stepsRun()).isEqualTo(800);
        assertThat(two.faults()).isEqualTo(one.faults());
        assertThat(two.simulatedTime()).isEqualTo(one.simulatedTime());
        assertThat(one.passed()).as(one.describe()).isTrue();
    }

    @Test
    void configs_rejectNonsense() {
        assertThatThrownBy(() -> SimConfig.defaults(1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SimConfig.defaults(1, 1).withSize(0, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FaultMix.none().with(FaultKind.CRASH, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThat(FaultMix.all().without(Set.of(FaultKind.CRASH)).has(FaultKind.CRASH)).isFalse();
    }

    record Found(SimReport report, int seedsTried, long stepsTried, long millis) {
        @Override
        public String toString() {
            return report == null ? "nothing in " + seedsTried + " seeds"
                    : "seed " + report.seed() + " after " + seedsTried + " seeds, " + stepsTried + " steps, " + millis
                    + " ms: " + report.violations().get(0);
        }
    }

    static Found firstFailure(SimConfig config, int maxSeeds) {
        long started = System.nanoTime();
        long steps = 0;
        for (int seed = 1; seed <= maxSeeds; seed++) {
            SimReport r = Simulation.run(config.withSeed(seed));
            steps += r.stepsRun();
            if (!r.passed()) {
                return new Found(r, seed, steps, (System.nanoTime() - started) / 1_000_000);
            }
        }
        return new Found(null, maxSeeds, steps, (System.nanoTime() - started) / 1_000_000);
    }
}
