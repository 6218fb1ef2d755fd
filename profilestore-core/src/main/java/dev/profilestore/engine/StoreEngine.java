package dev.profilestore.engine;

import dev.profilestore.CorruptProfileException;
import dev.profilestore.DroppedMessages;
import dev.profilestore.LastSaveReason;
import dev.profilestore.Names;
import dev.profilestore.Overwrite;
import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.ProfileView;
import dev.profilestore.SessionInfo;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.Signal;
import dev.profilestore.SortDirection;
import dev.profilestore.StorageException;
import dev.profilestore.StoreError;
import dev.profilestore.StoreHealth;
import dev.profilestore.VersionQuery;
import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.Messaging;
import dev.profilestore.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The store's facade, the top layer of the engine: wiring, argument checks, the blocking twins, reads, removal,
 * shutdown, and the dispatch of the control messages other servers send. Everything that writes goes down one way:
 * {@link SessionStarter} (starts), {@link SessionWriter} (saves, last saves and releases), and above the writer
 * {@link CommitWriter}, {@link MessageWriter} and {@link AutoSaver}; all of them over {@link Sessions} (who is
 * loaded, in which state) and {@link RecordUpdater} (the loop, store calls, the compare-and-set loop). See the
 * package notes.
 */
public final class StoreEngine<T> implements ProfileStore<T> {

    private static final Logger log = LoggerFactory.getLogger(StoreEngine.class);

    /** Creates and starts a store from validated settings. Internal: use {@code ProfileStore.builder}. */
    public static <T> ProfileStore<T> create(Settings<T> settings) {
        StoreEngine<T> engine = new StoreEngine<>(settings);
        engine.start();
        return engine;
    }

    final Settings<T> settings;
    /** The layer every session operation writes through; see the package notes for the layers. */
    final RecordUpdater<T> records;
    private final ExecutorService ownedCallbackThread;
    private final IoThreads ownedIoThreads;
    final Sessions<T> sessions = new Sessions<>();
    final SessionWriter<T> writer;
    private final CommitWriter<T> commits;
    private final MessageWriter<T> messages;
    final SessionStarter<T> starter;
    final AutoSaver<T> autoSaver;
    private Messaging.Subscription subscription;
    /**
     * TAKEOVERs that came while this server's own start for the key was on its way (its lock written, the reply not
     * back yet): no session to release and no orphan to hand over. Answered the moment that start finishes, so the
     * requester does not wait for its poll. Loop-confined.
     */
    private final Map<String, ControlMessage> takeoversForStarts = new HashMap<>();
    private CompletableFuture<Void> closed;
    private StoreEngine<T> mockTwin;

