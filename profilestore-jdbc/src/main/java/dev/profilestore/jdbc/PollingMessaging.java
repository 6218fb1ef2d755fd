package dev.profilestore.jdbc;

import dev.profilestore.spi.Messaging;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Messaging} over a table, for databases without publish/subscribe (MySQL, MariaDB, SQLite).
 *
 * <p>{@link #publish} hands the message to a background thread that inserts it into {@code <prefix>messages}
 * (an auto-increment id, the channel, the payload, the database time). One poller thread per instance reads rows
 * past the last id it has seen, every {@code interval}, and calls the listeners of their channels on that thread.
 * When the dialect offers a {@link SqlDialect#dataVersion change counter} the poll costs one cheap pragma while
 * nothing changed. A publish in this process wakes the poller at once. Rows older than {@link #RETENTION} are
 * deleted by publishers, at most once per {@link #PRUNE_EVERY}.
 *
 * <p>Auto-increment ids are handed out before commit, so an insert can commit after one with a higher id has been
 * read. The poller therefore keeps looking, for two seconds, for ids it skipped. A message is still a
 * hint (see {@link Messaging}): one committing later than that, or sent while an instance was not running, is
 * missed by it.
 *
 * <p>Thread-safe. {@link #close()} stops both threads and closes both connection sources.
 */
public final class PollingMessaging implements Messaging {

    /** How long messages stay in the table. */
    public static final Duration RETENTION = Duration.ofSeconds(60);
    /** How often a publisher deletes old messages, at most. */
    public static final Duration PRUNE_EVERY = Duration.ofSeconds(5);
    /** The most rows one poll reads. */
    private static final int BATCH = 500;
    /** How long a skipped id is looked for again, in case its insert commits late. */
    private static final Duration HOLE_PATIENCE = Duration.ofSeconds(2);
    /** The most skipped ids looked for at once. */
    private static final int MAX_HOLES = 200;

    private static final Logger LOG = LoggerFactory.getLogger(PollingMessaging.class);

    private final ConnectionSource publisher;
    private final ConnectionSource poller;
    private final SqlDialect dialect;
    private final TableNames t;
    private final long intervalNanos;
    private final Map<String, List<Consumer<byte[]>>> channels = new ConcurrentHashMap<>();
    private final ExecutorService publishing;
    private final Thread pollThread;
    private final AtomicBoolean woken = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable afterInsert;
    private volatile long lastPruneNanos = System.nanoTime() - Duration.ofDays(1).toNanos();
    private long lastId;
    /** Skipped ids still looked for, with the time to give up on each; only the poll thread touches it. */
    private final Map<Long, Long> holes = new LinkedHashMap<>();

    /**
     * Starts polling. The tables must exist already (open a {@link JdbcStorage} with the same prefix first).
     *
     * @param publisher connections for inserts
     * @param poller connections for the poll; a dialect with a change counter needs the same connection every time
     * @param interval the time between polls, e.g. 10 ms
     * @throws dev.profilestore.StorageException when the messages table cannot be read
     */
    public PollingMessaging(ConnectionSource publisher, ConnectionSource poller, SqlDialect dialect, TableNames tables,
            Duration interval) {
        this(publisher, poller, dialect, tables, interval, () -> { });
    }

    /**
     * As {@link #PollingMessaging(ConnectionSource, ConnectionSource, SqlDialect, TableNames, Duration)}, calling
     * {@code afterInsert} on the publishing thread after each message is committed: to {@link #wake} other instances
     * on the same database in this process, which would otherwise see it only at their next poll.
     */
    public PollingMessaging(ConnectionSource publisher, ConnectionSource poller, SqlDialect dialect, TableNames tables,
            Duration interval, Runnable afterInsert) {
        this.afterInsert = Objects.requireNonNull(afterInsert, "afterInsert");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.poller = Objects.requireNonNull(poller, "poller");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.t = Objects.requireNonNull(tables, "tables");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
        this.intervalNanos = interval.toNanos();
        try {
            Connection c = poller.acquire();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(id), 0) FROM " + t.messages())) {
                rs.next();
                lastId = rs.getLong(1);
            } finally {
                poller.release(c);
            }
        } catch (SQLException e) {
            publisher.close();
            poller.close();
            throw new dev.profilestore.StorageException(dialect.name() + " messaging could not read "
                    + t.messages() + ": " + e.getMessage(), e);
        }
        this.publishing = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "profilestore-" + dialect.name().toLowerCase() + "-publish");
            thread.setDaemon(true);
            return thread;
        });
        this.pollThread = Thread.ofPlatform().daemon().name("profilestore-" + dialect.name().toLowerCase() + "-poll")
                .unstarted(this::pollLoop);
        pollThread.start();
    }

    @Override
    public void publish(String channel, byte[] payload) {
        Objects.requireNonNull(channel, "channel");
        byte[] copy = payload.clone();
        if (closed.get()) {
            LOG.debug("publish on {} after close dropped", channel);
            return;
        }
        try {
            publishing.execute(() -> insert(channel, copy));
        } catch (RejectedExecutionException e) {
            LOG.debug("publish on {} after close dropped", channel);
        }
    }

    private void insert(String channel, byte[] payload) {
        try {
            Connection c = publisher.acquire();
            try {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t.messages()
                        + " (channel, payload, created_at) VALUES (?, ?, " + dialect.nowMicros() + ")")) {
                    ps.setString(1, channel);
                    ps.setBytes(2, payload);
                    ps.executeUpdate();
                }
                long now = System.nanoTime();
                if (now - lastPruneNanos > PRUNE_EVERY.toNanos()) {
                    lastPruneNanos = now;
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.messages()
                            + " WHERE created_at < " + dialect.nowMicros() + " - ?")) {
                        ps.setLong(1, RETENTION.toNanos() / 1000);
                        ps.executeUpdate();
                    }
                }
            } finally {
                publisher.release(c);
            }
            wake();
            afterInsert.run();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("{} publish on channel \"{}\" failed: {}", dialect.name(), channel, e.getMessage(), e);
        }
    }

    /** A message from another process waits for the next poll: up to one interval. */
    @Override
    public Duration deliveryDelay() {
        return Duration.ofNanos(intervalNanos);
    }

    /** Polls now rather than at the next interval: a row was just committed to the table. */
    public void wake() {
        woken.set(true);
        LockSupport.unpark(pollThread);
    }

    @Override
    public Subscription subscribe(String channel, Consumer<byte[]> listener) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(listener, "listener");
        channels.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                channels.computeIfPresent(channel, (c, list) -> {
                    list.remove(listener);
                    return list.isEmpty() ? null : list;
                });
            }
        };
    }

    private void pollLoop() {
        long seenVersion = Long.MIN_VALUE;
        long failures = 0;
        while (!closed.get()) {
            boolean full = false;
            try {
                Connection c = poller.acquire();
                try {
                    long version = dialect.dataVersion(c);
                    boolean wake = woken.getAndSet(false);
                    if (version == -1 || version != seenVersion || wake) {
                        seenVersion = version;
                        full = poll(c);
                    }
                } finally {
                    poller.release(c);
                }
                failures = 0;
            } catch (SQLException | RuntimeException e) {
                if (closed.get()) {
                    break;
                }
                failures++;
                if (failures == 1 || failures % 100 == 0) {
                    LOG.warn("{} message poll failed ({} in a row): {}", dialect.name(), failures, e.getMessage(), e);
                }
                seenVersion = Long.MIN_VALUE;
            }
            if (!full && !woken.get()) {
                // Backs off to at most 1 s while the database keeps failing.
                LockSupport.parkNanos(this, failures == 0 ? intervalNanos
                        : Math.min(TimeUnit.SECONDS.toNanos(1), intervalNanos * (1L << Math.min(failures, 10))));
            }
        }
    }

    /** Reads and delivers one batch; true when the batch was full (more may be waiting). */
    private boolean poll(Connection c) throws SQLException {
        long now = System.nanoTime();
        holes.values().removeIf(deadline -> deadline - now < 0);
        List<Long> late = List.copyOf(holes.keySet());
        StringBuilder q = new StringBuilder("SELECT id, channel, payload FROM ").append(t.messages())
                .append(" WHERE id > ?");
        if (!late.isEmpty()) {
            q.append(" OR id IN (").append("?, ".repeat(late.size() - 1)).append("?)");
        }
        q.append(" ORDER BY id LIMIT ").append(BATCH);
        int rows = 0;
        try (PreparedStatement ps = c.prepareStatement(q.toString())) {
            ps.setLong(1, lastId);
            for (int i = 0; i < late.size(); i++) {
                ps.setLong(i + 2, late.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    long id = rs.getLong(1);
                    if (id <= lastId) {
                        holes.remove(id); // a late commit of an id skipped earlier
                    } else {
                        rememberHoles(id, now);
                        lastId = id;
                    }
                    String channel = rs.getString(2);
                    List<Consumer<byte[]>> listeners = channels.get(channel);
                    if (listeners == null) {
                        continue;
                    }
                    byte[] payload = rs.getBytes(3);
                    for (Consumer<byte[]> listener : listeners) {
                        deliver(channel, listener, payload.clone());
                    }
                }
            }
        }
        return rows == BATCH;
    }

    /**
     * Ids skipped between the last one seen and {@code id} may belong to inserts that have not committed yet
     * (auto-increment ids are handed out before commit); they are looked for again for {@link #HOLE_PATIENCE}.
     */
    private void rememberHoles(long id, long now) {
        for (long h = Math.max(lastId + 1, id - MAX_HOLES); h < id; h++) {
            holes.put(h, now + HOLE_PATIENCE.toNanos());
        }
        while (holes.size() > MAX_HOLES) {
            holes.remove(holes.keySet().iterator().next());
        }
    }

    private static void deliver(String channel, Consumer<byte[]> listener, byte[] payload) {
        try {
            listener.accept(payload);
        } catch (RuntimeException e) {
            LOG.warn("listener on channel \"{}\" threw; message dropped for it", channel, e);
        }
    }

    /** 256 KiB: a row of the messages table, kept for a minute; a hint that size is already a mistake. */
    @Override
    public int maxPayload() {
        return 256 * 1024;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        channels.clear();
        publishing.shutdown();
        try {
            if (!publishing.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("{} messaging: pending publishes still running after 5 s; closing anyway", dialect.name());
            }
            LockSupport.unpark(pollThread);
            pollThread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.close();
        poller.close();
    }
}
