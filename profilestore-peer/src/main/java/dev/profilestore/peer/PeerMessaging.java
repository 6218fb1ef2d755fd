package dev.profilestore.peer;

import dev.profilestore.spi.Messaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Messaging} straight from server to server over TCP, with the store's own messaging (PostgreSQL
 * LISTEN/NOTIFY, the MariaDB/MySQL polled table, Redis pub/sub) as the fallback. A message for a channel served by
 * a known peer is written to that peer's connection (about 0.1 ms on a LAN) instead of making a round through the
 * database (PostgreSQL NOTIFY about 1.4 ms; the MariaDB table is polled every 15 ms).
 *
 * <pre>{@code
 * Messaging messaging = PeerMessaging.over(PostgresMessaging.open(uri))
 *         .bind("10.0.0.5", 7400)
 *         .secret(secretBytes)          // the same 16+ bytes on every server
 *         .build();
 * }</pre>
 *
 * <h2>How servers find each other</h2>
 * Through the fallback: every instance subscribes to a directory channel on it. An instance that starts serving a
 * channel announces its address there, one that stops says so, and one that publishes to a channel nobody has
 * announced sends that message through the fallback and asks the directory who serves the channel; the server
 * that does answers on the asker's own directory channel, and the next message goes direct. A starting instance
 * asks about every channel once. Every note is signed with the secret.
 *
 * <h2>What goes through the fallback</h2>
 * A message for a channel no peer has announced (a server not yet known, or not running this module), one larger
 * than 1 MiB, and every message for a peer that cannot be reached, refuses the
 * handshake or drops its connection (that peer is forgotten until it announces itself again). A frame written to a
 * live connection and lost anyway is not re-sent: messaging is a hint, and the engine's fallback poll reads the
 * store. A peer that receives a message for a channel it no longer serves passes it to the fallback.
 *
 * <h2>Security</h2>
 * A listener binds only the address it is given. Each connection begins with a handshake in which both sides prove
 * they know the shared secret (HMAC-SHA256 over fresh nonces from both sides); frames are then sealed with
 * AES-256-GCM under a key made for that connection, each frame's IV its sequence number, so a frame that is forged,
 * altered, replayed or reordered fails to open, is dropped, and closes its connection. Records in HANDED notices
 * therefore do not cross the network in the clear.
 *
 * <p>Thread-safe. Listeners are called on a connection's or the fallback's thread; the engine hops to its own
 * executor at once. {@link #close()} also closes the fallback.
 */
public final class PeerMessaging implements Messaging {

    /** The directory namespace used when none is given. */
    public static final String DEFAULT_NAMESPACE = "profilestore-peer";
    /** The shortest secret accepted, in bytes. */
    public static final int MIN_SECRET_BYTES = 16;
    /** How often, at most, the directory is asked about one channel nobody has announced. */
    static final Duration ASK_EVERY = Duration.ofSeconds(1);
    /**
     * How long a peer address that could not be connected to is not tried again: its messages go through the
     * fallback meanwhile, so an address that drops packets (a firewall) holds messages up for one timeout per
     * period, not one per message.
     */
    static final Duration UNREACHABLE_PAUSE = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(PeerMessaging.class);

    private final Messaging fallback;
    private final byte[] secret;
    private final String directoryChannel;
    private final int timeoutMillis;
    private final String instance = UUID.randomUUID().toString();
    private final Endpoint self;
    private final PeerListener listener;
    private final PeerStats.Counters counters = new PeerStats.Counters();
    private final ExecutorService localDelivery = Executors.newVirtualThreadPerTaskExecutor();
    /** Channels served here, each with its listeners and its subscription on the fallback. */
    private final Map<String, Served> served = new ConcurrentHashMap<>();
    /** Which peers serve a channel, as the directory said. Written under {@code this}. */
    private final Map<String, Set<Endpoint>> members = new ConcurrentHashMap<>();
    /** Which instance answers at each peer address. Written under {@code this}. */
    private final Map<Endpoint, String> instances = new ConcurrentHashMap<>();
    private final Map<Endpoint, PeerLink> links = new ConcurrentHashMap<>();
    private final Map<String, Long> lastAsked = new ConcurrentHashMap<>();
    /** Peer addresses whose last connection attempt failed, with when: see {@link #UNREACHABLE_PAUSE}. */
    private final Map<Endpoint, Long> unreachableSince = new ConcurrentHashMap<>();
    private final Messaging.Subscription directory;
    /** This instance's own directory channel, where answers to its questions arrive. */
    private final Messaging.Subscription answers;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final PeerLink.Owner linkOwner = new LinkOwner();

    private PeerMessaging(Builder b) throws IOException {
        this.fallback = b.fallback;
        this.secret = b.secret.clone();
        this.directoryChannel = b.namespace + ".directory";
        this.timeoutMillis = Math.toIntExact(b.timeout.toMillis());
        this.listener = new PeerListener(new InetSocketAddress(InetAddress.getByName(b.bindHost), b.bindPort), secret,
                instance, timeoutMillis, this::fromPeer, counters);
        int port = b.advertisePort != 0 ? b.advertisePort : listener.boundAddress().getPort();
        this.self = new Endpoint(b.advertiseHost != null ? b.advertiseHost : b.bindHost, port);
        try {
            this.directory = fallback.subscribe(directoryChannel, this::onNote);
            this.answers = fallback.subscribe(answerChannel(instance), this::onNote);
        } catch (RuntimeException e) {
            listener.close();
            throw e;
        }
        // Every instance already running announces what it serves, so the first messages can go direct.
        note(DirectoryNote.Kind.WHO, "");
        LOG.info("peer messaging listening on {}, advertised as {} (instance {})", listener.boundAddress(), self,
                instance);
    }

    /**
     * Starts a builder over {@code fallback}, the store's own messaging, which then belongs to the built instance
     * (closed with it).
     */
    public static Builder over(Messaging fallback) {
        return new Builder(fallback);
    }

    /** The address the listener is bound to (its port is the one chosen when the builder asked for port 0). */
    public InetSocketAddress boundAddress() {
        return listener.boundAddress();
    }

    /** The address other servers are told to connect to. */
    public InetSocketAddress advertisedAddress() {
        return InetSocketAddress.createUnresolved(self.host(), self.port());
    }

    /** This instance's random id, which peers check in the handshake. */
    public String instanceId() {
        return instance;
    }

    /** What this instance has sent and received so far. */
    public PeerStats stats() {
        return counters.snapshot();
    }

    /** Whether the directory has named a peer that serves {@code channel} (for tests and diagnostics). */
    boolean knowsPeerFor(String channel) {
        return members.containsKey(channel);
    }

    // ---- Messaging ----

    @Override
    public void publish(String channel, byte[] payload) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(payload, "payload");
        if (closed.get()) {
            LOG.debug("publish on {} after close dropped", channel);
            return;
        }
        Set<Endpoint> peers = members.getOrDefault(channel, Set.of());
        if (peers.isEmpty() || !Frames.fits(channel, payload)) {
            viaFallback(channel, payload);
            if (peers.isEmpty()) {
                ask(channel);
            }
            return;
        }
        byte[] copy = payload.clone();
        Served here = served.get(channel);
        if (here != null) {
            // Sent to peers, the message does not pass through the fallback, whose subscription would deliver it here.
            deliverLater(here, copy);
        }
        boolean fellBack = false;
        for (Endpoint peer : peers) {
            PeerLink link = link(peer);
            if (link != null) {
                link.send(channel, copy);
            } else if (!fellBack) {
                fellBack = true; // the fallback reaches every subscriber: once is enough
                viaFallback(channel, copy);
            }
        }
    }

    @Override
    public Subscription subscribe(String channel, Consumer<byte[]> listener) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(listener, "listener");
        boolean first;
        synchronized (served) {
            Served s = served.get(channel);
            first = s == null;
            if (first) {
                s = new Served(channel);
                served.put(channel, s);
            }
            s.listeners.add(listener);
        }
        if (first && !closed.get()) {
            note(DirectoryNote.Kind.HERE, channel);
        }
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                unsubscribe(channel, listener);
            }
        };
    }

    private void unsubscribe(String channel, Consumer<byte[]> listener) {
        Served gone = null;
        synchronized (served) {
            Served s = served.get(channel);
            if (s != null && s.listeners.remove(listener) && s.listeners.isEmpty()) {
                served.remove(channel);
                gone = s;
            }
        }
        if (gone != null) {
            gone.fallbackSubscription.close();
            if (!closed.get()) {
                note(DirectoryNote.Kind.GONE, channel);
            }
        }
    }

    /**
     * The fallback's limit, at most a frame's: a message goes through the fallback until its channel's server is
     * known, and whenever a connection is down, so it must fit there too.
     */
    @Override
    public int maxPayload() {
        return Math.min(Frames.MAX_PAYLOAD, fallback.maxPayload());
    }

    /** Tells the other instances it is going, closes every connection, then the fallback. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        fallback.publish(directoryChannel, new DirectoryNote(DirectoryNote.Kind.BYE, instance, self.host(),
                self.port(), "").encode(secret));
        listener.close();
        List.copyOf(links.values()).forEach(PeerLink::close);
        directory.close();
        answers.close();
        synchronized (served) {
            served.values().forEach(s -> s.fallbackSubscription.close());
            served.clear();
        }
        localDelivery.shutdown();
        fallback.close();
    }

    // ---- delivery ----

    /** A channel served here: its listeners, and its subscription on the fallback. */
    private final class Served {
        final List<Consumer<byte[]>> listeners = new CopyOnWriteArrayList<>();
        final Messaging.Subscription fallbackSubscription;

        Served(String channel) {
            this.fallbackSubscription = fallback.subscribe(channel, this::deliver);
        }

        void deliver(byte[] payload) {
            for (Consumer<byte[]> l : listeners) {
                try {
                    l.accept(payload.clone());
                } catch (RuntimeException e) {
                    LOG.warn("message listener threw; message dropped for it", e);
                }
            }
        }
    }

    private void deliverLater(Served here, byte[] payload) {
        try {
            localDelivery.execute(() -> here.deliver(payload));
        } catch (RejectedExecutionException e) {
            LOG.debug("local delivery after close dropped");
        }
    }

    /** A frame from an authenticated peer. */
    private void fromPeer(String channel, byte[] payload) {
        Served here = served.get(channel);
        if (here != null) {
            here.deliver(payload);
            return;
        }
        // The sender's directory is out of date (this instance stopped serving the channel): pass the message on
        // to whoever serves it now, and correct the directory.
        viaFallback(channel, payload);
        note(DirectoryNote.Kind.GONE, channel);
    }

    private void viaFallback(String channel, byte[] payload) {
        counters.fallback.increment();
        fallback.publish(channel, payload);
    }

    // ---- the directory ----

    private void note(DirectoryNote.Kind kind, String channel) {
        noteOn(directoryChannel, kind, channel);
    }

    private void noteOn(String on, DirectoryNote.Kind kind, String channel) {
        fallback.publish(on, new DirectoryNote(kind, instance, self.host(), self.port(), channel).encode(secret));
    }

    /**
     * Where an instance hears answers to its WHO: a channel of its own, so that a starting server's question is
     * answered to it alone (where the transport routes by channel, as NOTIFY and pub/sub do), not to every server.
     */
    private String answerChannel(String of) {
        return directoryChannel + "." + of;
    }

    /** Asks who serves {@code channel}, at most once per {@link #ASK_EVERY}. */
    private void ask(String channel) {
        long now = System.nanoTime();
        Long last = lastAsked.get(channel);
        if (last != null && now - last < ASK_EVERY.toNanos()) {
            return;
        }
        if (lastAsked.size() > 10_000) {
            lastAsked.clear(); // channels of servers long gone
        }
        lastAsked.put(channel, now);
        note(DirectoryNote.Kind.WHO, channel);
    }

    private void onNote(byte[] payload) {
        DirectoryNote note = DirectoryNote.decode(payload, secret);
        if (note == null) {
            LOG.debug("ignored a directory note that is malformed or not signed with this secret");
            return;
        }
        if (note.instance().equals(instance) || closed.get()) {
            return;
        }
        Endpoint at = new Endpoint(note.host(), note.port());
        switch (note.kind()) {
            case HERE -> learn(at, note.instance(), note.channel());
            case GONE -> unlearn(at, note.instance(), note.channel());
            case BYE -> forget(at, note.instance());
            case WHO -> {
                String to = answerChannel(note.instance());
                if (note.channel().isEmpty()) {
                    served.keySet().forEach(c -> noteOn(to, DirectoryNote.Kind.HERE, c));
                } else if (served.containsKey(note.channel())) {
                    noteOn(to, DirectoryNote.Kind.HERE, note.channel());
                }
            }
        }
    }

    private void learn(Endpoint at, String peer, String channel) {
        PeerLink replaced = null;
        synchronized (this) {
            String known = instances.get(at);
            if (known != null && !known.equals(peer)) {
                replaced = forgetLocked(at, known); // the address belongs to a new instance now (a restarted server)
                unreachableSince.remove(at);
            }
            instances.put(at, peer);
            lastAsked.remove(channel);
            members.compute(channel, (c, set) -> {
                Set<Endpoint> next = set == null ? new HashSet<>() : new HashSet<>(set);
                next.add(at);
                return Set.copyOf(next);
            });
        }
        closeOutsideLock(replaced);
    }

    private synchronized void unlearn(Endpoint at, String peer, String channel) {
        if (!peer.equals(instances.get(at))) {
            return;
        }
        members.computeIfPresent(channel, (c, set) -> {
            Set<Endpoint> next = new HashSet<>(set);
            next.remove(at);
            return next.isEmpty() ? null : Set.copyOf(next);
        });
    }

    /** Forgets every channel of the instance at {@code at} and closes the link to it. */
    private void forget(Endpoint at, String peer) {
        PeerLink link;
        synchronized (this) {
            link = forgetLocked(at, peer);
        }
        closeOutsideLock(link);
    }

    private PeerLink forgetLocked(Endpoint at, String peer) {
        if (!peer.equals(instances.get(at))) {
            return null;
        }
        instances.remove(at);
        for (String channel : List.copyOf(members.keySet())) {
            unlearnAll(channel, at);
        }
        return links.remove(at);
    }

    /** A closing link hands its unsent messages to the fallback, which must not happen under this lock. */
    private static void closeOutsideLock(PeerLink link) {
        if (link != null) {
            link.close();
        }
    }

    private void unlearnAll(String channel, Endpoint at) {
        members.computeIfPresent(channel, (c, set) -> {
            if (!set.contains(at)) {
                return set;
            }
            Set<Endpoint> next = new HashSet<>(set);
            next.remove(at);
            return next.isEmpty() ? null : Set.copyOf(next);
        });
    }

    /** The link to {@code at}, made on first use; null when the directory no longer knows who is there. */
    private PeerLink link(Endpoint at) {
        PeerLink link = links.get(at);
        if (link != null) {
            return link;
        }
        Long failed = unreachableSince.get(at);
        if (failed != null) {
            if (System.nanoTime() - failed < UNREACHABLE_PAUSE.toNanos()) {
                return null;
            }
            unreachableSince.remove(at, failed);
        }
        synchronized (this) {
            String peer = instances.get(at);
            if (peer == null || closed.get()) {
                return null;
            }
            return links.computeIfAbsent(at, a -> new PeerLink(a, peer, linkOwner));
        }
    }

    private final class LinkOwner implements PeerLink.Owner {
        @Override
        public byte[] secret() {
            return secret;
        }

        @Override
        public int timeoutMillis() {
            return timeoutMillis;
        }

        @Override
        public void viaFallback(String channel, byte[] payload) {
            PeerMessaging.this.viaFallback(channel, payload);
        }

        @Override
        public void linkDied(PeerLink link, boolean unreachable) {
            if (unreachable) {
                unreachableSince.put(link.to, System.nanoTime());
            }
            synchronized (PeerMessaging.this) {
                if (links.get(link.to) == link) {
                    forgetLocked(link.to, link.instance);
                }
            }
        }

        @Override
        public void countSent() {
            counters.sent.increment();
        }
    }

    // ---- configuration ----

    /**
     * Configures a {@link PeerMessaging}: {@link #bind} and {@link #secret} are required. Each setter checks its
     * arguments at once; {@link #build()} checks that the required ones were given, binds and returns an instance
     * whose configuration can no longer change.
     */
    public static final class Builder {
        private final Messaging fallback;
        private String bindHost;
        private int bindPort = -1;
        private String advertiseHost;
        private int advertisePort;
        private byte[] secret;
        private String namespace = DEFAULT_NAMESPACE;
        private Duration timeout = Duration.ofSeconds(1);

        private Builder(Messaging fallback) {
            this.fallback = Objects.requireNonNull(fallback, "fallback");
        }

        /**
         * Where to listen for peers: an interface address (or a host name resolving to one) and a port, 0 for one
         * chosen by the system. Nothing else is bound. A wildcard host ({@code 0.0.0.0}, {@code ::}) listens on
         * every interface and then needs {@link #advertise}.
         */
        public Builder bind(String host, int port) {
            this.bindHost = requireHost(host, "bind host");
            this.bindPort = requirePort(port);
            return this;
        }

        /**
         * The address other servers connect to, when it is not the bound one (a wildcard bind, NAT, a container's
         * published port). Port 0 means the bound port. By default: the bound host and port.
         */
        public Builder advertise(String host, int port) {
            this.advertiseHost = requireHost(host, "advertised host");
            this.advertisePort = requirePort(port);
            return this;
        }

        /**
         * The secret every server of the deployment shares, at least {@value #MIN_SECRET_BYTES} random bytes (for
         * example 32 bytes from a secret store, base64-decoded). It authenticates peers and directory notes and
         * keys the encryption; it is copied, never sent.
         */
        public Builder secret(byte[] secret) {
            Objects.requireNonNull(secret, "secret");
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("the peer secret must be at least " + MIN_SECRET_BYTES
                        + " bytes, was " + secret.length);
            }
            this.secret = secret.clone();
            return this;
        }

        /** Separates deployments that share a fallback transport; default {@value #DEFAULT_NAMESPACE}. */
        public Builder namespace(String namespace) {
            Objects.requireNonNull(namespace, "namespace");
            if (namespace.isBlank()) {
                throw new IllegalArgumentException("namespace must not be blank");
            }
            this.namespace = namespace;
            return this;
        }

        /** How long a connect and a handshake may take before the peer counts as down; default 1 s. */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("timeout must be positive and under 24 days, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Binds the listener and joins the directory.
         *
         * @throws IllegalStateException when {@link #bind} or {@link #secret} was not given, or a wildcard bind has
         *     no {@link #advertise advertised} host
         * @throws UncheckedIOException when the address cannot be bound
         */
        public PeerMessaging build() {
            if (bindHost == null) {
                throw new IllegalStateException("bind(host, port) is required: peer messaging listens only where told");
            }
            if (secret == null) {
                throw new IllegalStateException("secret(bytes) is required: peers must authenticate each other");
            }
            try {
                if (advertiseHost == null && InetAddress.getByName(bindHost).isAnyLocalAddress()) {
                    throw new IllegalStateException("bound to the wildcard address " + bindHost
                            + ": advertise(host, port) must say where other servers can reach this one");
                }
                return new PeerMessaging(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen for peers on " + new Endpoint(bindHost, bindPort)
                        + ": " + e.getMessage(), e);
            }
        }

        private static String requireHost(String host, String what) {
            Objects.requireNonNull(host, what);
            if (host.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return host;
        }

        private static int requirePort(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
            }
            return port;
        }
    }
}
