package dev.profilestore.engine;

import java.util.ArrayDeque;

/**
 * Counts store errors in a rolling window: the original's critical state, with the same rule. Enter at
 * {@code threshold} errors within the window; leave {@code expire} after the count last stood at the
 * threshold. Used only on the event loop.
 */
final class CriticalState {

    private final int threshold;
    private final long windowNanos;
    private final long expireNanos;
    private final ArrayDeque<Long> errors = new ArrayDeque<>();
    private boolean critical;
    private long lastAtThreshold;

    CriticalState(int threshold, long windowNanos, long expireNanos) {
        this.threshold = threshold;
        this.windowNanos = windowNanos;
        this.expireNanos = expireNanos;
    }

    /** Records an error; returns the new state if it changed, else null. */
    Boolean recordError(long now) {
        errors.add(now);
        return update(now);
    }

    /** Re-evaluates with time passing; returns the new state if it changed, else null. */
    Boolean update(long now) {
        while (!errors.isEmpty() && now - errors.peekFirst() > windowNanos) {
            errors.pollFirst();
        }
        if (errors.size() >= threshold) {
            lastAtThreshold = now;
            if (!critical) {
                critical = true;
                return Boolean.TRUE;
            }
        } else if (critical && now - lastAtThreshold > expireNanos) {
            critical = false;
            return Boolean.FALSE;
        }
        return null;
    }

    boolean isCritical() {
        return critical;
    }
}
