package dev.profilestore.testkit.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each new invariant trips under a deliberate breakage ({@link SimConfig.Mutation}), as fencing-off and
 * dedup-off do for the older ones; and the same config without the breakage passes, so it is the
 * breakage that is caught. No faults are injected, so none of the open engine defects is in play.
 */
class SimulationMutationTest {

    private static final SimConfig QUIET = SimConfig.defaults(0, 300).withFaults(FaultMix.none());

    private static SimReport firstFailing(SimConfig config, Invariant invariant, int seeds) {
        for (int seed = 1; seed <= seeds; seed++) {
            SimReport r = Simulation.run(config.withSeed(seed));
            if (r.violations().stream().anyMatch(v -> v.invariant() == invariant)) {
                System.out.println("mutation " + config.mutations() + " caught as " + invariant + " at seed " + seed + ": "
                        + r.violations().get(0));
                return r;
            }
        }
        return null;
    }

    private static void passes(SimConfig config) {
        SimReport r = Simulation.run(config);
        assertThat(r.passed()).as("without the mutation (seed " + config.seed() + "):\n" + r.describe()).isTrue();
    }

    @Test
    void revisionsResetOnRemove_isCaughtAs_EPOCH_REPEATED() {
        // A storage without a revision floor: removal restarts the revisions, so epochs (taken from them) repeat.
        SimConfig config = QUIET.withWorkload(Workload.full().with(Workload.Feature.REMOVE))
                .withMutation(SimConfig.Mutation.REVISIONS_RESET_ON_REMOVE);
        SimReport r = firstFailing(config, Invariant.EPOCH_REPEATED, 5);
        assertThat(r).as("EPOCH_REPEATED within 5 seeds").isNotNull();
        assertThat(r.violations()).anyMatch(v -> v.invariant() == Invariant.EPOCH_REPEATED
                && v.detail().contains("the storage wrote revision"));
    }

    @Test
    void aSaveAcknowledgedButNotWritten_isCaughtAs_ACKED_NOT_DURABLE() {
        Workload full = Workload.full().with(Workload.Feature.ACK_FUTURES);
        // No trades: without onAfterSave the checker cannot see a trade's saves, and ECONOMY would trip first.
        SimConfig config = QUIET.withWorkload(new Workload(false, full.strictGifts(), full.features()));
        passes(config.withSeed(1));
        // Only saveAsync acknowledges here: the same save's onAfterSave would trip ACKED_SAVE_LOST first otherwise.
        SimReport r = firstFailing(config.withMutation(SimConfig.Mutation.ACK_WITHOUT_WRITE).withMutation(SimConfig.Mutation.NO_ON_AFTER_SAVE),
                Invariant.ACKED_NOT_DURABLE, 10);
        assertThat(r).as("ACKED_NOT_DURABLE within 10 seeds").isNotNull();
    }

    @Test
    void aSaveAcknowledgedButNotWritten_isCaughtAs_ACKED_SAVE_LOST_throughOnAfterSave() {
        SimConfig config = QUIET.withWorkload(Workload.full());
        passes(config.withSeed(1));
        SimReport r = firstFailing(config.withMutation(SimConfig.Mutation.ACK_WITHOUT_WRITE), Invariant.ACKED_SAVE_LOST, 5);
        assertThat(r).as("ACKED_SAVE_LOST within 5 seeds").isNotNull();
    }

    @Test
    void storeCallsThatNeverReturn_withoutAStorageTimeout_areCaughtAs_PENDING_FOREVER() {
        SimConfig config = QUIET.withWorkload(Workload.full());
        passes(config.withSeed(1));
        SimReport r = firstFailing(config.withMutation(SimConfig.Mutation.CALLS_NEVER_RETURN), Invariant.PENDING_FOREVER, 5);
        assertThat(r).as("PENDING_FOREVER within 5 seeds").isNotNull();
    }

    @Test
    void storeCallsThatNeverReturn_withoutAStorageTimeout_areCaughtAs_CLOSE_HUNG() {
        // The run ends a few steps after the calls hang, before any operation's own deadline: the close is what hangs.
        SimConfig config = QUIET.withWorkload(Workload.full()).withSteps(45);
        passes(config.withSeed(1));
        SimReport r = firstFailing(config.withMutation(SimConfig.Mutation.CALLS_NEVER_RETURN), Invariant.CLOSE_HUNG, 5);
        assertThat(r).as("CLOSE_HUNG within 5 seeds").isNotNull();
    }

    @Test
    void aRecordOfANewerLibraryTakenForForeign_isCaughtAs_NEWER_FORMAT_REPLACED() {
        SimConfig config = QUIET.withWorkload(Workload.full().with(Workload.Feature.NEWER_FORMAT_RECORD));
        passes(config.withSeed(1));
        SimReport r = firstFailing(config.withMutation(SimConfig.Mutation.NEWER_FORMAT_READ_AS_FOREIGN),
                Invariant.NEWER_FORMAT_REPLACED, 5);
        assertThat(r).as("NEWER_FORMAT_REPLACED within 5 seeds").isNotNull();
    }
}
