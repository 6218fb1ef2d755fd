package dev.profilestore.peer;

import static dev.profilestore.peer.PeerTesting.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profilestore.memory.InMemoryMessaging;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The builder fails fast on every missing or wrong setting, and binds only where it is told. */
class PeerMessagingBuilderTest {

    private final InMemoryMessaging hub = new InMemoryMessaging();

    @Test
    void bindAndSecret_areRequired() {
        assertThatThrownBy(() -> PeerMessaging.over(hub).secret(SECRET).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("bind");
        assertThatThrownBy(() -> PeerMessaging.over(hub).bind("127.0.0.1", 0).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("secret");
    }

    @Test
    void badArguments_failAtTheSetter() {
        var b = PeerMessaging.over(hub);
        assertThatThrownBy(() -> b.secret(new byte[15])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 16 bytes");
        assertThatThrownBy(() -> b.bind("127.0.0.1", 65_536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.bind(" ", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.advertise("host", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.namespace("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PeerMessaging.over(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theSecretIsCopied_soChangingTheArrayAfterwardsChangesNothing() throws Exception {
        byte[] secret = SECRET.clone();
        try (PeerMessaging m = PeerMessaging.over(hub).bind("127.0.0.1", 0).secret(secret).build()) {
            java.util.Arrays.fill(secret, (byte) 0);
            try (var raw = PeerTesting.RawPeer.connect(m, SECRET)) {
                raw.send("c", "still the old secret");
            }
            assertThat(m.stats().rejectedConnections()).isZero();
        }
    }

    @Test
    void aWildcardBind_needsAnAdvertisedAddress() {
        assertThatThrownBy(() -> PeerMessaging.over(hub).bind("0.0.0.0", 0).secret(SECRET).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("advertise");
    }

    @Test
    void bindsTheGivenAddressOnly_andAdvertisesTheBoundPortWhenAskedForPortZero() {
        try (PeerMessaging m = PeerMessaging.over(hub).bind("127.0.0.1", 0).advertise("game-7.internal", 0)
                .secret(SECRET).build()) {
            assertThat(m.boundAddress().getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
            assertThat(m.boundAddress().getPort()).isPositive();
            assertThat(m.advertisedAddress().getHostString()).isEqualTo("game-7.internal");
            assertThat(m.advertisedAddress().getPort()).isEqualTo(m.boundAddress().getPort());
        }
    }

    @Test
    void anAddressInUse_failsTheBuild() {
        try (PeerMessaging first = PeerTesting.peer(hub)) {
            int port = first.boundAddress().getPort();
            assertThatThrownBy(() -> PeerMessaging.over(new InMemoryMessaging()).bind("127.0.0.1", port)
                    .secret(SECRET).build()).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("cannot listen for peers on 127.0.0.1:" + port);
        }
    }
}
