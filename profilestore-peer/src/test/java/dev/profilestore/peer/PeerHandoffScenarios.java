package dev.profilestore.peer;

import static dev.profilestore.peer.PeerTesting.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.PlayerData;
import dev.profilestore.testkit.faults.FaultyStorage;

import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Live handoffs between two real-time stores whose messaging is {@link PeerMessaging} over a backend's own
 * messaging, on a real database: the handoff goes peer to peer; a peer that cannot be reached is served by the
 * fallback; a frame lost with its connection is made up for by the engine's poll; and a message a peer sends
 * cannot make a server write a record it did not read. Subclasses give the backend.
 */
abstract class PeerHandoffScenarios {

    private static final Duration STEP = Duration.ofSeconds(30);

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final String storeName = "Peer" + UUID.randomUUID().toString().substring(0, 8);

    /** A new storage instance (own connections) on the shared test server. */
    protected abstract Storage newStorage();

    /** A new instance of the backend's own messaging on the shared test server. */
    protected abstract Messaging newMessaging();

    /** One game server: a store over its own storage and peer messaging. */
    record Server(String id, ProfileStore<PlayerData> store, FaultyStorage storage, PeerMessaging peer) {
        Profile<PlayerData> start(String key) throws Exception {
            SessionStart<PlayerData> s = store.startSessionAsync(key, SessionOptions.defaults())
                    .get(STEP.toSeconds(), TimeUnit.SECONDS);
            assertThat(s.isStarted()).as("%s started %s: %s", id, key, s).isTrue();
            return s.orElseThrow();
        }
    }

    private Server server(String id, Duration firstPoll, UnaryOperator<PeerMessaging.Builder> peerSettings) {
        var storage = new FaultyStorage(newStorage());
        opened.add(storage);
        PeerMessaging peer = peerSettings.apply(PeerMessaging.over(newMessaging()).bind("127.0.0.1", 0).secret(SECRET))
                .build();
        opened.add(peer);
        ProfileStore<PlayerData> store = ProfileStore.builder(storeName, PlayerData.class, PlayerData::new)
                .storage(storage)
                .messaging(peer)
                .serverId(id)
                .pollInterval(firstPoll, firstPoll.multipliedBy(2))
                .build();
        opened.add(store);
        return new Server(id, store, storage, peer);
    }

    private Server server(String id, Duration firstPoll) {
        return server(id, firstPoll, b -> b);
    }

    /** The channel the engine listens on for a server (its control messages go there). */
    private static String engineChannel(String serverId) {
        return "profilestore." + serverId;
    }

    private static void awaitKnown(Server who, Server whom) {
        await().atMost(STEP).until(() -> who.peer().knowsPeerFor(engineChannel(whom.id())));
    }

