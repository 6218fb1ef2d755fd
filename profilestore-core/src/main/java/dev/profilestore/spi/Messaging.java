package dev.profilestore.spi;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Best-effort publish/subscribe between servers, implemented once per transport.
 *
 * <p>The engine uses it only for hints: "please release this profile", "released", "a message is
 * waiting". Any of them may be lost, delayed, duplicated or reordered; the engine then falls back to
 * reading the store. An implementation must never block a caller for long: {@link #publish} should
 * hand the payload to a background connection and return.
 *
 * <p>Listeners may be called on any thread; the engine hops to its own executor at once.
 */
public interface Messaging extends AutoCloseable {

    /** Sends {@code payload} to every current subscriber of {@code channel}. Errors are logged, not thrown. */
    void publish(String channel, byte[] payload);

    /** Starts delivering messages on {@code channel} to {@code listener} until the subscription is closed. */
    Subscription subscribe(String channel, Consumer<byte[]> listener);

    /**
     * How long a message typically takes to arrive when nothing goes wrong: zero for a transport that pushes
     * (pub/sub, NOTIFY, a socket), its interval for one that polls. While a server waits for a reply that
     * arrives this late, it looks in the store itself on a shorter cadence: the record holds the answer before
     * the notice can be read.
     *
     * @return a non-negative duration; {@link Duration#ZERO} by default
     */
    default Duration deliveryDelay() {
        return Duration.ZERO;
    }

    /**
     * The largest payload {@link #publish} delivers; a larger one may be dropped. The engine sends a record
     * with its HANDED notice only when the notice fits, so the requester begins without reading it.
     *
     * @return 5,900 bytes by default: what PostgreSQL's {@code NOTIFY}, the tightest bundled transport, carries
     */
    default int maxPayload() {
        return 5_900;
    }

    /** Releases connections and threads. */
    @Override
    void close();

    /** An active subscription. */
    interface Subscription extends AutoCloseable {
        /** Stops delivery; idempotent. */
        @Override
        void close();
    }
}
