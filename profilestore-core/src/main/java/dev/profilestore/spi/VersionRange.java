package dev.profilestore.spi;

import java.time.Instant;

/**
 * Which saved versions to list.
 *
 * @param from earliest save time, inclusive; null for no bound
 * @param to latest save time, inclusive; null for no bound
 * @param newestFirst the order
 * @param limit the most to return, positive
 */
public record VersionRange(Instant from, Instant to, boolean newestFirst, int limit) {

    /** Validates the fields. */
    public VersionRange {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        if (from != null && to != null && from.isAfter(to)) {
            throw new IllegalArgumentException("from " + from + " is after to " + to);
        }
    }

    /** Every version, oldest first, up to {@code limit}. */
    public static VersionRange all(int limit) {
        return new VersionRange(null, null, false, limit);
    }

    /** Whether {@code t} lies within the range. */
    public boolean contains(Instant t) {
        return (from == null || !t.isBefore(from)) && (to == null || !t.isAfter(to));
    }
}
