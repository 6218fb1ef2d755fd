package dev.profilestore.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.ForwardingMessaging;
import dev.profilestore.spi.Messaging;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On a transport that polls, a requester that asked by message reads the record every third of the transport's
 * delivery delay until its first fallback poll, and begins on the hand-over it finds there. The HANDED notice is
 * lost in both cases, and the clock only moves when the test moves it, so the time the requester begins at says
 * which read found the hand-over.
 */
class PolledMessagingPeekTest {

    /** The document. */
    public static final class Doc {
        public int value;
    }

    /** A view of the hub that reports a delivery delay and loses every HANDED notice. */
    static final class Polled extends ForwardingMessaging {
        private final Duration deliveryDelay;

        Polled(InMemoryMessaging hub, Duration deliveryDelay) {
            super(hub);
            this.deliveryDelay = deliveryDelay;
        }

        @Override
        public void publish(String channel, byte[] payload) {
            ControlMessage m = ControlMessage.decode(payload);
            if (m == null || m.kind() != ControlMessage.Kind.HANDED) {
                delegate.publish(channel, payload);
            }
        }

        @Override
        public Duration deliveryDelay() {
            return deliveryDelay;
        }

        @Override
        public void close() {
            // the hub outlives each server's view
        }
    }

    private static final Duration POLL_INITIAL = Duration.ofMillis(100);

    @Test
    void aRequesterOnA15msPolledTransport_findsTheHandOverInTheRecordAfter5ms() throws Exception {
        var clock = new ManualScheduler();
        var handoff = handOffWithHandedLost(clock, Duration.ofMillis(15));
        try (handoff.a; handoff.b) {
            clock.advance(Duration.ofMillis(5));

            assertThat(handoff.startB).succeedsWithin(Duration.ofSeconds(10))
                    .satisfies(s -> assertThat(s.isStarted()).isTrue());
            assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(5));
        }
    }

    @Test
    void aRequesterOnAPushedTransport_doesNotRead_andFindsTheHandOverAtItsFallbackPoll() throws Exception {
        var clock = new ManualScheduler();
        var handoff = handOffWithHandedLost(clock, Duration.ZERO);
        try (handoff.a; handoff.b) {
            clock.advance(Duration.ofMillis(5));

            assertThat(clock.nextDue()).as("the requester's next look is its fallback poll")
                    .isEqualTo(POLL_INITIAL.minusMillis(5));
            assertThat(handoff.startB).isNotDone();
            clock.advance(POLL_INITIAL.minusMillis(5));
            assertThat(handoff.startB).succeedsWithin(Duration.ofSeconds(10))
                    .satisfies(s -> assertThat(s.isStarted()).isTrue());
        }
    }

    @Test
    void peekEvery_isAThirdOfTheDelay_whenThatIsAtLeast2ms_andComesBeforeTheFirstPoll() {
        var hub = new InMemoryMessaging();
        assertThat(SessionStarter.peekEvery(null, POLL_INITIAL)).isZero();
        assertThat(SessionStarter.peekEvery(hub, POLL_INITIAL)).isZero();
        assertThat(SessionStarter.peekEvery(new Polled(hub, Duration.ofMillis(15)), POLL_INITIAL))
                .isEqualTo(Duration.ofMillis(5));
        assertThat(SessionStarter.peekEvery(new Polled(hub, Duration.ofMillis(6)), POLL_INITIAL))
                .isEqualTo(Duration.ofMillis(2));
        assertThat(SessionStarter.peekEvery(new Polled(hub, Duration.ofMillis(2)), POLL_INITIAL)).isZero();
        assertThat(SessionStarter.peekEvery(new Polled(hub, Duration.ofMillis(300)), POLL_INITIAL)).isZero();
        assertThat(SessionStarter.peekEvery(new Polled(hub, Duration.ofMillis(-1)), POLL_INITIAL)).isZero();
    }

    private record Handoff(ProfileStore<Doc> a, ProfileStore<Doc> b, CompletableFuture<SessionStart<Doc>> startB) {}

    /**
     * A holds the profile; B asks for it; A's last save hands the lock to B in the record and its HANDED notice is
     * lost. Returns once the record names B as the holder and B waits on a timer.
     */
    private static Handoff handOffWithHandedLost(ManualScheduler clock, Duration deliveryDelay) throws Exception {
        var shared = new InMemoryStorage(clock, 10);
        var hub = new InMemoryMessaging();
        ProfileStore<Doc> a = server("a", shared, new Polled(hub, deliveryDelay), clock);
        ProfileStore<Doc> b = server("b", shared, new Polled(hub, deliveryDelay), clock);
        Profile<Doc> held = a.startSessionAsync("k", SessionOptions.defaults()).get(10, TimeUnit.SECONDS).orElseThrow();

        CompletableFuture<SessionStart<Doc>> startB = b.startSessionAsync("k", SessionOptions.defaults());
        await().atMost(Duration.ofSeconds(10)).until(() -> !held.isActive() && lockHolder(shared).equals("b"));
        await().atMost(Duration.ofSeconds(10)).until(() -> clock.nextDue() != null
                && clock.nextDue().compareTo(POLL_INITIAL) <= 0);
        assertThat(startB).as("the notice was lost and the clock has not moved").isNotDone();
        return new Handoff(a, b, startB);
    }

    private static String lockHolder(InMemoryStorage storage) throws Exception {
        JsonNode meta = new ObjectMapper().readTree(storage.read("Docs", "k").orElseThrow().payload()).path("meta");
        return meta.path("lock").path("serverId").asText("");
    }

    private static ProfileStore<Doc> server(String id, InMemoryStorage storage, Messaging messaging,
                                            ManualScheduler clock) {
        return ProfileStore.builder("Docs", Doc.class, Doc::new)
                .storage(storage)
                .messaging(messaging)
                .serverId(id)
                .scheduler(clock)
                .pollInterval(POLL_INITIAL, Duration.ofSeconds(2))
                .build();
    }
}
