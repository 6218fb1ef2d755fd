package dev.profilestore.peer;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to one peer instance, made on its first message: a queue and one virtual thread that connects,
 * shakes hands and writes frames, so {@link #send} never blocks. When the peer cannot be reached, fails the
 * handshake or drops the connection, the link dies: what it had not written, and everything sent to it afterwards,
 * goes to the fallback messaging, and the owner forgets the peer's address until the directory names it again.
 */
final class PeerLink {

    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);

    /** What a link needs from its owner. */
    interface Owner {
        byte[] secret();

        int timeoutMillis();

        /** Sends through the fallback messaging. */
        void viaFallback(String channel, byte[] payload);

        /** This link died: forget its peer's address; {@code unreachable}: it never got through the handshake. */
        void linkDied(PeerLink link, boolean unreachable);

        void countSent();
    }

    private record Outgoing(String channel, byte[] payload) {}

    final Endpoint to;
    final String instance;
    private final Owner owner;
    private final LinkedBlockingQueue<Outgoing> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean dead;
    private volatile boolean connected;
    private volatile Socket socket;

    PeerLink(Endpoint to, String instance, Owner owner) {
        this.to = to;
        this.instance = instance;
        this.owner = owner;
        this.writer = Thread.ofVirtual().name("profilestore-peer-to-" + to).unstarted(this::run);
        writer.start();
    }

    void send(String channel, byte[] payload) {
        synchronized (this) {
            if (!dead) {
                queue.add(new Outgoing(channel, payload));
                return;
            }
        }
        owner.viaFallback(channel, payload);
    }

    private void run() {
        Outgoing current = null;
        try (Socket s = new Socket()) {
            socket = s;
            if (dead) {
                return;
            }
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(to.host(), to.port()), owner.timeoutMillis());
            s.setSoTimeout(owner.timeoutMillis());
            FrameCipher cipher = Handshake.connect(s, owner.secret(), instance);
            s.setSoTimeout(0);
            connected = true;
            InputStream in = s.getInputStream();
            Thread.ofVirtual().name("profilestore-peer-watch-" + to).start(() -> watch(in));
            var out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 16 * 1024));
            while (!dead) {
                current = queue.take();
                Frames.write(out, cipher, current.channel(), current.payload());
                owner.countSent();
                current = null;
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            if (!dead) {
                LOG.warn("peer {} (instance {}) unreachable, its messages go through the fallback: {}", to, instance,
                        e.toString());
            }
        } catch (InterruptedException e) {
            // closed
        } finally {
            die(current);
        }
    }

    /** The listening side never writes after the handshake: the stream ends only when the connection does. */
    private void watch(InputStream in) {
        try {
            while (in.read() >= 0) {
                // nothing is expected; a misbehaving peer's bytes are ignored
            }
        } catch (IOException e) {
            // the connection is gone either way
        }
        if (!dead) {
            LOG.info("peer {} (instance {}) closed the connection", to, instance);
        }
        die(null);
    }

    /** Ends the link; what it had not written goes through the fallback. */
    void close() {
        die(null);
    }

    private void die(Outgoing inFlight) {
        List<Outgoing> unsent = new ArrayList<>();
        synchronized (this) {
            boolean first = !dead;
            dead = true;
            if (inFlight != null) {
                unsent.add(inFlight);
            }
            queue.drainTo(unsent);
            if (!first && unsent.isEmpty()) {
                return;
            }
        }
        writer.interrupt();
        closeSocket();
        // A message whose write failed may have reached the peer anyway: it may then arrive twice, which
        // messaging allows (hints are matched on epoch and revision).
        unsent.forEach(m -> owner.viaFallback(m.channel(), m.payload()));
        owner.linkDied(this, !connected);
    }

    private void closeSocket() {
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.debug("closing the connection to {} failed", to, e);
            }
        }
    }
}
