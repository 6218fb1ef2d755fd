package dev.profilestore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import dev.profilestore.spi.Messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The specification of {@link Messaging}, as tests: a message published on a channel reaches every subscriber of
 * that channel, in this process and in another server's instance, and no subscriber of any other channel; a closed
 * subscription receives nothing more; payloads arrive byte for byte.
 *
 * <p>A backend's test subclasses this class and implements {@link #createMessaging()}. Each test makes two
 * instances, {@code local} and {@code remote}, standing for two servers on one transport; a transport that exists
 * only inside one instance (an in-process hub) returns the same hub both times.
 *
 * <p>Messaging is best effort, but over a healthy local transport every message must arrive; the tests wait for
 * them with Awaitility. Absence is checked after a later message on the same subscription has arrived, never by
 * sleeping.
 */
public abstract class MessagingContract {

    /** How long a message may take to arrive before a test fails. */
    protected static final Duration PATIENCE = Duration.ofSeconds(10);

    /** The publishing side. */
    protected Messaging local;
    /** Another server's instance on the same transport. */
    protected Messaging remote;
    /** A channel name no other test uses. */
    protected String channel;

    /** Creates an instance connected to the transport under test; called twice per test, closed after it. */
    protected abstract Messaging createMessaging() throws Exception;

    @BeforeEach
    final void openMessaging() throws Exception {
        channel = "contract:" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        local = createMessaging();
        remote = createMessaging();
    }

    @AfterEach
    final void closeMessaging() {
        if (remote != null) {
            remote.close();
        }
        if (local != null) {
            local.close();
        }
    }

    /** Collects what a subscription receives, as UTF-8 strings. */
    protected static final class Inbox implements Consumer<byte[]> {
        private final Queue<byte[]> received = new ConcurrentLinkedQueue<>();

        @Override
        public void accept(byte[] payload) {
            received.add(payload);
        }

        /** The payloads received so far, as UTF-8 text. */
        public List<String> texts() {
            return received.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        }

        /** The payloads received so far. */
        public List<byte[]> payloads() {
            return new ArrayList<>(received);
        }

        /** Waits until {@code text} has arrived. */
        public void awaitText(String text) {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(2)).until(() -> texts().contains(text));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void publish_reachesASubscriberOfAnotherInstance() {
        Inbox inbox = new Inbox();
        remote.subscribe(channel, inbox);

        local.publish(channel, utf8("hello"));

        inbox.awaitText("hello");
        assertThat(inbox.texts()).containsExactly("hello");
    }

    @Test
    void publish_reachesASubscriberOfTheSameInstance() {
        Inbox inbox = new Inbox();
        local.subscribe(channel, inbox);

        local.publish(channel, utf8("to myself"));

        inbox.awaitText("to myself");
    }

    @Test
    void publish_reachesEverySubscriberOfTheChannel() {
        Inbox first = new Inbox();
        Inbox second = new Inbox();
        Inbox third = new Inbox();
        remote.subscribe(channel, first);
        remote.subscribe(channel, second);
        local.subscribe(channel, third);

        local.publish(channel, utf8("all of you"));

        first.awaitText("all of you");
        second.awaitText("all of you");
        third.awaitText("all of you");
    }

    @Test
    void publish_doesNotReachSubscribersOfOtherChannels() {
        String similar = channel + "0";
        Inbox mine = new Inbox();
        Inbox theirs = new Inbox();
        remote.subscribe(channel, mine);
        remote.subscribe(similar, theirs);

        local.publish(channel, utf8("for mine"));
        local.publish(similar, utf8("for theirs"));

        mine.awaitText("for mine");
        theirs.awaitText("for theirs");
        local.publish(channel, utf8("second for mine"));
        mine.awaitText("second for mine");
        assertThat(mine.texts()).containsExactlyInAnyOrder("for mine", "second for mine");
        assertThat(theirs.texts()).containsExactly("for theirs");
    }

    @Test
    void subscriptionClose_stopsDeliveryToThatListenerOnly() {
        Inbox closed = new Inbox();
        Inbox open = new Inbox();
        Messaging.Subscription subscription = remote.subscribe(channel, closed);
        remote.subscribe(channel, open);
        local.publish(channel, utf8("before"));
        closed.awaitText("before");
        open.awaitText("before");

        subscription.close();
        local.publish(channel, utf8("after"));
        local.publish(channel, utf8("after again"));

        open.awaitText("after");
        open.awaitText("after again");
        assertThat(closed.texts()).containsExactly("before");
    }

    @Test
    void subscriptionClose_twice_isHarmless() {
        Messaging.Subscription subscription = remote.subscribe(channel, new Inbox());

        subscription.close();

        assertThatCode(subscription::close).doesNotThrowAnyException();
    }

    @Test
    void resubscribe_afterClose_receivesAgain() {
        remote.subscribe(channel, new Inbox()).close();
        Inbox inbox = new Inbox();
        remote.subscribe(channel, inbox);

        local.publish(channel, utf8("again"));

        inbox.awaitText("again");
    }

    @Test
    void payload_binaryBytes_arriveExactly() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        Inbox inbox = new Inbox();
        remote.subscribe(channel, inbox);

        local.publish(channel, all);
        local.publish(channel, new byte[0]);

        await().atMost(PATIENCE).until(() -> inbox.payloads().size() == 2);
        assertThat(inbox.payloads()).anySatisfy(p -> assertThat(p).isEqualTo(all));
        assertThat(inbox.payloads()).anySatisfy(p -> assertThat(p).isEmpty());
    }

    @Test
    void payload_ofMaxPayloadBytes_arrivesExactly() {
        // The engine sends HANDED with its record whenever it fits maxPayload(): that size must really arrive.
        // (An in-process hub says "no limit"; a megabyte stands for it.)
        byte[] largest = new byte[Math.min(local.maxPayload(), 1 << 20)];
        ThreadLocalRandom.current().nextBytes(largest);
        Inbox inbox = new Inbox();
        remote.subscribe(channel, inbox);

        local.publish(channel, largest);

        await().atMost(PATIENCE).until(() -> !inbox.payloads().isEmpty());
        assertThat(inbox.payloads().getFirst()).isEqualTo(largest);
        assertThat(remote.maxPayload()).isEqualTo(local.maxPayload());
    }

    @Test
    void channelName_longAndUnicode_isDelivered() {
        String odd = channel + ":玩家/🎮 with spaces and \"quotes\";" + "x".repeat(200);
        Inbox inbox = new Inbox();
        remote.subscribe(odd, inbox);

        local.publish(odd, utf8("odd channel"));

        inbox.awaitText("odd channel");
    }

    @Test
    void publish_manyMessages_allArrive() {
        Inbox inbox = new Inbox();
        remote.subscribe(channel, inbox);
        List<String> sent = IntStream.range(0, 50).mapToObj(i -> "message " + i).toList();

        sent.forEach(m -> local.publish(channel, utf8(m)));

        await().atMost(PATIENCE).until(() -> inbox.texts().size() >= sent.size());
        assertThat(inbox.texts()).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void publish_withoutSubscribers_orAfterClose_doesNotThrow() {
        assertThatCode(() -> local.publish(channel, utf8("nobody listens"))).doesNotThrowAnyException();
        Messaging extra = createMessagingUnchecked();

        extra.close();

        assertThatCode(() -> extra.publish(channel, utf8("closed"))).doesNotThrowAnyException();
    }

    private Messaging createMessagingUnchecked() {
        try {
            return createMessaging();
        } catch (Exception e) {
            throw new AssertionError("createMessaging failed", e);
        }
    }
}
