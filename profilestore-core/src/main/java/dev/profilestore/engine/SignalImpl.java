package dev.profilestore.engine;

import dev.profilestore.Signal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A signal whose listeners run in connection order on the caller's thread (the event loop).
 *
 * <p>Every loaded profile has four of these and most never get a listener, so the listeners are a plain array
 * replaced on each change (copy-on-write, as {@code CopyOnWriteArrayList} does) and shared while empty: an
 * unused signal costs its own object only, not a list, a lock and an array as well.
 */
final class SignalImpl<A> implements Signal<A> {

    private static final Logger log = LoggerFactory.getLogger(SignalImpl.class);
    private static final Consumer<?>[] NONE = new Consumer<?>[0];

    private final String name;
    private final SessionOwner owner;
    private volatile Consumer<?>[] listeners = NONE;

    SignalImpl(String name) {
        this(name, SessionOwner.LOOP);
    }

    /** A signal of a session whose listeners run as {@code owner}. */
    SignalImpl(String name, SessionOwner owner) {
        this.name = name;
        this.owner = owner;
    }

    @Override
    public Connection connect(Consumer<? super A> listener) {
        // A wrapper per connection, so the same listener connected twice is removed once per disconnect.
        Consumer<? super A> entry = listener::accept;
        synchronized (this) {
            Consumer<?>[] now = listeners;
            Consumer<?>[] more = Arrays.copyOf(now, now.length + 1);
            more[now.length] = entry;
            listeners = more;
        }
        return () -> disconnect(entry);
    }

    private synchronized void disconnect(Consumer<?> entry) {
        Consumer<?>[] now = listeners;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == entry) {
                Consumer<?>[] fewer = new Consumer<?>[now.length - 1];
                System.arraycopy(now, 0, fewer, 0, i);
                System.arraycopy(now, i + 1, fewer, i, now.length - i - 1);
                listeners = fewer.length == 0 ? NONE : fewer;
                return;
            }
        }
    }

    void fire(A argument) {
        if (owner == SessionOwner.LOOP) {
            fireHere(argument);
        } else if (listeners.length > 0) {
            owner.run(() -> fireHere(argument));
        }
    }

    @SuppressWarnings("unchecked")
    private void fireHere(A argument) {
        for (Consumer<?> any : listeners) {
            Consumer<? super A> listener = (Consumer<? super A>) any;
            try {
                listener.accept(argument);
            } catch (Throwable t) {
                log.error("a {} listener threw; the other listeners still run", name, t);
            }
        }
    }

    boolean hasListeners() {
        return listeners.length > 0;
    }
}
