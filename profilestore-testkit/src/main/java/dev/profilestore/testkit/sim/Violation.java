package dev.profilestore.testkit.sim;

import java.util.Objects;

/**
 * A broken invariant.
 *
 * @param invariant which property
 * @param step the workload step after which it was found ({@code -1}: in the end-of-run checks)
 * @param detail what was seen, for people
 */
public record Violation(Invariant invariant, int step, String detail) {

    /** Validates the fields. */
    public Violation {
        Objects.requireNonNull(invariant, "invariant");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return invariant + " at " + (step < 0 ? "end" : "step " + step) + ": " + detail;
    }
}
