package dev.profilestore.testkit.sim;

/**
 * The fault mix in force: the run's configured mix while the workload runs, none once the run heals
 * for its end checks. Every component reads it through here, so healing is one assignment.
 */
final class Faults {

    private FaultMix mix;

    Faults(FaultMix mix) {
        this.mix = mix;
    }

    double p(FaultKind kind) {
        return mix.p(kind);
    }

    void heal() {
        mix = FaultMix.none();
    }
}
