package dev.profilestore.migration;

import java.time.Duration;
import java.util.List;

/**
 * What {@link Migration#verify()} found by reading both sides.
 *
 * @param compared profiles compared (those of the source, and those only on the target)
 * @param differences every difference found: a profile missing on either side, a record whose bytes differ (its
 *     data, lock, metadata or pending messages), saved versions that differ in number, save time, content or pin,
 *     a user id the target's index does not find
 * @param elapsed how long it took
 */
public record VerifyReport(long compared, List<ProfileProblem> differences, Duration elapsed) {

    /** Copies the list. */
    public VerifyReport {
        differences = List.copyOf(differences);
    }

    /** Whether both sides hold the same profiles. */
    public boolean identical() {
        return differences.isEmpty();
    }
}
