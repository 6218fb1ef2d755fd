package dev.profilestore;

import java.util.function.Consumer;

/**
 * A multicast event. Listeners run on the store's callback executor, in the order they connected,
 * each to completion before the next; a listener that throws is logged and does not stop the others.
 *
 * @param <A> the event's argument
 */
public interface Signal<A> {

    /** Adds a listener; it stays until the returned connection is disconnected. */
    Connection connect(Consumer<? super A> listener);

    /** A listener's registration. */
    @FunctionalInterface
    interface Connection {
        /** Removes the listener; idempotent. */
        void disconnect();
    }
}
