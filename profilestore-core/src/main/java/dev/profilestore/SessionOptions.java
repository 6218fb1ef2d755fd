package dev.profilestore;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * How {@link ProfileStore#startSessionAsync(String, SessionOptions)} behaves.
 *
 * @param cancel polled while the start waits; once it returns true the start gives up with
 *     {@link SessionStart.Reason#CANCELLED} (for example: the player left). It must be cheap and free
 *     of side effects. While a cancel condition is given, the start never times out on its own.
 * @param steal take the lock at once without asking the holder (debugging and recovery only: the
 *     holder's unsaved changes are lost)
 * @param timeout how long a start may spend failing to reach the store before it gives up with
 *     {@link SessionStart.Reason#TIMED_OUT}; null for the store's default
 */
public record SessionOptions(BooleanSupplier cancel, boolean steal, Duration timeout) {

    private static final BooleanSupplier NEVER = () -> false;

    /** Validates the fields. */
    public SessionOptions {
        Objects.requireNonNull(cancel, "cancel");
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    /** No cancel condition, no steal, the store's default timeout. */
    public static SessionOptions defaults() {
        return new SessionOptions(NEVER, false, null);
    }

    /** Gives up once {@code cancel} returns true. */
    public static SessionOptions cancelWhen(BooleanSupplier cancel) {
        return new SessionOptions(cancel, false, null);
    }

    /** Takes the lock without asking the holder. */
    public static SessionOptions stealing() {
        return new SessionOptions(NEVER, true, null);
    }

    /** These options with a cancel condition. */
    public SessionOptions withCancel(BooleanSupplier cancel) {
        return new SessionOptions(cancel, steal, timeout);
    }

    /** These options with a start timeout. */
    public SessionOptions withTimeout(Duration timeout) {
        return new SessionOptions(cancel, steal, timeout);
    }

    /** Whether a cancel condition other than "never" was given. */
    public boolean hasCancel() {
        return cancel != NEVER;
    }
}
