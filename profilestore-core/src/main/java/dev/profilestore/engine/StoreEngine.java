package dev.profilestore.engine;

import dev.profilestore.CorruptProfileException;
import dev.profilestore.DataTooLargeException;
import dev.profilestore.DroppedMessages;
import dev.profilestore.KeyInfo;
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
import dev.profilestore.StoreClosedException;
import dev.profilestore.StorageException;
import dev.profilestore.StoreError;
import dev.profilestore.StoreHealth;
import dev.profilestore.VersionQuery;
import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import dev.profilestore.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The store: wiring, the event loop, reads, removal and shutdown. Session starts live in
 * {@link SessionStarter}, saves and releases in {@link SessionWriter}, multi-profile commits in
 * {@link CommitWriter}, messages in {@link MessageWriter}; see the package notes.
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
    final Settings.Timings timings;
    final String name;
    final String serverId;
    /**
     * This store instance's server lease, named in every lock it takes. One per instance, not per server id:
     * two stores of one process, or a restarted server reusing its id, must not keep each other's locks
     * alive, nor drop each other's lease on close.
     */
    final String leaseId;
    final Storage storage;
    final Messaging messaging;
    final Scheduler scheduler;
    final SerialExecutor loop;
    private final ExecutorService ownedCallbackThread;
    private final ExecutorService ownedIoThreads;
    private final Executor io;
    final EnvelopeCodec envelopes;
    final DataCodec<T> codec;
    final KeyQueue keys;
    final Sessions<T> sessions = new Sessions<>();
    final SessionWriter<T> writer;
    private final CommitWriter<T> commits;
    private final MessageWriter<T> messages;
    final SessionStarter<T> starter;
    final AutoSaver<T> autoSaver;
    final LeaseKeeper lease;
    final Metrics metrics;
    private final CriticalState critical;
    private volatile boolean criticalNow;
    private Messaging.Subscription subscription;

    final SignalImpl<StoreError> onError = new SignalImpl<>("onError");
    final SignalImpl<Overwrite> onOverwrite = new SignalImpl<>("onOverwrite");
    final SignalImpl<Boolean> onCriticalToggle = new SignalImpl<>("onCriticalToggle");
    final SignalImpl<DroppedMessages> onMessagesDropped = new SignalImpl<>("onMessagesDropped");

    /** The numbers of this instance's message sends and commits (see {@link Envelope#senders}); loop only. */
    private long lastSendSeq;
    volatile boolean closing;
    /** Set when close has waited as long as it may: last-save retries stop. */
    volatile boolean closeDeadlinePassed;
    private CompletableFuture<Void> closed;
    private StoreEngine<T> mockTwin;

    private StoreEngine(Settings<T> settings) {
        this.settings = settings;
        this.timings = settings.timings();
        this.name = settings.name();
        this.serverId = settings.serverId();
        this.leaseId = claimLeaseId(settings.scheduler(), serverId + "/" + name + "/" + Long.toHexString(settings.scheduler().instant().toEpochMilli())
                + Long.toHexString(settings.scheduler().nanoTime() & 0xffff_ffffL));
        this.storage = settings.storage();
        this.messaging = settings.messaging();
        this.scheduler = settings.scheduler();
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
        this.loop = new SerialExecutor(callbacks);
        if (settings.ioExecutor() == null && storage.capabilities().nonBlocking()) {
            ownedIoThreads = null;
            io = INLINE;
        } else if (settings.ioExecutor() == null) {
            ownedIoThreads = IoThreads.create(settings.name());
            io = ownedIoThreads;
        } else {
            ownedIoThreads = null;
            io = settings.ioExecutor();
        }
        this.keys = new KeyQueue(loop);
        this.envelopes = new EnvelopeCodec(settings.mapper());
        this.codec = new DataCodec<>(settings.mapper(), settings.type(), settings.template(), settings.formatVersion(),
                settings.migrations());
        this.critical = new CriticalState(timings.criticalErrorCount(), timings.criticalErrorWindow().toNanos(),
                timings.criticalStateExpire().toNanos());
        this.metrics = Metrics.create(settings.meterRegistry(), name, sessions::activeCount, () -> criticalNow ? 1 : 0);
        this.writer = new SessionWriter<>(this);
        this.commits = new CommitWriter<>(this, writer);
        this.messages = new MessageWriter<>(this);
        this.starter = new SessionStarter<>(this);
        this.autoSaver = new AutoSaver<>(this);
        sessions.onActive(autoSaver::add);
        sessions.onInactive(autoSaver::remove);
        sessions.onGone(starter::wake);
        this.lease = new LeaseKeeper(this, settings.ioExecutor());
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
        if (messaging != null) {
            subscription = messaging.subscribe(ControlMessage.channel(serverId), this::onControlMessage);
        }
        lease.start();
        log.debug("store {} started as server {} of app {}", name, serverId, settings.appId());
    }

    // ---- the event loop and I/O ----

    /** Runs {@code work} on the loop and returns its future. */
    <R> CompletableFuture<R> onLoop(Supplier<CompletableFuture<R>> work) {
        if (loop.inLoop()) {
            try {
                return work.get();
            } catch (Throwable t) {
                return CompletableFuture.failedFuture(t);
            }
        }
        CompletableFuture<R> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                work.get().whenComplete((r, e) -> {
                    if (e != null) {
                        result.completeExceptionally(unwrap(e));
                    } else {
                        result.complete(r);
                    }
                });
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** Runs a blocking store call on the I/O executor; the future completes on the loop. */
    /** The I/O "executor" of a non-blocking store: its calls run on the loop (see {@link #call(Executor, Supplier)}). */
    private static final Executor INLINE = Runnable::run;

    <R> CompletableFuture<R> call(Supplier<R> op) {
        return call(io, op);
    }

    /**
     * Runs a blocking store call on {@code executor}, failing it as a store error when it has not answered
     * within the storage timeout; the future completes on the loop.
     */
    <R> CompletableFuture<R> call(Executor executor, Supplier<R> op) {
        if (executor == INLINE && loop.inLoop()) {
            // A store that never blocks answers here, on the loop: no thread to hand the call to and back, and no
            // timeout to arm for a call that cannot hang.
            try {
                return CompletableFuture.completedFuture(op.get());
            } catch (Throwable t) {
                return CompletableFuture.failedFuture(t);
            }
        }
        CompletableFuture<R> result = new CompletableFuture<>();
        var timeout = scheduler.schedule(timings.storageTimeout(), () -> loop.execute(() -> result.completeExceptionally(
                new StorageException("the store did not answer within " + timings.storageTimeout()))));
        result.whenComplete((r, e) -> timeout.cancel());
        try {
            executor.execute(() -> {
                R value;
                try {
                    value = op.get();
                } catch (Throwable t) {
                    loop.execute(() -> result.completeExceptionally(t));
                    return;
                }
                loop.execute(() -> result.complete(value));
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new StoreClosedException("the I/O executor of store " + name + " is shut down", e));
        }
        return result;
    }

    /** Blocks for a future from a thread other than the loop's. */
    <R> R await(CompletableFuture<R> future) {
        if (loop.inLoop()) {
            throw new IllegalStateException("a blocking ProfileStore call on the callback executor would wait for itself;"
                    + " use the ...Async method there");
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new CompletionException(cause);
        }
    }

    /**
     * Runs {@code attempt} until it completes normally or fails with a cause {@code retryable} refuses (it may
     * also report the failure); between attempts it waits the backoff's next delay and runs the next attempt on
     * the loop. The one retry loop of the engine's writes: a message, a commit and a last save differ only in
     * what they attempt and which failures they retry. Fails with the last cause, unwrapped.
     */
    <R> CompletableFuture<R> retry(Backoff backoff, Predicate<Throwable> retryable, Supplier<CompletableFuture<R>> attempt) {
        CompletableFuture<R> result = new CompletableFuture<>();
        retryAttempt(backoff, retryable, attempt, result);
        return result;
    }

    private <R> void retryAttempt(Backoff backoff, Predicate<Throwable> retryable, Supplier<CompletableFuture<R>> attempt,
                                  CompletableFuture<R> result) {
        CompletableFuture<R> tried;
        try {
            tried = attempt.get();
        } catch (RuntimeException e) {
            tried = CompletableFuture.failedFuture(e);
        }
        tried.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
                return;
            }
            Throwable cause = unwrap(error);
            if (!retryable.test(cause)) {
                result.completeExceptionally(cause);
                return;
            }
            scheduler.schedule(backoff.next(), () -> loop.execute(() -> retryAttempt(backoff, retryable, attempt, result)));
        });
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Reads a record and decodes it on the I/O thread, so big documents do not parse on the loop. */
    CompletableFuture<Current> read(String key) {
        return call(() -> toCurrent(storage.read(name, key)));
    }

    Current toCurrent(Optional<StoredRecord> record) {
        if (record.isEmpty()) {
            return Current.missing();
        }
        try {
            return new Current(record.get(), envelopes.decode(record.get().payload()), null);
        } catch (CorruptProfileException e) {
            return new Current(record.get(), null, e);
        }
    }

    /**
     * The read-transform-write loop every change goes through: apply {@code transform} to the record
     * (read first unless {@code start} is given), write the result with a compare-and-set, and on a
     * conflict run the transform again on the record found. Call inside the key's queue.
     */
    CompletableFuture<Outcome> update(String key, Current start, Function<Current, Plan> transform) {
        CompletableFuture<Current> first = start != null ? CompletableFuture.completedFuture(start) : read(key);
        return first.thenCompose(current -> attemptUpdate(key, current, transform));
    }

    private CompletableFuture<Outcome> attemptUpdate(String key, Current current, Function<Current, Plan> transform) {
        Plan plan = transform.apply(current);
        if (plan instanceof Plan.Abort abort) {
            return CompletableFuture.completedFuture(new Outcome.Aborted(abort.why(), current));
        }
        Plan.Write write = (Plan.Write) plan;
        byte[] payload = encode(key, write);
        var recordWrite = new RecordWrite(payload, write.env().userIds, write.versioning(), write.cause());
        long expected = current.revision();
        // A conflict's record is decoded on the I/O thread, off the loop.
        return call(() -> Tried.of(storage.write(name, key, expected, recordWrite), this)).thenCompose(tried -> tried.written() != null
                ? CompletableFuture.completedFuture(new Outcome.Written(write.env(), write.dataJson(),
                        tried.written().revision(), tried.written().updatedAt(), current, payload))
                : attemptUpdate(key, tried.found(), transform));
    }

    /** A compare-and-set's answer: written, or the record found instead (decoded off the loop). */
    record Tried(WriteResult.Written written, Current found) {
        static Tried of(WriteResult result, StoreEngine<?> engine) {
            return switch (result) {
                case WriteResult.Written w -> new Tried(w, null);
                case WriteResult.Conflict c -> new Tried(null, engine.toCurrent(c.current()));
            };
        }
    }

    /** The record bytes of {@code write}, refused over {@code maxDataBytes} unless the write is exempt from it. */
    byte[] encode(String key, Plan.Write write) {
        byte[] payload = envelopes.encode(write.env(), write.dataJson());
        if (write.checkSize() && payload.length > settings.maxDataBytes()) {
            throw new DataTooLargeException("profile " + name + "/" + key + " serializes to " + payload.length
                    + " bytes, over the limit of " + settings.maxDataBytes() + "; it was not saved");
        }
        return payload;
    }

    /** The next number for a message send or a commit of this instance. */
    long nextSendSeq() {
        return ++lastSendSeq;
    }

    // ---- errors ----

    void reportError(String message, String key, Throwable error) {
        Throwable cause = unwrap(error);
        log.warn("store {} key {}: {}: {}", name, key, message, cause.toString());
        onError.fire(new StoreError(message + ": " + cause.getMessage(), name, key, cause));
        Boolean changed = critical.recordError(scheduler.nanoTime());
        publishCritical(changed);
    }

    void tickCritical() {
        publishCritical(critical.update(scheduler.nanoTime()));
    }

    private void publishCritical(Boolean changed) {
        if (changed != null) {
            criticalNow = changed;
            if (changed) {
                log.error("store {} entered critical state: {} or more store errors within {}", name,
                        timings.criticalErrorCount(), timings.criticalErrorWindow());
            } else {
                log.info("store {} left critical state", name);
            }
            onCriticalToggle.fire(changed);
        }
    }

    void reportOverwrite(String key, CorruptProfileException problem) {
        log.warn("store {} key {} held a value that is not a profile ({}); it was kept as a version and replaced", name,
                key, problem.getMessage());
        onOverwrite.fire(new Overwrite(name, key, problem.getMessage()));
    }

    // ---- control messages ----

    void publish(String toServer, ControlMessage.Kind kind, String key, long epoch) {
        publish(toServer, kind, key, epoch, null);
    }

    void publish(String toServer, ControlMessage.Kind kind, String key, long epoch, ControlMessage.Request request) {
        publish(toServer, new ControlMessage(kind, name, epoch, serverId, key, request));
    }

    /** Tells {@code toServer} that the last save handed it the lock, with the record written when small enough. */
    void publishHanded(String toServer, String key, long epoch, Outcome.Written written) {
        byte[] record = written.record() != null && written.record().length <= ControlMessage.HANDED_RECORD_MAX
                ? written.record() : null;
        var handed = new ControlMessage.Handed(written.revision(), written.before().isMissing() ? written.updatedAt()
                : written.before().record().createdAt(), written.updatedAt(), record);
        publish(toServer, new ControlMessage(ControlMessage.Kind.HANDED, name, epoch, serverId, key, null, handed));
    }

    private void publish(String toServer, ControlMessage message) {
        if (messaging == null || toServer == null) {
            return;
        }
        ControlMessage.Kind kind = message.kind();
        String key = message.key();
        try {
            messaging.publish(ControlMessage.channel(toServer), message.encode());
        } catch (RuntimeException e) {
            // A hint that cannot be sent only slows a handoff to the polling fallback.
            log.debug("could not publish {} for {}/{} to {}: {}", kind, name, key, toServer, e.toString());
        }
    }

    private void onControlMessage(byte[] payload) {
        ControlMessage message = ControlMessage.decode(payload);
        if (message == null || !message.store().equals(name)) {
            return;
        }
        loop.execute(() -> handleControl(message));
    }

    private void handleControl(ControlMessage message) {
        switch (message.kind()) {
            case TAKEOVER -> {
                ActiveProfile<T> profile = sessions.active(message.key());
                ActiveProfile<T> ending = sessions.ending(message.key());
                if (profile != null && profile.session.epoch() == message.epoch() && !closing) {
                    writer.release(profile, message);
                } else if (ending != null && ending.session.epoch() == message.epoch()) {
                    // Already saving for the last time (its player left): say so the moment it lands, so the
                    // requester does not wait for its poll.
                    ending.ended.whenComplete((v, e) -> loop.execute(() -> publish(message.fromServer(),
                            ControlMessage.Kind.RELEASED, message.key(), message.epoch())));
                } else if (profile == null && !closing) {
                    ControlMessage.Request request = message.request();
                    starter.releaseOrphan(message.key(), message.epoch(),
                            request == null ? null : request.takeover(message.fromServer()));
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
        return name;
    }

    @Override
    public String leaseId() {
        return leaseId;
    }

    @Override
    public Executor callbackExecutor() {
        return loop;
    }

    @Override
    public CompletableFuture<SessionStart<T>> startSessionAsync(String key, SessionOptions options) {
        Names.key(key);
        java.util.Objects.requireNonNull(options, "options");
        return onLoop(() -> starter.start(key, options));
    }

    @Override
    public SessionStart<T> startSession(String key, SessionOptions options) {
        return await(startSessionAsync(key, options));
    }

    @Override
    public CompletableFuture<Void> messageAsync(String key, Object message) {
        Names.key(key);
        var body = codec.messageBody(message);
        return onLoop(() -> messages.message(key, body));
    }

    @Override
    public CompletableFuture<Optional<ProfileView<T>>> getAsync(String key) {
        Names.key(key);
        return onLoop(() -> {
            requireOpen();
            return keys.run(key, () -> read(key)).thenApply(current -> view(key, current, null));
        });
    }

    @Override
    public CompletableFuture<Optional<ProfileView<T>>> getAsync(String key, String version) {
        Names.key(key);
        java.util.Objects.requireNonNull(version, "version");
        return onLoop(() -> {
            requireOpen();
            return keys.run(key, () -> call(() -> toCurrent(storage.readVersion(name, key, version))))
                    .thenApply(current -> view(key, current, version));
        });
    }

    Optional<ProfileView<T>> view(String key, Current current, String version) {
        if (current.isMissing()) {
            return Optional.empty();
        }
        if (current.corrupt() != null) {
            throw new CorruptProfileException("profile " + name + "/" + key + " holds a value that is not a profile: "
                    + current.corrupt().getMessage(), current.corrupt());
        }
        Envelope env = current.env();
        T data = env.isMessageBox() ? codec.newData() : codec.decode(env.data, env.dataVersion);
        Envelope.Lock lock = current.lock();
        SessionInfo holder = lock == null ? null : lock.info();
        return Optional.of(new ViewProfile<>(this, key, data, env, keyInfo(current.record()),
                version != null ? version : Long.toString(current.revision()), holder));
    }

    static KeyInfo keyInfo(StoredRecord record) {
        return new KeyInfo(record.createdAt(), record.updatedAt(), Long.toString(record.revision()));
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
        return onLoop(() -> {
            requireOpen();
            return keys.run(key, () -> removeCurrent(key, REMOVE_ATTEMPTS)).thenApply(removed -> {
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
        return call(() -> storage.read(name, key)).thenCompose(found -> {
            if (found.isEmpty()) {
                return CompletableFuture.completedFuture(attemptsLeft < REMOVE_ATTEMPTS);
            }
            return call(() -> storage.remove(name, key, found.get().revision())).thenCompose(removed -> {
                if (removed) {
                    return CompletableFuture.completedFuture(true);
                }
                if (attemptsLeft <= 1) {
                    return CompletableFuture.failedFuture(new StorageException("profile " + name + "/" + key
                            + " changed " + REMOVE_ATTEMPTS + " times while it was being removed; nothing was removed"));
                }
                return removeCurrent(key, attemptsLeft - 1);
            });
        });
    }

    @Override
    public CompletableFuture<List<String>> keysByUserIdAsync(long userId) {
        return onLoop(() -> call(() -> storage.keysByUserId(name, userId)));
    }

    @Override
    public Optional<Profile<T>> activeProfile(String key) {
        return Optional.ofNullable(sessions.active(key));
    }

    @Override
    public CompletableFuture<Void> saveAllAsync(List<Profile<T>> profiles) {
        List<Profile<T>> copy = List.copyOf(profiles);
        return onLoop(() -> commits.saveAll(copy));
    }

    @Override
    public CompletableFuture<Void> commitAsync(List<Profile<T>> profiles, Runnable change) {
        List<Profile<T>> copy = List.copyOf(profiles);
        java.util.Objects.requireNonNull(change, "change");
        return onLoop(() -> commits.commit(copy, change));
    }

    @Override
    public synchronized ProfileStore<T> mock() {
        if (mockTwin == null) {
            var twin = new Settings<>(name, settings.type(), settings.template(), new InMemoryStorage(scheduler, 100),
                    new InMemoryMessaging(), true, true, settings.appId(), serverId + "-mock", loop, io, scheduler,
                    settings.mapper(), settings.formatVersion(), settings.migrations(), settings.maxDataBytes(), null, timings);
            mockTwin = (StoreEngine<T>) create(twin);
        }
        return mockTwin;
    }

    @Override
    public Signal<StoreError> onError() {
        return onError;
    }

    @Override
    public Signal<Overwrite> onOverwrite() {
        return onOverwrite;
    }

    @Override
    public Signal<Boolean> onCriticalToggle() {
        return onCriticalToggle;
    }

    @Override
    public Signal<DroppedMessages> onMessagesDropped() {
        return onMessagesDropped;
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public boolean isCriticalState() {
        return criticalNow;
    }

    @Override
    public StoreHealth health() {
        // ending and the key queue belong to the loop; their sizes are read racily on purpose, so a health
        // check never waits behind a busy loop.
        int ioQueue = ownedIoThreads instanceof java.util.concurrent.ThreadPoolExecutor pool ? pool.getQueue().size() : 0;
        return new StoreHealth(lease.isLive(), criticalNow, lease.lastRenewalSucceeded(), closing,
                sessions.activeCount(), sessions.endingCount(), keys.busyKeys(), ioQueue);
    }

    void requireOpen() {
        if (closing) {
            throw new StoreClosedException("store " + name + " is closing");
        }
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        return onLoop(() -> {
            if (closed != null) {
                return closed;
            }
            closing = true;
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
            var deadline = scheduler.schedule(timings.closeTimeout(), () -> loop.execute(() -> {
                if (!drained.isDone()) {
                    closeDeadlinePassed = true;
                    log.error("store {} closed before every last save and start finished ({} last saves left after {});"
                            + " their locks are released by this server's lease ending", name,
                            releases.stream().filter(f -> !f.isDone()).count(), timings.closeTimeout());
                    starter.abandonAll();
                    drained.complete(null);
                }
            }));
            drained.whenComplete((v, e) -> {
                deadline.cancel();
                autoSaver.stop();
                CompletableFuture<Void> twin = mockTwin != null ? mockTwin.closeAsync() : CompletableFuture.completedFuture(null);
                twin.handle((x, y) -> null).thenCompose(x -> lease.stop()).whenComplete((x, y) -> {
                    if (subscription != null) {
                        subscription.close();
                    }
                    if (settings.ownsStorage()) {
                        closeQuietly(storage);
                    }
                    if ((settings.ownsStorage() || settings.ownsMessaging()) && messaging != null && messaging != storage) {
                        closeQuietly(messaging);
                    }
                    java.util.Set<String> open = OPEN_LEASES.get(scheduler);
                    if (open != null) {
                        open.remove(leaseId);
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
        await(closeAsync());
    }

    Duration backoffCap() {
        return closing ? timings.shutdownBackoffMax() : timings.backoffMax();
    }

    @Override
    public String toString() {
        return "ProfileStore[" + name + ", server " + serverId + ", " + sessions.activeCount() + " active]";
    }
}