    private StoreEngine(Settings<T> settings) {
        this.settings = settings;
        Scheduler scheduler = settings.scheduler();
        String leaseId = claimLeaseId(scheduler, settings.serverId() + "/" + settings.name() + "/"
                + Long.toHexString(scheduler.instant().toEpochMilli()) + Long.toHexString(scheduler.nanoTime() & 0xffff_ffffL));
        Executor callbacks = settings.callbackExecutor();
        if (callbacks == null) {
            ownedCallbackThread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "profilestore-" + settings.name());
                t.setDaemon(true);
                return t;
            });
            callbacks = ownedCallbackThread;
        } else {
            ownedCallbackThread = null;
        }
        Executor io;
        if (settings.ioExecutor() == null && settings.storage().capabilities().nonBlocking()) {
            ownedIoThreads = null;
            io = RecordUpdater.INLINE;
        } else if (settings.ioExecutor() == null) {
            ownedIoThreads = IoThreads.create(settings.name());
            io = ownedIoThreads;
        } else {
            ownedIoThreads = null;
            io = settings.ioExecutor();
        }
        this.records = new RecordUpdater<>(settings, leaseId,
                new SerialExecutor(callbacks, ownedCallbackThread != null), io, sessions::activeCount);
        this.writer = new SessionWriter<>(records, sessions);
        this.commits = new CommitWriter<>(records, writer);
        this.messages = new MessageWriter<>(records, sessions, writer);
        this.starter = new SessionStarter<>(records, sessions, (key, data, json, env, revision, created, updated, session, owner, at) ->
                new ActiveProfile<>(this, key, data, json, env, revision, created, updated, session, owner, at));
        this.autoSaver = new AutoSaver<>(records, writer);
        sessions.onActive(autoSaver::add);
        sessions.onInactive(autoSaver::remove);
        sessions.onGone(starter::wake);
        starter.onFinished(key -> {
            ControlMessage kept = takeoversForStarts.remove(key);
            if (kept != null) {
                handleControl(kept);
            }
        });
    }

    /**
     * Lease ids of the stores open in this JVM, per scheduler. The id's varying part comes from the injected
     * scheduler, so a simulation on its own manual clock replays the same ids (even after a crashed server
     * that was never closed); two stores built at the same instant of one scheduler with the same server id
     * and name (only possible on a manual clock) get a suffix instead of sharing a lease.
     */
    private static final Map<Scheduler, java.util.Set<String>> OPEN_LEASES =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private static String claimLeaseId(Scheduler scheduler, String base) {
        java.util.Set<String> open = OPEN_LEASES.computeIfAbsent(scheduler,
                s -> java.util.concurrent.ConcurrentHashMap.newKeySet());
        String id = base;
        for (int n = 1; !open.add(id); n++) {
            id = base + "-" + n;
        }
        return id;
    }

    private void start() {
        if (records.messaging != null) {
            subscription = records.messaging.subscribe(ControlMessage.channel(records.serverId), this::onControlMessage);
        }
        records.lease.start();
        log.debug("store {} started as server {} of app {}", records.name, records.serverId, settings.appId());
    }


    private void onControlMessage(byte[] payload) {
        ControlMessage message = ControlMessage.decode(payload);
        if (message == null || !message.store().equals(records.name)) {
            return;
        }
        records.loop.execute(() -> handleControl(message));
    }

    private void handleControl(ControlMessage message) {
        switch (message.kind()) {
            case TAKEOVER -> {
                ActiveProfile<T> profile = sessions.active(message.key());
                ActiveProfile<T> ending = sessions.ending(message.key());
                if (profile != null && profile.session.epoch() == message.epoch() && !records.closing) {
                    writer.release(profile, message);
                } else if (ending != null && ending.session.epoch() == message.epoch()) {
                    // Already saving for the last time (its player left): say so the moment it lands, so the
                    // requester does not wait for its poll.
                    ending.ended.whenComplete((v, e) -> records.loop.execute(() -> records.publish(message.fromServer(),
                            ControlMessage.Kind.RELEASED, message.key(), message.epoch())));
                } else if (profile == null && starter.starting(message.key()) && !records.closing) {
                    takeoversForStarts.put(message.key(), message);
                } else if (profile == null && !records.closing) {
                    ControlMessage.Request request = message.request();
                    starter.releaseOrphan(message.key(), message.epoch(),
                            request == null ? null : request.takeover(message.fromServer()), message.fromServer());
                } else if (profile == null) {
                    // Closing, with no session of the key left here: the requester reads again now rather than at
                    // its poll (a restart moves many players at once). Only a hint: nothing is read or written.
                    records.publish(message.fromServer(), ControlMessage.Kind.RELEASED, message.key(), message.epoch());
                }
            }
            case RELEASED -> starter.wake(message.key());
            case HANDED -> starter.handed(message);
            case MESSAGE -> {
                ActiveProfile<T> profile = sessions.active(message.key());
                if (profile != null && profile.session.epoch() == message.epoch()) {
                    writer.save(profile, false);
                }
            }
        }
    }

    // ---- ProfileStore ----

    @Override
    public String name() {
        return records.name;
    }

    @Override
    public String leaseId() {
        return records.leaseId;
    }

    @Override
    public Executor callbackExecutor() {
        return records.loop;
    }

    @Override
    public CompletableFuture<SessionStart<T>> startSessionAsync(String key, SessionOptions options) {
        return records.onLoop(start(key, options));
    }

    @Override
    public SessionStart<T> startSession(String key, SessionOptions options) {
        return records.awaitOnLoop(start(key, options));
    }

    /** Checks the arguments on the caller's thread; returns the start, to run on the loop. */
    private Supplier<CompletableFuture<SessionStart<T>>> start(String key, SessionOptions options) {
        Names.key(key);
        java.util.Objects.requireNonNull(options, "options");
        return () -> starter.start(key, options);
    }

    @Override
    public CompletableFuture<Void> messageAsync(String key, Object message) {
        Names.key(key);
        var body = records.codec.messageBody(message);
        return records.onLoop(() -> messages.message(key, body));
    }

    @Override
    public CompletableFuture<Optional<ProfileView<T>>> getAsync(String key) {
        Names.key(key);
        return records.onLoop(() -> {
            records.requireOpen();
            return records.keys.run(key, () -> records.read(key)).thenApply(current -> view(key, current, null));
        });
    }

    @Override
    public CompletableFuture<Optional<ProfileView<T>>> getAsync(String key, String version) {
        Names.key(key);
        java.util.Objects.requireNonNull(version, "version");
        return records.onLoop(() -> {
            records.requireOpen();
            return records.keys.run(key, () -> records.call(() -> records.toCurrent(records.storage.readVersion(records.name, key, version))))
                    .thenApply(current -> view(key, current, version));
        });
    }

    Optional<ProfileView<T>> view(String key, Current current, String version) {
        if (current.isMissing()) {
            return Optional.empty();
        }
        if (current.corrupt() != null) {
            throw new CorruptProfileException("profile " + records.name + "/" + key + " holds a value that is not a profile: "
                    + current.corrupt().getMessage(), current.corrupt());
        }
        Envelope env = current.env();
        T data = env.isMessageBox() ? records.codec.newData() : records.codec.decode(env.data, env.dataVersion);
        Envelope.Lock lock = current.lock();
        SessionInfo holder = lock == null ? null : lock.info();
        return Optional.of(new ViewProfile<>(this, key, data, env, current.record(),
                version != null ? version : Long.toString(current.revision()), holder));
    }

    @Override
    public VersionQuery<T> versionQuery(String key, SortDirection direction, Instant from, Instant to) {
        Names.key(key);
        java.util.Objects.requireNonNull(direction, "direction");
        return new VersionQueryImpl<>(this, key, direction, from, to);
    }

    @Override
    public CompletableFuture<Boolean> removeAsync(String key) {
        Names.key(key);
        return records.onLoop(() -> {
            records.requireOpen();
            return records.keys.run(key, () -> removeCurrent(key, REMOVE_ATTEMPTS)).thenApply(removed -> {
                ActiveProfile<T> profile = sessions.active(key);
                if (profile != null) {
                    // Its next write will find the record gone and end the session as lost; check now.
                    writer.save(profile, false);
                }
                return removed;
            });
        });
    }

    /** How often a removal re-reads a record that changed between its read and its delete before giving up. */
    private static final int REMOVE_ATTEMPTS = 8;

    /**
     * Deletes the record at the revision just read. The delete is a compare-and-set so that one which lands
     * late, after its call timed out and later writes were acknowledged, deletes nothing of theirs.
     * Completes with whether a record existed when the removal began.
     */
    private CompletableFuture<Boolean> removeCurrent(String key, int attemptsLeft) {
        return records.call(() -> records.storage.read(records.name, key)).thenCompose(found -> {
            if (found.isEmpty()) {
                return CompletableFuture.completedFuture(attemptsLeft < REMOVE_ATTEMPTS);
            }
            return records.call(() -> records.storage.remove(records.name, key, found.get().revision())).thenCompose(removed -> {
                if (removed) {
                    return CompletableFuture.completedFuture(true);
                }
                if (attemptsLeft <= 1) {
                    return CompletableFuture.failedFuture(new StorageException("profile " + records.name + "/" + key
                            + " changed " + REMOVE_ATTEMPTS + " times while it was being removed; nothing was removed"));
                }
                return removeCurrent(key, attemptsLeft - 1);
            });
        });
    }

    @Override
    public CompletableFuture<List<String>> keysByUserIdAsync(long userId) {
        return records.onLoop(() -> records.call(() -> records.storage.keysByUserId(records.name, userId)));
    }

    @Override
    public Optional<Profile<T>> activeProfile(String key) {
        return Optional.ofNullable(sessions.active(key));
    }

    @Override
    public CompletableFuture<Void> saveAllAsync(List<Profile<T>> profiles) {
        List<Profile<T>> copy = List.copyOf(profiles);
        return records.onLoop(() -> commits.saveAll(copy));
    }

    @Override
    public CompletableFuture<Void> commitAsync(List<Profile<T>> profiles, Runnable change) {
        List<Profile<T>> copy = List.copyOf(profiles);
        java.util.Objects.requireNonNull(change, "change");
        return records.onLoop(() -> commits.commit(copy, change));
    }

    @Override
    public synchronized ProfileStore<T> mock() {
        if (mockTwin == null) {
            var twin = new Settings<>(records.name, settings.type(), settings.template(), new InMemoryStorage(records.scheduler, 100),
                    new InMemoryMessaging(), true, true, settings.appId(), records.serverId + "-mock", records.loop, records.io, records.scheduler,
                    settings.mapper(), settings.formatVersion(), settings.migrations(), settings.maxDataBytes(), null, records.timings);
            mockTwin = (StoreEngine<T>) create(twin);
        }
        return mockTwin;
    }

    @Override
    public Signal<StoreError> onError() {
        return records.onError;
    }

    @Override
    public Signal<Overwrite> onOverwrite() {
        return records.onOverwrite;
    }

    @Override
    public Signal<Boolean> onCriticalToggle() {
        return records.onCriticalToggle;
    }

    @Override
    public Signal<DroppedMessages> onMessagesDropped() {
        return records.onMessagesDropped;
    }

    @Override
    public boolean isClosing() {
        return records.closing;
    }

    @Override
    public boolean isCriticalState() {
        return records.criticalNow;
    }

    @Override
    public StoreHealth health() {
        // ending and the key queue belong to the loop; their sizes are read racily on purpose, so a health
        // check never waits behind a busy loop.
        int ioQueue = ownedIoThreads != null ? ownedIoThreads.queued() : 0;
        return new StoreHealth(records.lease.isLive(), records.criticalNow, records.lease.lastRenewalSucceeded(), records.closing,
                sessions.activeCount(), sessions.endingCount(), records.keys.busyKeys(), ioQueue);
    }


    @Override
    public CompletableFuture<Void> closeAsync() {
        return records.onLoop(() -> {
            if (closed != null) {
                return closed;
            }
            records.closing = true;
            closed = new CompletableFuture<>();
            starter.wakeAll();
            List<CompletableFuture<Void>> releases = new ArrayList<>();
            for (ActiveProfile<T> profile : sessions.allActive()) {
                releases.add(writer.end(profile, LastSaveReason.SHUTDOWN));
            }
            sessions.allEnding().forEach(p -> releases.add(p.ended));
            // Starts are drained too: a start that never ended would keep close (and the lease) forever.
            CompletableFuture<Void> drained = CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new))
                    .handle((v, e) -> null).thenCompose(v -> starter.idle());
            var deadline = records.scheduler.schedule(records.timings.closeTimeout(), () -> records.loop.execute(() -> {
                if (!drained.isDone()) {
                    records.closeDeadlinePassed = true;
                    log.error("store {} closed before every last save and start finished ({} last saves left after {});"
                            + " their locks are released by this server's lease ending", records.name,
                            releases.stream().filter(f -> !f.isDone()).count(), records.timings.closeTimeout());
                    starter.abandonAll();
                    drained.complete(null);
                }
            }));
            drained.whenComplete((v, e) -> {
                deadline.cancel();
                autoSaver.stop();
                CompletableFuture<Void> twin = mockTwin != null ? mockTwin.closeAsync() : CompletableFuture.completedFuture(null);
                twin.handle((x, y) -> null).thenCompose(x -> records.lease.stop()).whenComplete((x, y) -> {
                    if (subscription != null) {
                        subscription.close();
                    }
                    if (settings.ownsStorage()) {
                        closeQuietly(records.storage);
                    }
                    if ((settings.ownsStorage() || settings.ownsMessaging()) && records.messaging != null && records.messaging != records.storage) {
                        closeQuietly(records.messaging);
                    }
                    java.util.Set<String> open = OPEN_LEASES.get(records.scheduler);
                    if (open != null) {
                        open.remove(records.leaseId);
                    }
                    closed.complete(null);
                    if (ownedCallbackThread != null) {
                        ownedCallbackThread.shutdown();
                    }
                    if (ownedIoThreads != null) {
                        ownedIoThreads.shutdown();
                    }
                });
            });
            return closed;
        });
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("closing {} failed", c, e);
        }
    }

    @Override
    public void close() {
        records.await(closeAsync());
    }


    @Override
    public String toString() {
        return "ProfileStore[" + records.name + ", server " + records.serverId + ", " + sessions.activeCount() + " active]";
    }
}