    private static void awaitEnded(Profile<PlayerData> p) {
        await().atMost(STEP).until(() -> !p.isActive());
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(opened);
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    @Test
    void liveHandoff_isOneWriteAndTwoPeerMessages_withNothingThroughTheFallback() throws Exception {
        // A poll far beyond the handoff: were a peer message lost, the requester would write its request and fail this.
        Server a = server("server-a", Duration.ofSeconds(20));
        Server b = server("server-b", Duration.ofSeconds(20));
        awaitKnown(a, b);
        awaitKnown(b, a);
        Profile<PlayerData> held = a.start("player-1");
        held.data().coins = 7;
        PeerStats aBefore = a.peer().stats();
        PeerStats bBefore = b.peer().stats();
        long aWrites = a.storage().writes.get();
        long bWrites = b.storage().writes.get();

        Profile<PlayerData> got = b.start("player-1");

        assertThat(got.data().coins).isEqualTo(7);
        awaitEnded(held);
        assertThat(b.storage().writes.get() - bWrites).as("requester's writes").isZero();
        assertThat(a.storage().writes.get() - aWrites).as("holder's writes").isEqualTo(1);
        assertThat(b.peer().stats().sentToPeers() - bBefore.sentToPeers()).as("TAKEOVER").isEqualTo(1);
        assertThat(a.peer().stats().sentToPeers() - aBefore.sentToPeers()).as("HANDED").isEqualTo(1);
        assertThat(a.peer().stats().sentThroughFallback()).isEqualTo(aBefore.sentThroughFallback());
        assertThat(b.peer().stats().sentThroughFallback()).isEqualTo(bBefore.sentThroughFallback());
    }

    @Test
    void aPeerThatCannotBeReached_isServedByTheFallback() throws Exception {
        int nobodyListens;
        try (ServerSocket s = new ServerSocket(0)) {
            nobodyListens = s.getLocalPort();
        }
        Server a = server("server-a", Duration.ofSeconds(20), p -> p.advertise("127.0.0.1", nobodyListens));
        Server b = server("server-b", Duration.ofSeconds(20));
        awaitKnown(b, a);
        Profile<PlayerData> held = a.start("player-1");
        long bWrites = b.storage().writes.get();

        b.start("player-1");

        awaitEnded(held);
        // The TAKEOVER went through the store's messaging at once: the requester never had to poll and write.
        assertThat(b.storage().writes.get() - bWrites).isZero();
        assertThat(b.peer().stats().sentToPeers()).isZero();
        assertThat(b.peer().stats().sentThroughFallback()).isPositive();
        assertThat(a.peer().stats().receivedFromPeers()).isZero();
    }

    @Test
    void aFrameLostWithItsConnection_isMadeUpForByThePoll() throws Exception {
        try (Relay relay = new Relay()) {
            Server a = server("server-a", Duration.ofMillis(100), p -> p.advertise("127.0.0.1", relay.port()));
            relay.forwardTo(a.peer().boundAddress());
            Server b = server("server-b", Duration.ofMillis(100));
            awaitKnown(b, a);
            // Warm the link from b to a (through the relay) with a first handoff.
            Profile<PlayerData> warm = a.start("player-0");
            b.start("player-0");
            awaitEnded(warm);
            assertThat(a.peer().stats().receivedFromPeers()).isPositive();
            Profile<PlayerData> held = a.start("player-1");
            long received = a.peer().stats().receivedFromPeers();
            long bWrites = b.storage().writes.get();
            relay.cutNextFrame();

            b.start("player-1");

            awaitEnded(held);
            assertThat(a.peer().stats().receivedFromPeers()).as("nothing more came by the peer link").isEqualTo(received);
            assertThat(b.storage().writes.get() - bWrites).as("the request written at the poll").isPositive();
        }
    }

    @Test
    void messagesFromAnAuthenticatedPeer_costAtMostARead_andWriteNothing() throws Exception {
        Server a = server("server-a", Duration.ofSeconds(20));
        Server b = server("server-b", Duration.ofSeconds(20));
        Profile<PlayerData> held = a.start("player-1");
        long epoch = held.epoch();
        long revision = a.storage().read(storeName, "player-1").orElseThrow().revision();
        long bReads = b.storage().reads.get();
        long bWrites = b.storage().writes.get();
        String channel = engineChannel("server-b");
        byte[] fakeRecord = "{\"forged\":true}".getBytes(StandardCharsets.UTF_8);

        try (var raw = PeerTesting.RawPeer.connect(b.peer(), SECRET)) {
            // A stale HANDED for a profile b is not starting, carrying a record b never read.
            raw.send(channel, line("HANDED", epoch, "player-1") + "|" + (revision + 1) + "|" + Instant.EPOCH + "|"
                    + Instant.EPOCH + "|" + Base64.getEncoder().encodeToString(fakeRecord));
            // A TAKEOVER for a profile b does not hold.
            raw.send(channel, line("TAKEOVER", epoch, "player-1"));
            await().atMost(STEP).until(() -> b.storage().reads.get() - bReads == 2);
        }

        assertThat(b.peer().stats().receivedFromPeers()).isEqualTo(2);
        assertThat(b.storage().writes.get()).isEqualTo(bWrites);
        assertThat(held.isActive()).isTrue();
        assertThat(held.epoch()).isEqualTo(epoch);
        assertThat(a.storage().read(storeName, "player-1").orElseThrow().revision()).isEqualTo(revision);
    }

    /** A control message line as the engine writes it: {@code kind|store|epoch|fromServer|key}. */
    private String line(String kind, long epoch, String key) {
        return kind + "|" + URLEncoder.encode(storeName, StandardCharsets.UTF_8) + "|" + epoch + "|server-a|"
                + URLEncoder.encode(key, StandardCharsets.UTF_8);
    }
}
