package dev.profilestore.peer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback that a peer advertises instead of its own listener, so a test can break the path between
 * two peers as a network would: cut a connection in the middle of a frame, or refuse connections altogether.
 */
final class Relay implements AutoCloseable {

    /** Bytes from the connecting side that the relay forwards before it starts watching for a cut. */
    private static final int HANDSHAKE_BYTES = 4 + PeerCrypto.NONCE_BYTES + PeerCrypto.MAC_BYTES;

    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile InetSocketAddress target;
    /** Set: the next frame after the handshake is swallowed and both connections are cut (the frame is lost). */
    private volatile boolean cutNextFrame;

    Relay() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    void forwardTo(InetSocketAddress to) {
        target = to;
    }

    void cutNextFrame() {
        cutNextFrame = true;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                Socket out = new Socket(target.getAddress(), target.getPort());
                in.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                sockets.add(in);
                sockets.add(out);
                Thread.ofVirtual().start(() -> pump(in, out, true));
                Thread.ofVirtual().start(() -> pump(out, in, false));
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromConnectingSide) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            long forwarded = 0;
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (fromConnectingSide && cutNextFrame && forwarded >= HANDSHAKE_BYTES) {
                    cutNextFrame = false;
                    from.close();
                    to.close();
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
                forwarded += n;
            }
        } catch (IOException e) {
            // one side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(Relay::closeQuietly);
    }
}
