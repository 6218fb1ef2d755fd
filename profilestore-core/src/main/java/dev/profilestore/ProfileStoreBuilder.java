package dev.profilestore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.engine.Settings;
import dev.profilestore.engine.StoreEngine;
import dev.profilestore.spi.DefaultStorageProvider;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.time.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Builds a {@link ProfileStore}. Every option checks its value at once and throws
 * {@link IllegalArgumentException} naming the option; {@link #build()} checks combinations and does not
 * change the builder. Not thread-safe.
 *
 * <h2>Constants</h2>
 * <table>
 * <caption>Defaults against the original</caption>
 * <tr><th>option</th><th>ours</th><th>original ProfileStore</th></tr>
 * <tr><td>{@link #autoSavePeriod}</td><td>300 s (unchanged data: a read, no write)</td><td>300 s, always a write</td></tr>
 * <tr><td>{@link #lease}</td><td>15 s, renewed every 5 s per server</td><td>ASSUME_DEAD 630 s by wall clock</td></tr>
 * <tr><td>{@link #pollInterval}</td><td>100 ms doubling to 2 s (fallback only)</td><td>5 s, then 10 s</td></tr>
 * <tr><td>{@link #stealAfter}</td><td>40 s</td><td>SESSION_STEAL 40 s (about 45 s in practice)</td></tr>
 * <tr><td>{@link #startTimeout}</td><td>120 s</td><td>START_SESSION_TIMEOUT 120 s</td></tr>
 * <tr><td>{@link #backoff}</td><td>1 s doubling to 20 s; 8 s while closing</td><td>the same, hard-coded</td></tr>
 * <tr><td>{@link #criticalState}</td><td>5 errors in 120 s; ends 120 s later</td><td>the same</td></tr>
 * <tr><td>{@link #maxMessages}</td><td>1000</td><td>MAX_MESSAGE_QUEUE 1000</td></tr>
 * <tr><td>{@link #maxDataBytes}</td><td>4 MiB</td><td>Roblox's 4 MB value limit</td></tr>
 * <tr><td>{@link #closeTimeout}</td><td>30 s</td><td>Roblox's BindToClose limit</td></tr>
 * <tr><td>{@link #storageTimeout}</td><td>10 s</td><td>Roblox's own DataStore timeouts</td></tr>
 * </table>
 *
 * @param <T> the profile data type
 */
public final class ProfileStoreBuilder<T> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProfileStoreBuilder.class);

    private final String name;
    private final Class<T> type;
    private final Supplier<T> template;
    private Storage storage;
    private Messaging messaging;
    private boolean withoutMessaging;
    private String appId = "default";
    private String serverId;
    private Executor callbackExecutor;
    private Executor ioExecutor;
    private Scheduler scheduler = Scheduler.system();
    private ObjectMapper mapper;
    private int formatVersion = 1;
    private final Map<Integer, UnaryOperator<ObjectNode>> migrations = new TreeMap<>();
    private int maxDataBytes = 4 * 1024 * 1024;
    private Object meterRegistry;
    private Duration autoSavePeriod = Duration.ofSeconds(300);
    private Duration lease = Duration.ofSeconds(15);
    private Duration pollInitial = Duration.ofMillis(100);
    private Duration pollMax = Duration.ofSeconds(2);
    private Duration stealAfter = Duration.ofSeconds(40);
    private Duration startTimeout = Duration.ofSeconds(120);
    private Duration backoffInitial = Duration.ofSeconds(1);
    private Duration backoffMax = Duration.ofSeconds(20);
    private Duration shutdownBackoffMax = Duration.ofSeconds(8);
    private Duration closeTimeout = Duration.ofSeconds(30);
    private int criticalErrorCount = 5;
    private Duration criticalErrorWindow = Duration.ofSeconds(120);
    private Duration criticalStateExpire = Duration.ofSeconds(120);
    private int maxMessages = 1000;
    private Duration snapshotInterval = Duration.ofHours(1);
    private Duration storageTimeout = Duration.ofSeconds(10);

    ProfileStoreBuilder(String name, Class<T> type, Supplier<T> template) {
        this.name = Names.storeName(name);
        this.type = Objects.requireNonNull(type, "type");
        this.template = Objects.requireNonNull(template, "template");
    }

    /**
     * Where profiles are kept. Default: the embedded default storage (the SQLite module), if on the class path.
     * The store does not close a storage given here (it may be shared by several stores): close it after the
     * store. Messaging the store opened itself over this storage is closed with the store.
     */
    public ProfileStoreBuilder<T> storage(Storage storage) {
        this.storage = Objects.requireNonNull(storage, "storage");
        return this;
    }

    /**
     * How servers nudge each other (takeover requests, release notices, message nudges). Default: the storage
     * itself if it implements {@link Messaging}, else what {@link Storage#openMessaging()} opens over the same
     * backend (SQLite does). Without either, {@link #build()} refuses, unless {@link #withoutMessaging()} says so.
     */
    public ProfileStoreBuilder<T> messaging(Messaging messaging) {
        this.messaging = Objects.requireNonNull(messaging, "messaging");
        this.withoutMessaging = false;
        return this;
    }

    /**
     * Builds a store with no messaging, knowingly. What it costs: a server holding a profile learns that
     * another server asked for it only at its next auto-save, and a requester that hears nothing steals the
     * profile after {@code stealAfter} (40 s by default), taking only what the holder last saved. Use it for a
     * single server, or tools that only read; a network of servers should configure {@link #messaging}.
     */
    public ProfileStoreBuilder<T> withoutMessaging() {
        this.messaging = null;
        this.withoutMessaging = true;
        return this;
    }

    /** The application id (Roblox's PlaceId). Default "default". */
    public ProfileStoreBuilder<T> appId(String appId) {
        this.appId = Names.storeName(appId);
        return this;
    }

    /** This server's id (Roblox's JobId). Default: a random UUID per store instance. */
    public ProfileStoreBuilder<T> serverId(String serverId) {
        this.serverId = Names.key(serverId);
        return this;
    }

    /**
     * Where callbacks run and profile state lives. Tasks are run one at a time, in order, even on a
     * multi-threaded executor. A Minecraft server passes its main-thread executor. Default: one
     * dedicated thread per store, where a blocking call ({@code startSession}, {@code endSession})
     * made while that thread is idle runs the queued tasks on its own thread instead of waking it, and so
     * does a thread of the default I/O executor after its store call answered (still one at a time, in
     * order): callbacks may then run on those threads. A given executor always runs them itself.
     */
    public ProfileStoreBuilder<T> callbackExecutor(Executor executor) {
        this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor");
        return this;
    }

    /**
     * Where blocking store calls run. Default: a pool of up to 16 platform threads per store, idle ones
     * ending after 30 s, shut down by {@code close()}. Measured against a virtual thread per call, the pool
     * made a session cycle on PostgreSQL about twice as fast at one caller (docs/benchmarks.md): a blocked
     * platform thread is woken by the kernel directly, a virtual thread also needs its poller and a carrier.
     * With the default callback executor, a pool thread whose call answered also runs the work that follows
     * and the next store call it starts, rather than waking two other threads for them: SQLite's session
     * cycle took less than half the CPU that way. An executor given here only runs store calls.
     */
    public ProfileStoreBuilder<T> ioExecutor(Executor executor) {
        this.ioExecutor = Objects.requireNonNull(executor, "ioExecutor");
        return this;
    }

    /** Clocks and timers. Default: the system's. Tests pass a {@link dev.profilestore.time.ManualScheduler}. */
    public ProfileStoreBuilder<T> scheduler(Scheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        return this;
    }

    /** The Jackson mapper for data, metadata and messages. Default: a plain {@link ObjectMapper} with modules found on the class path. */
    public ProfileStoreBuilder<T> objectMapper(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "objectMapper");
        return this;
    }

    /**
     * The current data format version (default 1). Profiles saved with an older version are upgraded by
     * the {@link #migration}s in order when loaded; a newer one is refused and left untouched.
     */
    public ProfileStoreBuilder<T> formatVersion(int version) {
        this.formatVersion = requirePositive("formatVersion", version);
        return this;
    }

    /** Upgrades data from format {@code fromVersion} to {@code fromVersion + 1}, on the JSON tree. */
    public ProfileStoreBuilder<T> migration(int fromVersion, UnaryOperator<ObjectNode> migration) {
        requirePositive("migration fromVersion", fromVersion);
        if (migrations.putIfAbsent(fromVersion, Objects.requireNonNull(migration, "migration")) != null) {
            throw new IllegalArgumentException("a migration from format " + fromVersion + " was already given");
        }
        return this;
    }

    /** The largest serialized profile a save may write. Default 4 MiB. */
    public ProfileStoreBuilder<T> maxDataBytes(int bytes) {
        this.maxDataBytes = requirePositive("maxDataBytes", bytes);
        return this;
    }

    /** Publishes metrics (active sessions, starts by outcome, handoff time, saves, takeovers) to Micrometer. */
    @SuppressWarnings("exports") // Micrometer is optional: a caller of this method has it and requires it itself
    public ProfileStoreBuilder<T> meterRegistry(MeterRegistry registry) {
        this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
        return this;
    }

    /** Each active profile is saved once per period, spread evenly. Original: 300 s. */
    public ProfileStoreBuilder<T> autoSavePeriod(Duration period) {
        this.autoSavePeriod = requirePositive("autoSavePeriod", period);
        return this;
    }

    /**
     * A crashed server's profiles are taken over within this time of its last lease renewal, timed by
     * the store's clock (never by comparing servers' clocks). The lease is renewed every third of it;
     * the store-side lease ends a little earlier (a thirtieth, at most 500 ms) so the takeover's own
     * round trips fit inside it. Default 15 s; the original waited 630 s of wall clock.
     */
    public ProfileStoreBuilder<T> lease(Duration lease) {
        this.lease = requirePositive("lease", lease);
        return this;
    }

    /** Fallback re-reads while waiting for a holder: {@code initial}, doubling up to {@code max}. */
    public ProfileStoreBuilder<T> pollInterval(Duration initial, Duration max) {
        this.pollInitial = requirePositive("pollInterval initial", initial);
        this.pollMax = requirePositive("pollInterval max", max);
        return this;
    }

    /** A live holder that has not released this long after a request is stolen from. Original: 40 s. */
    public ProfileStoreBuilder<T> stealAfter(Duration stealAfter) {
        this.stealAfter = requirePositive("stealAfter", stealAfter);
        return this;
    }

    /** How long a start may keep failing to reach the store. Original: 120 s. */
    public ProfileStoreBuilder<T> startTimeout(Duration timeout) {
        this.startTimeout = requirePositive("startTimeout", timeout);
        return this;
    }

    /** Retry delays after store errors: {@code initial} doubling to {@code max}; while closing, to {@code shutdownMax}. */
    public ProfileStoreBuilder<T> backoff(Duration initial, Duration max, Duration shutdownMax) {
        this.backoffInitial = requirePositive("backoff initial", initial);
        this.backoffMax = requirePositive("backoff max", max);
        this.shutdownBackoffMax = requirePositive("backoff shutdownMax", shutdownMax);
        return this;
    }

    /** How long {@link ProfileStore#close()} waits for last saves. Default 30 s. */
    public ProfileStoreBuilder<T> closeTimeout(Duration timeout) {
        this.closeTimeout = requirePositive("closeTimeout", timeout);
        return this;
    }

    /** Critical state: {@code errors} within {@code window}; it ends {@code expire} after the count last stood there. */
    public ProfileStoreBuilder<T> criticalState(int errors, Duration window, Duration expire) {
        this.criticalErrorCount = requirePositive("criticalState errors", errors);
        this.criticalErrorWindow = requirePositive("criticalState window", window);
        this.criticalStateExpire = requirePositive("criticalState expire", expire);
        return this;
    }

    /** Messages kept per key; the oldest are dropped beyond it, with {@link ProfileStore#onMessagesDropped()}. */
    public ProfileStoreBuilder<T> maxMessages(int max) {
        this.maxMessages = requirePositive("maxMessages", max);
        return this;
    }

    /** The first save this long after the key's last kept version is kept as a version too. Default 1 h. */
    public ProfileStoreBuilder<T> snapshotInterval(Duration interval) {
        this.snapshotInterval = requirePositive("snapshotInterval", interval);
        return this;
    }

    /**
     * A store call that has not answered after this long fails as a store error and is retried where the
     * protocol retries, so a hung connection cannot stall a profile forever. The call itself may still
     * land later; fencing makes that harmless. Default 10 s.
     */
    public ProfileStoreBuilder<T> storageTimeout(Duration timeout) {
        this.storageTimeout = requirePositive("storageTimeout", timeout);
        return this;
    }

    /** Builds and starts the store (its lease renewal and auto-save timers). */
    public ProfileStore<T> build() {
        if (pollMax.compareTo(pollInitial) < 0) {
            throw new IllegalStateException("pollInterval max " + pollMax + " is below initial " + pollInitial);
        }
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalStateException("backoff max " + backoffMax + " is below initial " + backoffInitial);
        }
        for (int v = 1; v < formatVersion; v++) {
            if (!migrations.containsKey(v)) {
                throw new IllegalStateException("formatVersion is " + formatVersion + " but no migration from format " + v
                        + " was given");
            }
        }
        for (int from : migrations.keySet()) {
            if (from >= formatVersion) {
                throw new IllegalStateException("a migration from format " + from + " was given, but formatVersion is "
                        + formatVersion);
            }
        }
        boolean ownsStorage = false;
        Storage chosen = storage;
        Messaging chosenMessaging = messaging;
        if (chosen == null) {
            DefaultStorageProvider provider = ServiceLoader.load(DefaultStorageProvider.class).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no storage was given and no default storage is on the"
                            + " class path: add profilestore-sqlite, or call storage(...)"));
            chosen = provider.open();
            ownsStorage = true;
            if (chosenMessaging == null) {
                chosenMessaging = provider.openMessaging();
            }
            LOG.info("store {} uses the default storage: {}", name, provider.describe());
        }
        boolean ownsMessaging = false;
        if (chosenMessaging == null && !withoutMessaging) {
            if (chosen instanceof Messaging m) {
                chosenMessaging = m;
            } else {
                chosenMessaging = chosen.openMessaging();
                ownsMessaging = chosenMessaging != null;
            }
        }
        if (chosenMessaging == null && !withoutMessaging) {
            // A store that cannot hand off loses progress quietly: the next server waits stealAfter, then steals
            // what was last saved. Refuse rather than build that by accident.
            throw new IllegalStateException("store " + name + " has no messaging and its storage ("
                    + chosen.getClass().getSimpleName() + ") offers none: handoffs between servers would wait stealAfter ("
                    + stealAfter + ") and lose what the holder had not saved. Configure messaging(...), or call"
                    + " withoutMessaging() if this store runs on one server only");
        }
        if (withoutMessaging) {
            LOG.info("store {} runs without messaging (withoutMessaging()): handoffs wait for the holder's next"
                    + " auto-save or stealAfter ({})", name, stealAfter);
        }
        Executor callbacks = callbackExecutor;
        Executor io = ioExecutor;
        Duration renewal = lease.dividedBy(3);
        var timings = new Settings.Timings(autoSavePeriod, lease, renewal, pollInitial, pollMax, stealAfter, startTimeout,
                backoffInitial, backoffMax, shutdownBackoffMax, closeTimeout, criticalErrorCount, criticalErrorWindow,
                criticalStateExpire, maxMessages, snapshotInterval, storageTimeout);
        var settings = new Settings<>(name, type, template, chosen, chosenMessaging, ownsStorage, ownsMessaging, appId,
                serverId != null ? serverId : UUID.randomUUID().toString(), callbacks, io, scheduler,
                mapper != null ? mapper : new ObjectMapper().findAndRegisterModules(), formatVersion, Map.copyOf(migrations),
                maxDataBytes, meterRegistry, timings);
        return StoreEngine.create(settings);
    }

    private static int requirePositive(String option, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(option + " must be positive, was " + value);
        }
        return value;
    }

    private static Duration requirePositive(String option, Duration value) {
        Objects.requireNonNull(value, option);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(option + " must be positive, was " + value);
        }
        return value;
    }
}
