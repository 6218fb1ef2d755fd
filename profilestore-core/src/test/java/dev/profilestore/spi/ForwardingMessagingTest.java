package dev.profilestore.spi;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** A decorator that overrides nothing reports its transport's facts and passes every call through. */
class ForwardingMessagingTest {

    /** A polled transport with small messages, recording what it is asked. */
    static final class Transport implements Messaging {
        final List<String> calls = new ArrayList<>();

        @Override
        public void publish(String channel, byte[] payload) {
            calls.add("publish " + channel);
        }

        @Override
        public Subscription subscribe(String channel, Consumer<byte[]> listener) {
            calls.add("subscribe " + channel);
            return () -> calls.add("unsubscribe " + channel);
        }

        @Override
        public Duration deliveryDelay() {
            return Duration.ofMillis(15);
        }

        @Override
        public int maxPayload() {
            return 1_000;
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    @Test
    void aDecoratorOverridingNothing_reportsItsTransportsDelayAndLimit_andForwardsEveryCall() {
        var transport = new Transport();
        Messaging decorated = new ForwardingMessaging(transport) { };

        assertThat(decorated.deliveryDelay()).isEqualTo(Duration.ofMillis(15));
        assertThat(decorated.maxPayload()).isEqualTo(1_000);
        decorated.publish("c", new byte[0]);
        decorated.subscribe("c", payload -> { }).close();
        decorated.close();
        assertThat(transport.calls).containsExactly("publish c", "subscribe c", "unsubscribe c", "close");
    }
}
