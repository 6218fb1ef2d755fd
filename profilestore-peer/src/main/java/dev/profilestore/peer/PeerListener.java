package dev.profilestore.peer;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import javax.crypto.AEADBadTagException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening side: accepts connections on the bound address only, and serves each on a virtual thread. A
 * connection that fails the handshake is closed before any frame is read; a frame that fails authentication
 * (forged, altered, replayed, reordered) is dropped and the connection closed, since nothing after it on that
 * stream can be trusted to be in sequence.
 */
final class PeerListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeerListener.class);

    private final ServerSocket server;
    private final byte[] secret;
    private final String instance;
    private final int timeoutMillis;
    private final BiConsumer<String, byte[]> deliver;
    private final PeerStats.Counters counters;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    PeerListener(InetSocketAddress bind, byte[] secret, String instance, int timeoutMillis,
            BiConsumer<String, byte[]> deliver, PeerStats.Counters counters) throws IOException {
        this.secret = secret;
        this.instance = instance;
        this.timeoutMillis = timeoutMillis;
        this.deliver = deliver;
        this.counters = counters;
        this.server = new ServerSocket();
        try {
            server.bind(bind, 128);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        Thread.ofVirtual().name("profilestore-peer-accept").start(this::acceptLoop);
    }

    InetSocketAddress boundAddress() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                open.add(s);
                Thread.ofVirtual().name("profilestore-peer-from-" + s.getRemoteSocketAddress()).start(() -> serve(s));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("accepting a peer connection failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(Socket s) {
        SocketAddress from = s.getRemoteSocketAddress();
        // Closed in finally, after the counting and logging: a peer that sees the close sees them done.
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(timeoutMillis);
            FrameCipher cipher;
            try {
                cipher = Handshake.accept(s, secret, instance);
            } catch (IOException e) {
                counters.rejectedConnections.increment();
                LOG.warn("refused a peer connection from {}: {}", from, e.getMessage());
                return;
            }
            s.setSoTimeout(0);
            var in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 16 * 1024));
            while (!closed) {
                Frames.Frame frame = Frames.read(in, cipher);
                counters.received.increment();
                deliver.accept(frame.channel(), frame.payload());
            }
        } catch (AEADBadTagException e) {
            counters.rejectedFrames.increment();
            LOG.warn("dropped a frame from {} that failed authentication (forged, altered or replayed); connection"
                    + " closed", from);
        } catch (EOFException e) {
            LOG.debug("peer {} closed its connection", from);
        } catch (IOException e) {
            if (!closed) {
                LOG.info("peer connection from {} ended: {}", from, e.toString());
            }
        } finally {
            open.remove(s);
            try {
                s.close();
            } catch (IOException e) {
                LOG.debug("closing the connection from {} failed", from, e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing the peer listener failed", e);
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.debug("closing a peer connection failed", e);
            }
        }
    }
}
