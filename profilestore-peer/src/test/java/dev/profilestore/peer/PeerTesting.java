package dev.profilestore.peer;

import dev.profilestore.spi.Messaging;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** What the peer tests share: the secret, a builder on loopback, and a hand-made peer connection. */
final class PeerTesting {

    static final byte[] SECRET = "a test secret of thirty-two byte".getBytes(StandardCharsets.UTF_8);

    private PeerTesting() {}

    /** Peer messaging over {@code fallback}, listening on a free loopback port. */
    static PeerMessaging peer(Messaging fallback) {
        return PeerMessaging.over(fallback).bind("127.0.0.1", 0).secret(SECRET).build();
    }

    /** A connection to {@code target} that has shaken hands with {@code secret}, for sending frames by hand. */
    record RawPeer(Socket socket, DataOutputStream out, FrameCipher cipher) implements AutoCloseable {

        static RawPeer connect(PeerMessaging target, byte[] secret) throws IOException {
            Socket s = new Socket();
            InetSocketAddress at = target.boundAddress();
            s.connect(at, 2_000);
            s.setSoTimeout(5_000);
            FrameCipher cipher = Handshake.connect(s, secret, target.instanceId());
            return new RawPeer(s, new DataOutputStream(s.getOutputStream()), cipher);
        }

        void send(String channel, String text) throws IOException {
            out.write(frame(channel, text));
            out.flush();
        }

        /** The next frame of this connection, sealed but not sent. */
        byte[] frame(String channel, String text) throws IOException {
            var buffer = new java.io.ByteArrayOutputStream();
            Frames.write(new DataOutputStream(buffer), cipher, channel, text.getBytes(StandardCharsets.UTF_8));
            return buffer.toByteArray();
        }

        /** Whether the other side closed the connection (read returns end of stream). */
        boolean closedByPeer() throws IOException {
            try {
                return socket.getInputStream().read() < 0;
            } catch (java.net.SocketException e) {
                return true; // reset by the peer
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
