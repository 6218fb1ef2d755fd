package dev.profilestore.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A messaging that passes every call on to another: the base of decorators (fault injection, tracing, a wrapper
 * that does something on close), which override only what they change. It forwards the transport's facts too,
 * {@link #deliveryDelay()} and {@link #maxPayload()}: a decorator written against the interface alone reports the
 * defaults, and the engine would then treat a polled transport as one that pushes, or send a notice too big for it.
 * Thread-safe if the delegate is.
 */
public abstract class ForwardingMessaging implements Messaging {

    /** The messaging every call goes to. */
    protected final Messaging delegate;

    /** Forwards to {@code delegate}. */
    protected ForwardingMessaging(Messaging delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public void publish(String channel, byte[] payload) {
        delegate.publish(channel, payload);
    }

    @Override
    public Subscription subscribe(String channel, Consumer<byte[]> listener) {
        return delegate.subscribe(channel, listener);
    }

    @Override
    public Duration deliveryDelay() {
        return delegate.deliveryDelay();
    }

    @Override
    public int maxPayload() {
        return delegate.maxPayload();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
