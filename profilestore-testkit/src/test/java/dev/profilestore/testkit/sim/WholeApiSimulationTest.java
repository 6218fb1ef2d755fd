package dev.profilestore.testkit.sim;

import dev.profilestore.testkit.sim.Workload.Feature;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator on the whole public API ({@link Workload#wholeApi()}).
 *
 * <p>Until the engine fixes of issue 9 are merged, the current engine breaks invariants through known
 * defects (docs/reliability.md, "Known engine defects"); the default test here asserts that whatever a
 * whole-API run finds is one of those, narrowed feature by feature. The tests tagged
 * {@value #AFTER_ENGINE_FIXES} demand no violation at all: they are excluded from {@code ./mvnw verify}
 * until the fixes land; run them with {@code -Dsim.excludedGroups=none} (or {@code -Dgroups=after-engine-fixes}
 * with that), and drop the exclusion in profilestore-testkit/pom.xml once they pass.
 */
class WholeApiSimulationTest {

    static final String AFTER_ENGINE_FIXES = "after-engine-fixes";

    /** The whole-API CI config: every feature, every fault. */
    static final SimConfig WHOLE = SimConfig.defaults(0, 400).withWorkload(Workload.wholeApi());

    /**
     * What each feature, alone with {@link Feature#ACK_FUTURES}, may break on the current engine, and through
     * which known defect (numbered as in issue 9 and docs/reliability.md).
     */
    static final Map<Feature, Set<Invariant>> KNOWN = new EnumMap<>(Feature.class);

    static {
        // (1) a save or end acknowledged after the session was lost or ending; the commit put-back wiping changes.
        Set<Invariant> ackDefects = EnumSet.of(Invariant.ACKED_NOT_DURABLE);
        for (Feature f : Feature.values()) {
            KNOWN.put(f, EnumSet.copyOf(ackDefects));
        }
        // (3) the epoch goes back after removal, import and replacement of a record.
        for (Feature f : EnumSet.of(Feature.REMOVE, Feature.IMPORT, Feature.FOREIGN_RECORD, Feature.CORRUPT_RECORD,
                Feature.ROLLBACK, Feature.VIEW_OVERWRITE, Feature.OPERATOR_RELEASE)) {
            KNOWN.get(f).add(Invariant.EPOCH_REPEATED);
        }
        // (2) JSON null data: the start never completes and close hangs.
        KNOWN.get(Feature.NULL_RECORD).addAll(EnumSet.of(Invariant.PENDING_FOREVER, Invariant.CLOSE_HUNG, Invariant.STUCK));
        // (4) a newer format's record replaced by the template.
        KNOWN.get(Feature.NEWER_FORMAT_RECORD).addAll(EnumSet.of(Invariant.NEWER_FORMAT_REPLACED, Invariant.EPOCH_REPEATED));
        // (5) oversize data: the lock stays after endSessionAsync failed; a profile saved just under the limit
        // cannot be started again (the acquiring write goes over), so its messages stay queued.
        KNOWN.get(Feature.DATA_NEAR_MAX).addAll(EnumSet.of(Invariant.STUCK, Invariant.MESSAGE_LOST, Invariant.RECEIPT_LOST));
    }

    private static Workload narrowed(Feature f) {
        return Workload.full().with(EnumSet.of(Feature.ACK_FUTURES, f));
    }

    @Test
    void eachFeatureAlone_breaksOnlyInvariantsOfTheKnownEngineDefects() {
        StringBuilder table = new StringBuilder();
        Map<Feature, Map<Invariant, Long>> unexpected = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            TortureReport r = Torture.run(WHOLE.withWorkload(narrowed(f)), 1, 8, 2, 0);
            table.append(String.format("  %-20s violations %s, failing seeds %s%n", f, r.violations(), r.failedSeeds()));
            r.violations().forEach((inv, n) -> {
                if (!KNOWN.get(f).contains(inv)) {
                    unexpected.computeIfAbsent(f, k -> new EnumMap<>(Invariant.class)).put(inv, n);
                }
            });
        }
        System.out.println("whole-API features on the current engine (seeds 1-8, 400 steps, every fault):\n" + table);
        assertThat(unexpected).as("violations no known engine defect explains:\n" + table).isEmpty();
    }

    @Test
    @Tag(AFTER_ENGINE_FIXES)
    void wholeApi_twoHundredSeeds_breakNoInvariant() {
        TortureReport report = Torture.run(WHOLE, 1, 200, 2, 3);
        System.out.println("whole-API run: " + report.describe());
        assertThat(report.faults().keySet()).containsAll(EnumSet.allOf(FaultKind.class));
        assertThat(report.failedSeeds()).as(report.describe()).isEmpty();
    }

    @Test
    @Tag(AFTER_ENGINE_FIXES)
    void eachFeatureAlone_breaksNoInvariant() {
        for (Feature f : Feature.values()) {
            TortureReport r = Torture.run(WHOLE.withWorkload(narrowed(f)), 1, 20, 2, 1);
            assertThat(r.failedSeeds()).as(f + ": " + r.describe()).isEmpty();
        }
    }
}
