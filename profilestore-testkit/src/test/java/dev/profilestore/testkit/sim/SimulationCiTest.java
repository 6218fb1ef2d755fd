package dev.profilestore.testkit.sim;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator's CI run: a thousand seeds, every fault kind, every invariant held after every step.
 * Its figures go to the test output (target/surefire-reports) and, from the last run, to
 * docs/reliability.md. Reproduce one seed with {@code Simulation.run(CI.withSeed(seed))}.
 */
class SimulationCiTest {

    /** The CI config: three servers, six players, every fault, the workload clear of the open engine issues. */
    static final SimConfig CI = SimConfig.defaults(0, 1500).withWorkload(Workload.full());
    static final int SEEDS = 1000;

    @Test
    void aThousandSeeds_withEveryFaultKind_breakNoInvariant() {
        TortureReport report = Torture.run(CI, 1, SEEDS, 2, 3);
        System.out.println("simulator CI run: " + report.describe());

        assertThat(report.seedsRun()).isEqualTo(SEEDS);
        assertThat(report.faults().keySet()).as("every fault kind was injected").containsAll(EnumSet.allOf(FaultKind.class));
        assertThat(report.failedSeeds()).as(report.describe()).isEmpty();
    }
}
