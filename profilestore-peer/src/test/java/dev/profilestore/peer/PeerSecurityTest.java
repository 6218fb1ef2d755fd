package dev.profilestore.peer;

import static dev.profilestore.peer.PeerTesting.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.testkit.faults.FaultyMessaging;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who may talk to a listener: only a side that proves it knows the secret, and only with frames sealed for that
 * connection, in order. The fallback here is the in-memory hub (the security of the peer link does not depend on
 * the store); the backends' tests run the same link over PostgreSQL and MariaDB.
 */
class PeerSecurityTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final byte[] WRONG = "another secret of thirty-two byt".getBytes(StandardCharsets.UTF_8);

    private final InMemoryMessaging hub = new InMemoryMessaging();
    private final Queue<String> inbox = new ConcurrentLinkedQueue<>();
    private final PeerMessaging target = PeerTesting.peer(new FaultyMessaging(hub));

    @AfterEach
    void close() {
        target.close();
    }

    private List<String> received() {
        return List.copyOf(inbox);
    }

    private void listen(String channel) {
        target.subscribe(channel, p -> inbox.add(new String(p, StandardCharsets.UTF_8)));
    }

    @Test
    void aPeerWithTheSecret_isHeard() throws Exception {
        listen("c");
        try (var raw = PeerTesting.RawPeer.connect(target, SECRET)) {
            raw.send("c", "one");
            raw.send("c", "two");
            await().atMost(PATIENCE).until(() -> received().size() == 2);
        }
        assertThat(received()).containsExactly("one", "two");
        assertThat(target.stats().receivedFromPeers()).isEqualTo(2);
    }

    @Test
    void aConnectingSideWithTheWrongSecret_learnsThatTheListenerIsNotItsPeer() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(target.boundAddress(), 2_000);
            s.setSoTimeout(5_000);
            assertThatThrownBy(() -> Handshake.connect(s, WRONG, target.instanceId()))
                    .isInstanceOf(Handshake.Rejected.class).hasMessageContaining("does not know the secret");
        }
    }

    @Test
    void aConnectingSideWithTheWrongSecret_isRefused_andItsFramesAreNeverRead() throws Exception {
        listen("c");
        try (Socket s = new Socket()) {
            s.connect(target.boundAddress(), 2_000);
            s.setSoTimeout(5_000);
            var out = new DataOutputStream(s.getOutputStream());
            var in = new DataInputStream(s.getInputStream());
            out.write(new byte[] {'P', 'S', 'P', '1'});
            out.write(new byte[PeerCrypto.NONCE_BYTES]);
            out.flush();
            in.readFully(new byte[4 + PeerCrypto.NONCE_BYTES]);
            in.readFully(new byte[in.readUnsignedShort() + PeerCrypto.MAC_BYTES]);
            // A proof made with the wrong secret, then a frame sealed with a key the forger made up.
            out.write(new byte[PeerCrypto.MAC_BYTES]);
            try {
                Frames.write(out, new FrameCipher(new byte[32]), "c", "forged".getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertThat(in.read()).isEqualTo(-1);
            } catch (java.net.SocketException closedFirst) {
                // The listener closed on the bad proof before the frame went out: refused all the same.
            }
        }
        assertThat(target.stats().rejectedConnections()).isEqualTo(1);
        assertThat(target.stats().receivedFromPeers()).isZero();
        assertThat(received()).isEmpty();
    }

    @Test
    void anAlteredFrame_isDropped_andClosesTheConnection() throws Exception {
        listen("c");
        try (var raw = PeerTesting.RawPeer.connect(target, SECRET)) {
            raw.send("c", "genuine");
            await().atMost(PATIENCE).until(() -> received().contains("genuine"));
            byte[] frame = raw.frame("c", "tampered");
            frame[frame.length - 20] ^= 1;
            raw.out().write(frame);
            raw.out().flush();
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertThat(target.stats().rejectedFrames()).isEqualTo(1);
        assertThat(received()).containsExactly("genuine");
    }

    @Test
    void aReplayedFrame_isDropped_andClosesTheConnection() throws Exception {
        listen("c");
        try (var raw = PeerTesting.RawPeer.connect(target, SECRET)) {
            byte[] frame = raw.frame("c", "pay once");
            raw.out().write(frame);
            raw.out().write(frame);
            raw.out().flush();
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertThat(target.stats().rejectedFrames()).isEqualTo(1);
        assertThat(received()).containsExactly("pay once");
    }

    @Test
    void aFrameRecordedOnOneConnection_doesNotOpenOnAnother() throws Exception {
        listen("c");
        byte[] recorded;
        try (var first = PeerTesting.RawPeer.connect(target, SECRET)) {
            recorded = first.frame("c", "once");
            first.out().write(recorded);
            first.out().flush();
            await().atMost(PATIENCE).until(() -> received().contains("once"));
        }
        try (var second = PeerTesting.RawPeer.connect(target, SECRET)) {
            second.out().write(recorded);
            second.out().flush();
            assertThat(second.closedByPeer()).isTrue();
        }
        assertThat(received()).containsExactly("once");
        assertThat(target.stats().rejectedFrames()).isEqualTo(1);
    }

    @Test
    void instancesWithDifferentSecrets_ignoreEachOthersDirectory_andOnlyEverUseTheFallback() {
        try (PeerMessaging stranger = PeerMessaging.over(new FaultyMessaging(hub)).bind("127.0.0.1", 0).secret(WRONG)
                .build()) {
            listen("c");
            stranger.publish("c", "through the store".getBytes(StandardCharsets.UTF_8));
            stranger.publish("c", "and again".getBytes(StandardCharsets.UTF_8));
            await().atMost(PATIENCE).until(() -> received().size() == 2);
            assertThat(stranger.stats().sentToPeers()).isZero();
            assertThat(stranger.stats().sentThroughFallback()).isEqualTo(2);
            assertThat(target.stats().rejectedConnections()).isZero(); // it never even tried to connect
        }
    }
}
