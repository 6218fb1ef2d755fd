package dev.profilestore.redis;

import dev.profilestore.spi.Messaging;
import io.lettuce.core.KillArgs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Redis pub/sub messaging against a real redis-server. */
// try-with-resources only to close subscriptions and servers at the end of each test
@SuppressWarnings("try")
class RedisMessagingTest {

    private static TestRedis redis;
    private static RedisBackend serverA;
    private static RedisBackend serverB;

    private String channel;

    @BeforeAll
    static void startRedis() {
        redis = TestRedis.ephemeral();
        serverA = RedisBackend.open(redis.uri());
        serverB = RedisBackend.open(redis.uri());
    }

    @AfterAll
    static void stopRedis() {
        serverA.close();
        serverB.close();
        redis.close();
    }

    @BeforeEach
    void channelPerTest(TestInfo test) {
        channel = "ch-" + test.getTestMethod().orElseThrow().getName();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> texts(List<byte[]> messages) {
        return messages.stream().map(m -> new String(m, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aMessagePublishedByOneServerReachesASubscriberOnAnotherByteForByte() {
        List<byte[]> got = new CopyOnWriteArrayList<>();
        try (Messaging.Subscription s = serverB.messaging().subscribe(channel, got::add)) {
            byte[] payload = new byte[256];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) i;
            }
            serverA.messaging().publish(channel, payload);
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
            assertThat(got.get(0)).isEqualTo(payload);
        }
    }

    @Test
    void messagesArriveInPublishOrder() {
        List<byte[]> got = new CopyOnWriteArrayList<>();
        try (Messaging.Subscription s = serverB.messaging().subscribe(channel, got::add)) {
            for (int i = 0; i < 50; i++) {
                serverA.messaging().publish(channel, bytes("m" + i));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 50);
            assertThat(texts(got)).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50)
                    .mapToObj(i -> "m" + i).toList());
        }
    }

    @Test
    void subscribersHearOnlyTheirOwnChannel() {
        List<byte[]> onA = new CopyOnWriteArrayList<>();
        List<byte[]> onB = new CopyOnWriteArrayList<>();
        try (var a = serverB.messaging().subscribe(channel + "-a", onA::add);
                var b = serverB.messaging().subscribe(channel + "-b", onB::add)) {
            serverA.messaging().publish(channel + "-a", bytes("for a"));
            serverA.messaging().publish(channel + "-b", bytes("for b"));
            // Redis delivers in publish order over one connection, so once b has its message, a had its chance.
            await().atMost(Duration.ofSeconds(5)).until(() -> onB.size() == 1 && onA.size() == 1);
            assertThat(texts(onA)).containsExactly("for a");
            assertThat(texts(onB)).containsExactly("for b");
        }
    }

    @Test
    void everyListenerOfAChannelGetsEachMessageAndClosingOneLeavesTheOthers() {
        List<byte[]> first = new CopyOnWriteArrayList<>();
        List<byte[]> second = new CopyOnWriteArrayList<>();
        Messaging.Subscription s1 = serverB.messaging().subscribe(channel, first::add);
        try (Messaging.Subscription s2 = serverB.messaging().subscribe(channel, second::add)) {
            serverA.messaging().publish(channel, bytes("one"));
            await().atMost(Duration.ofSeconds(5)).until(() -> first.size() == 1 && second.size() == 1);
            s1.close();
            s1.close();
            serverA.messaging().publish(channel, bytes("two"));
            await().atMost(Duration.ofSeconds(5)).until(() -> second.size() == 2);
            assertThat(texts(first)).containsExactly("one");
        }
    }

    @Test
    void afterTheLastSubscriptionClosesNoMoreMessagesAreDelivered() {
        List<byte[]> got = new CopyOnWriteArrayList<>();
        List<byte[]> marker = new CopyOnWriteArrayList<>();
        Messaging.Subscription s = serverB.messaging().subscribe(channel, got::add);
        serverA.messaging().publish(channel, bytes("before"));
        await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
        s.close();
        try (var m = serverB.messaging().subscribe(channel + "-marker", marker::add)) {
            serverA.messaging().publish(channel, bytes("after"));
            serverA.messaging().publish(channel + "-marker", bytes("done"));
            // Delivery is in order on one thread: had "after" been delivered, it would be there by now.
            await().atMost(Duration.ofSeconds(5)).until(() -> marker.size() == 1);
            assertThat(texts(got)).containsExactly("before");
        }
    }

    @Test
    void aListenerThatThrowsDoesNotStopDeliveryToOthers() {
        List<byte[]> got = new CopyOnWriteArrayList<>();
        try (var bad = serverB.messaging().subscribe(channel, m -> {
            throw new IllegalStateException("listener bug (expected by the test)");
        }); var good = serverB.messaging().subscribe(channel, got::add)) {
            serverA.messaging().publish(channel, bytes("1"));
            serverA.messaging().publish(channel, bytes("2"));
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
        }
    }

    @Test
    void namespacesIsolateApplicationsSharingOneRedis() {
        List<byte[]> other = new CopyOnWriteArrayList<>();
        List<byte[]> mine = new CopyOnWriteArrayList<>();
        try (RedisMessaging otherApp = RedisMessaging.connect(redis.uri(), RedisOptions.defaults().withNamespace("otherapp"));
                var o = otherApp.subscribe(channel, other::add);
                var m = serverB.messaging().subscribe(channel, mine::add)) {
            serverA.messaging().publish(channel, bytes("for profilestore"));
            await().atMost(Duration.ofSeconds(5)).until(() -> mine.size() == 1);
            otherApp.publish(channel, bytes("for otherapp"));
            await().atMost(Duration.ofSeconds(5)).until(() -> other.size() == 1);
            assertThat(texts(other)).containsExactly("for otherapp");
            assertThat(texts(mine)).containsExactly("for profilestore");
        }
    }

    @Test
    void subscriptionsComeBackAfterRedisKillsThePubSubConnection() {
        List<byte[]> got = new CopyOnWriteArrayList<>();
        try (RedisMessaging messaging = RedisMessaging.connect(redis.uri());
                var s = messaging.subscribe(channel, got::add)) {
            messaging.publish(channel, bytes("before"));
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);

            Long killed = redis.admin().clientKill(KillArgs.Builder.typePubsub());
            assertThat(killed).as("pub/sub connections killed").isPositive();

            // Messages published while the connection is down are lost (pub/sub is a hint); keep
            // publishing until one arrives over the re-established subscription.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
                messaging.publish(channel, bytes("after"));
                return texts(got).contains("after");
            });
            assertThat(redis.admin().pubsubNumsub("profilestore:ch:" + channel).values()).containsExactly(1L);
        }
    }

    @Test
    void subscribingAfterCloseFailsAndPublishingAfterCloseIsIgnored() {
        RedisMessaging messaging = RedisMessaging.connect(redis.uri());
        messaging.close();
        messaging.close();
        messaging.publish(channel, bytes("ignored"));
        assertThatThrownBy(() -> messaging.subscribe(channel, m -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void malformedUrisAreRejectedNamingTheProblemWithoutThePassword() {
        assertThatThrownBy(() -> RedisMessaging.connect("http://user:hunter2@localhost:6379"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a Redis URI")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> RedisBackend.open("redis://"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed Redis URI");
    }
}
