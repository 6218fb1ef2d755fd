package dev.profilestore.engine;

import dev.profilestore.SessionStart;

import java.util.function.Supplier;

/** What the engine counts. Micrometer stays an optional dependency: it is only touched by {@link MicrometerMetrics}. */
interface Metrics {

    Metrics NONE = new Metrics() {};

    static Metrics create(Object meterRegistry, String store, Supplier<Number> active, Supplier<Number> critical) {
        return meterRegistry == null ? NONE : new MicrometerMetrics(meterRegistry, store, active, critical);
    }

    /** A start finished; {@code reason} is null when it started. */
    default void startFinished(SessionStart.Reason reason, long nanos) {}

    /** A start had to ask a live holder, and got the profile after {@code nanos}. */
    default void handoff(long nanos) {}

    /** A crashed holder's profile was taken over (lease ran out), or a live one's was stolen. */
    default void takeover(boolean stolen) {}

    default void saved(long nanos) {}

    default void saveFailed() {}

    default void saveSkipped() {}

    default void sessionLost() {}
}
