package dev.profilestore.postgres;

import dev.profilestore.StorageException;
import dev.profilestore.jdbc.DatabaseUri;
import dev.profilestore.spi.Messaging;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * {@link Messaging} over PostgreSQL {@code LISTEN}/{@code NOTIFY}.
 *
 * <ul>
 *   <li>Channel names are hashed (SHA-256 of a namespace and the name, 40 hex digits after {@code ps_}), so any
 *       string, of any length, is a valid PostgreSQL identifier and deployments sharing a database with different
 *       namespaces do not hear each other.</li>
 *   <li>Payloads travel base64-encoded, as {@code NOTIFY} carries text; PostgreSQL limits a payload to 8000 bytes,
 *       so at most {@value #MAX_PAYLOAD} bytes can be published (larger ones are dropped with a warning).</li>
 *   <li>One dedicated listener connection (application name {@value #LISTENER_APPLICATION_NAME}), outside any
 *       pool, on one thread that waits on its socket. When the connection dies it reconnects with backoff (100 ms
 *       up to 2 s) and listens on every subscribed channel again; notifications sent meanwhile are lost, which the
 *       engine tolerates (messages are hints).</li>
 *   <li>Publishing runs on a background thread through a small HikariCP pool, so {@link #publish} never blocks.</li>
 * </ul>
 *
 * <p>{@link #subscribe} returns once {@code LISTEN} has run on the listener connection (normally within 25 ms,
 * the listener's socket wait), so a message published after it returns is heard. Listeners are called on the
 * listener thread. Thread-safe.
 */
public final class PostgresMessaging implements Messaging {

    /** The largest payload {@link #publish} sends: base64 of it fits PostgreSQL's 8000-byte NOTIFY limit. */
    public static final int MAX_PAYLOAD = 5_900;
    /** The {@code application_name} of the listener connection, to find it in {@code pg_stat_activity}. */
    public static final String LISTENER_APPLICATION_NAME = "profilestore-listener";
    /** The namespace used when none is given. */
    public static final String DEFAULT_NAMESPACE = "profilestore";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresMessaging.class);
    private static final int WAIT_MILLIS = 25;
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private final String jdbcUrl;
    private final Properties listenerProperties;
    private final String namespace;
    private final HikariDataSource publishPool;
    private final ExecutorService publishing;
    private final Map<String, List<Consumer<byte[]>>> listenersByIdentifier = new ConcurrentHashMap<>();
    private final BlockingQueue<Command> commands = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread listenerThread;
    private Connection listener; // only touched by the listener thread

    private PostgresMessaging(String jdbcUrl, String user, String password, String namespace) {
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.listenerProperties = new Properties();
        if (user != null) {
            listenerProperties.setProperty("user", user);
        }
        if (password != null) {
            listenerProperties.setProperty("password", password);
        }
        listenerProperties.setProperty("ApplicationName", LISTENER_APPLICATION_NAME);
        listenerProperties.setProperty("tcpKeepAlive", "true");
        HikariConfig config = PostgresStorage.poolConfig(jdbcUrl, user, password, "profilestore-notify");
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(1);
        try {
            this.publishPool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StorageException("cannot connect to PostgreSQL at " + jdbcUrl + " for messaging: "
                    + e.getMessage(), e);
        }
        try {
            this.listener = connectListener();
        } catch (SQLException e) {
            publishPool.close();
            throw new StorageException("cannot open the PostgreSQL listener connection to " + jdbcUrl + ": "
                    + e.getMessage(), e);
        }
        this.publishing = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "profilestore-postgres-notify");
            t.setDaemon(true);
            return t;
        });
        this.listenerThread = Thread.ofPlatform().daemon().name("profilestore-postgres-listen").unstarted(this::listen);
        listenerThread.start();
    }

    /**
     * Opens messaging at {@code postgres://user:password@host:port/database?parameters} in the default namespace.
     *
     * @throws StorageException when the server cannot be reached
     */
    public static PostgresMessaging open(String uri) {
        DatabaseUri parsed = DatabaseUri.parse(uri);
        return open(parsed.toJdbcUrl("postgresql"), parsed.user(), parsed.password(), DEFAULT_NAMESPACE);
    }

    /**
     * Opens messaging at a JDBC URL.
     *
     * @param namespace separates deployments that share a database; instances hear only their own namespace
     * @throws StorageException when the server cannot be reached
     */
    public static PostgresMessaging open(String jdbcUrl, String user, String password, String namespace) {
        return new PostgresMessaging(jdbcUrl, user, password, namespace);
    }

    /** The PostgreSQL channel identifier used for {@code channel}. */
    String identifier(String channel) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((namespace + '\0' + channel).getBytes(StandardCharsets.UTF_8));
            return "ps_" + HexFormat.of().formatHex(digest, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public void publish(String channel, byte[] payload) {
        Objects.requireNonNull(channel, "channel");
        if (payload.length > MAX_PAYLOAD) {
            LOG.warn("message of {} bytes on channel \"{}\" dropped: PostgreSQL NOTIFY carries at most {} bytes",
                    payload.length, channel, MAX_PAYLOAD);
            return;
        }
        String identifier = identifier(channel);
        String text = Base64.getEncoder().encodeToString(payload);
        if (closed.get()) {
            return;
        }
        try {
            publishing.execute(() -> notify(channel, identifier, text));
        } catch (RejectedExecutionException e) {
            LOG.debug("publish on {} after close dropped", channel);
        }
    }

    private void notify(String channel, String identifier, String text) {
        try (Connection c = publishPool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, identifier);
            ps.setString(2, text);
            ps.execute();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("PostgreSQL NOTIFY on channel \"{}\" failed: {}", channel, e.getMessage(), e);
        }
    }

    @Override
    public Subscription subscribe(String channel, Consumer<byte[]> listener) {
        Objects.requireNonNull(listener, "listener");
        String identifier = identifier(channel);
        AtomicBoolean first = new AtomicBoolean();
        listenersByIdentifier.compute(identifier, (id, list) -> {
            if (list == null) {
                list = new CopyOnWriteArrayList<>();
                first.set(true);
            }
            list.add(listener);
            return list;
        });
        if (first.get()) {
            // Wait until LISTEN ran, so a message published right after subscribe() returns is heard.
            awaitCommand(new Command(identifier, true), channel);
        }
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            AtomicBoolean last = new AtomicBoolean();
            listenersByIdentifier.computeIfPresent(identifier, (id, list) -> {
                list.remove(listener);
                last.set(list.isEmpty());
                return list.isEmpty() ? null : list;
            });
            if (last.get() && !closed.get()) {
                commands.add(new Command(identifier, false));
            }
        };
    }

    private void awaitCommand(Command command, String channel) {
        if (closed.get()) {
            return;
        }
        commands.add(command);
        try {
            command.done.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warn("LISTEN for channel \"{}\" not confirmed within 5 s; it will apply once the listener reconnects",
                    channel);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("LISTEN for channel \"{}\" failed", channel, e.getCause());
        }
    }

    private Connection connectListener() throws SQLException {
        Connection c = DriverManager.getConnection(jdbcUrl, listenerProperties);
        try (Statement s = c.createStatement()) {
            for (String identifier : listenersByIdentifier.keySet()) {
                s.execute("LISTEN " + identifier);
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void listen() {
        long backoff = 0;
        while (!closed.get()) {
            try {
                if (listener == null) {
                    listener = connectListener();
                    LOG.info("PostgreSQL listener reconnected; listening on {} channels", listenersByIdentifier.size());
                    backoff = 0;
                }
                runCommands();
                PGNotification[] notifications = listener.unwrap(PGConnection.class).getNotifications(WAIT_MILLIS);
                if (notifications != null) {
                    for (PGNotification n : notifications) {
                        dispatch(n);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed.get()) {
                    break;
                }
                closeListener();
                backoff = backoff == 0 ? 100 : Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                LOG.warn("PostgreSQL listener connection failed ({}); reconnecting in {} ms", e.getMessage(), backoff);
                waitForRetry(backoff);
            }
        }
        closeListener();
        Command c;
        while ((c = commands.poll()) != null) {
            c.done.complete(null);
        }
    }

    /** Runs queued LISTEN/UNLISTEN commands. Those that fail stay pending for the reconnect to cover. */
    private void runCommands() throws SQLException {
        Command command;
        while ((command = commands.poll()) != null) {
            if (command.identifier.isEmpty()) {
                command.done.complete(null); // the wake-up sent by close()
                continue;
            }
            boolean wanted = listenersByIdentifier.containsKey(command.identifier);
            try (Statement s = listener.createStatement()) {
                // The map is the truth: LISTEN only what still has listeners, UNLISTEN only what has none.
                if (command.listen && wanted) {
                    s.execute("LISTEN " + command.identifier);
                } else if (!command.listen && !wanted) {
                    s.execute("UNLISTEN " + command.identifier);
                }
            } finally {
                // On failure the reconnect re-LISTENs every channel in the map, which covers this command.
                command.done.complete(null);
            }
        }
    }

    private void waitForRetry(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        // Commands arriving meanwhile are answered at once: the reconnect will LISTEN on every channel anyway.
        while (!closed.get()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                Command c = commands.poll(left, TimeUnit.NANOSECONDS);
                if (c != null) {
                    c.done.complete(null);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void dispatch(PGNotification n) {
        List<Consumer<byte[]>> listeners = listenersByIdentifier.get(n.getName());
        if (listeners == null) {
            return;
        }
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(n.getParameter());
        } catch (IllegalArgumentException e) {
            LOG.warn("notification on {} with a payload that is not base64 ignored (another program's?)", n.getName());
            return;
        }
        for (Consumer<byte[]> l : listeners) {
            try {
                l.accept(payload.clone());
            } catch (RuntimeException e) {
                LOG.warn("message listener threw; message dropped for it", e);
            }
        }
    }

    private void closeListener() {
        if (listener != null) {
            try {
                listener.close();
            } catch (SQLException e) {
                LOG.debug("closing the listener connection failed", e);
            }
            listener = null;
        }
    }

    /** {@value #MAX_PAYLOAD} bytes: their base64 fills a {@code NOTIFY}. */
    @Override
    public int maxPayload() {
        return MAX_PAYLOAD;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        listenersByIdentifier.clear();
        commands.add(new Command("", false)); // wakes a retry wait
        publishing.shutdown();
        try {
            publishing.awaitTermination(5, TimeUnit.SECONDS);
            listenerThread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publishPool.close();
    }

    private record Command(String identifier, boolean listen, CompletableFuture<Void> done) {
        Command(String identifier, boolean listen) {
            this(identifier, listen, new CompletableFuture<>());
        }
    }
}
