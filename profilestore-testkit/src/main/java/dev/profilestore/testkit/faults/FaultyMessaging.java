package dev.profilestore.testkit.faults;

import dev.profilestore.spi.ForwardingMessaging;
import dev.profilestore.spi.Messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** One server's view of a shared message hub, with lost and late messages on demand. */
public final class FaultyMessaging extends ForwardingMessaging {

    public volatile boolean down;
    private final AtomicInteger dropNext = new AtomicInteger();
    public final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger delayNext = new AtomicInteger();
    private final List<Runnable> delayed = new ArrayList<>();

    public FaultyMessaging(Messaging delegate) {
        super(delegate);
    }

    /** Loses the next {@code count} messages this server publishes. */
    public void dropNext(int count) {
        dropNext.set(count);
    }

    /** Holds back the next {@code count} messages this server publishes until {@link #deliverDelayed}. */
    public void delayNext(int count) {
        delayNext.set(count);
    }

    /** Sends the messages held back by {@link #delayNext}, in the order they were published. */
    public void deliverDelayed() {
        List<Runnable> due;
        synchronized (delayed) {
            due = List.copyOf(delayed);
            delayed.clear();
        }
        due.forEach(Runnable::run);
    }

    @Override
    public void publish(String channel, byte[] payload) {
        if (down || dropNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            dropped.incrementAndGet();
            return;
        }
        if (delayNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            synchronized (delayed) {
                delayed.add(() -> delegate.publish(channel, payload));
            }
            return;
        }
        delegate.publish(channel, payload);
    }

    @Override
    public Subscription subscribe(String channel, Consumer<byte[]> listener) {
        return delegate.subscribe(channel, payload -> {
            if (!down) {
                listener.accept(payload);
            }
        });
    }

    @Override
    public void close() {
        // The shared hub outlives each server's view.
    }
}
