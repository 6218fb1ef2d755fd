package dev.profilestore.testkit.sim;

import dev.profilestore.testkit.sim.Workload.Feature;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator on the whole public API ({@link Workload#wholeApi()}): every feature at once, then each
 * feature alone (with {@link Feature#ACK_FUTURES}), so a failure names the feature it comes from. No
 * invariant may break.
 */
class WholeApiSimulationTest {

    /** The whole-API CI config: every feature, every fault. */
    static final SimConfig WHOLE = SimConfig.defaults(0, 400).withWorkload(Workload.wholeApi());

    /** One feature alone, with every acknowledgement checked. */
    private static Workload narrowed(Feature f) {
        return Workload.full().with(EnumSet.of(Feature.ACK_FUTURES, f));
    }

    @Test
    void wholeApi_twoHundredSeeds_breakNoInvariant() {
        TortureReport report = Torture.run(WHOLE, 1, 200, 2, 3);
        System.out.println("whole-API run: " + report.describe());
        assertThat(report.faults().keySet()).containsAll(EnumSet.allOf(FaultKind.class));
        assertThat(report.failedSeeds()).as(report.describe()).isEmpty();
    }

    @Test
    void eachFeatureAlone_breaksNoInvariant() {
        for (Feature f : Feature.values()) {
            TortureReport r = Torture.run(WHOLE.withWorkload(narrowed(f)), 1, 20, 2, 1);
            assertThat(r.failedSeeds()).as(f + ": " + r.describe()).isEmpty();
        }
    }
}
