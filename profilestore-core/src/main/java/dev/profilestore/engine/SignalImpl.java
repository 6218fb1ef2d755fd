package dev.profilestore.engine;

import dev.profilestore.Signal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A signal whose listeners run in connection order on the caller's thread (the event loop). */
final class SignalImpl<A> implements Signal<A> {

    private static final Logger log = LoggerFactory.getLogger(SignalImpl.class);

    private final String name;
    private final CopyOnWriteArrayList<Consumer<? super A>> listeners = new CopyOnWriteArrayList<>();

    SignalImpl(String name) {
        this.name = name;
    }

    @Override
    public Connection connect(Consumer<? super A> listener) {
        // A wrapper per connection, so the same listener connected twice is removed once per disconnect.
        Consumer<? super A> entry = listener::accept;
        listeners.add(entry);
        return () -> listeners.remove(entry);
    }

    void fire(A argument) {
        for (Consumer<? super A> listener : listeners) {
            try {
                listener.accept(argument);
            } catch (Throwable t) {
                log.error("a {} listener threw; the other listeners still run", name, t);
            }
        }
    }

    boolean hasListeners() {
        return !listeners.isEmpty();
    }
}
