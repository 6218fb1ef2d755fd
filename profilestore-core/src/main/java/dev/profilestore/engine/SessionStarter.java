package dev.profilestore.engine;

import dev.profilestore.CorruptProfileException;
import dev.profilestore.ProfileAlreadyLoadedException;
import dev.profilestore.SessionInfo;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.StorageException;
import dev.profilestore.UnsupportedFormatException;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.time.Scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Acquires session locks. One {@link Job} per key per server: a second start for a key that is still
 * starting takes the job over (a quick rejoin), and the earlier caller gets
 * {@link SessionStart.Reason#SUPERSEDED}.
 *
 * <p>Each attempt reads the record (or reuses the one a failed compare-and-set returned) and decides:
 * take a free lock; take over when the holder's lease has run out; steal when asked to or when a live
 * holder ignored the request for {@code stealAfter}; give up when another requester came later;
 * otherwise ask the holder and wait to be woken (or for the poll timer).
 *
 * <p>The first ask is a message alone, and the holder's last save hands the lock to the requester in the
 * same compare-and-set (see {@code SessionWriter}); its HANDED notice carries the record written, so the
 * requester begins without a read or a write. A record whose lock already names this start's session is
 * begun on as it is, however it was learnt. When the ask is not answered by the next poll (a lost message,
 * a busy holder) the request is written into the record, where the holder's next read finds it.
 *
 * <p>On a transport that polls ({@link dev.profilestore.spi.Messaging#deliveryDelay()} above zero) the HANDED
 * notice waits for the requester's next poll, while the hand-over is already in the record. Until the first
 * fallback poll is due, the requester then reads the record every third of that delay ({@link Recheck#PEEK}),
 * and writes nothing: a written request would change the record under the holder's last save and make it retry.
 */
final class SessionStarter<T> {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SessionStarter.class);
    private static final Duration MIN_PEEK = Duration.ofMillis(2);

    private final RecordUpdater<T> records;
    private final Map<String, Job> jobs = new HashMap<>();
    private Consumer<String> onFinished = key -> {};
    private CompletableFuture<Void> idle;

    private final Sessions<T> sessions;
    private final ProfileMaker<T> profiles;
    /** How often a start that asked by message reads the record meanwhile; zero when messages are pushed. */
    private final Duration peekEvery;

    /**
     * Makes the game's profile object for a session just begun. The facade hands it down, so that this layer
     * creates profiles without knowing the store they belong to.
     */
    @FunctionalInterface
    interface ProfileMaker<T> {
        ActiveProfile<T> make(String key, T data, byte[] dataJson, Envelope env, long revision,
                              Instant createdAt, Instant updatedAt, SessionInfo session, SessionOwner owner,
                              long loadedAtNanos);
    }

    SessionStarter(RecordUpdater<T> records, Sessions<T> sessions, ProfileMaker<T> profiles) {
        this.records = records;
        this.sessions = sessions;
        this.profiles = profiles;
        this.peekEvery = peekEvery(records.messaging, records.timings.pollInitial());
    }

    /**
     * A third of the transport's delivery delay; zero (no peeks) when that is under 2 ms, where a read per
     * third of a poll would triple the load for a millisecond at best (SQLite's 2 ms table; within one process
     * its messages wake the poller at once anyway), or when it would not come before the first poll.
     */
    static Duration peekEvery(Messaging messaging, Duration pollInitial) {
        Duration delay = messaging == null ? null : messaging.deliveryDelay();
        if (delay == null || delay.isNegative() || delay.isZero()) {
            return Duration.ZERO;
        }
        Duration every = delay.dividedBy(3);
        return every.compareTo(MIN_PEEK) >= 0 && every.compareTo(pollInitial) < 0 ? every : Duration.ZERO;
    }

    /** How a waiting start looks at the record again when no wake-up comes first. */
    enum Recheck {
        /** The fallback poll: the builder's initial interval, doubling to its cap. */
        POLL,
        /** The profile is released but reserved for another requester: 5 ms, doubling to the poll cap. */
        RESERVED,
        /** Asked by message on a polled transport: read again after {@link #peekEvery}, write nothing. */
        PEEK
    }

    final class Job {
        final String key;
        final String sessionId = UUID.randomUUID().toString();
        final long startedNanos;
        SessionOptions options;
        CompletableFuture<SessionStart<T>> result = new CompletableFuture<>();
        Backoff poll;
        Backoff errors;
        /** Asked the holder by message; {@code requested}: the request is written in the record too. */
        boolean asked;
        boolean requested;
        /** When this start first asked a holder, by message or in the record: stealAfter counts from here. */
        long askedNanos;
        /** The record a wake-up brought (a HANDED notice), to decide on instead of reading. */
        Current wakeWith;
        Scheduler.Cancellable timer;
        boolean running;
        /** A release notice arrived while an attempt was in flight: try again as soon as it ends. */
        boolean wakeRequested;
        /** A released profile we saw reserved for another requester's session, and since when. */
        String reservedFor;
        long reservedSinceNanos;
        /** How long the holder's lease had left at the last check, by the store's clock; null when not checked. */
        Duration holderLeaseEndsIn;
        /** Re-checks while the profile is reserved for another requester: 5 ms, doubling to the poll cap. */
        final Backoff reservedPoll = new Backoff(Duration.ofMillis(5), records.timings.pollMax());
        boolean done;

        Job(String key, SessionOptions options) {
            this.key = key;
            this.options = options;
            this.startedNanos = records.scheduler.nanoTime();
            resetBackoff();
        }

        void resetBackoff() {
            poll = new Backoff(records.timings.pollInitial(), records.timings.pollMax());
            errors = new Backoff(records.timings.backoffInitial(), records.timings.backoffMax());
        }
    }

    /** Steps a decision can lead to; {@code D} is the store's data type. */
    private sealed interface Step<D> {
        record Acquired<D>(Outcome.Written written, D data, byte[] dataJson, boolean takeover, boolean stolen)
                implements Step<D> {}
        /** Wait for a wake-up, or look again as {@code recheck} says. */
        record Wait<D>(Recheck recheck) implements Step<D> {
            Wait() {
                this(Recheck.POLL);
            }
        }
        record Retry<D>(Current current) implements Step<D> {}
        record Finish<D>(SessionStart.Reason reason, String detail) implements Step<D> {}
    }

    CompletableFuture<SessionStart<T>> start(String key, SessionOptions options) {
        if (records.closing) {
            return CompletableFuture.completedFuture(new SessionStart.NotStarted<>(SessionStart.Reason.CLOSING,
                    "store " + records.name + " is closing"));
        }
        if (sessions.active(key) != null) {
            throw new ProfileAlreadyLoadedException("profile " + records.name + "/" + key + " already has an active session"
                    + " on this server; end it before starting another");
        }
        Job job = jobs.get(key);
        if (job != null) {
            CompletableFuture<SessionStart<T>> previous = job.result;
            job.result = new CompletableFuture<>();
            job.options = options;
            previous.complete(new SessionStart.NotStarted<>(SessionStart.Reason.SUPERSEDED,
                    "a newer start for " + key + " on this server took over"));
            return job.result;
        }
        job = new Job(key, options);
        jobs.put(key, job);
        CompletableFuture<SessionStart<T>> result = job.result;
        attempt(job, null);
        return result;
    }

    /** Wakes a waiting start at once: the holder said it released. */
    void wake(String key) {
        wake(key, null);
    }

    /** Wakes a waiting start to decide on {@code known} (null: read the record first). */
    private void wake(String key, Current known) {
        Job job = jobs.get(key);
        if (job != null && job.running) {
            job.wakeRequested = true;
            job.wakeWith = known;
        } else if (job != null && job.timer != null) {
            job.timer.cancel();
            job.timer = null;
            attempt(job, known);
        }
    }

    /**
     * The holder handed the lock to a start of this server. Its record is decided on as if read, but only
     * when its lock names the waiting start's session (a random id, never reused): a stale or repeated
     * notice then only costs a read. A lock handed to a start that is gone is an orphan, freed at once.
     */
    void handed(ControlMessage notice) {
        Job job = jobs.get(notice.key());
        if (job == null) {
            releaseOrphan(notice.key(), notice.epoch(), null, null);
            return;
        }
        ControlMessage.Handed handed = notice.handed();
        Current known = null;
        if (handed.record() != null) {
            try {
                known = records.toCurrent(Optional.of(new StoredRecord(handed.revision(), handed.record(),
                        handed.createdAt(), handed.updatedAt())));
            } catch (RuntimeException e) {
                known = Current.missing(); // a layout this server cannot read: let the read decide
            }
            Envelope.Lock lock = known.lock();
            if (lock == null || !lock.sessionId().equals(job.sessionId) || lock.epoch() != notice.epoch()) {
                known = null;
            }
        }
        wake(notice.key(), known);
    }

    void wakeAll() {
        List.copyOf(jobs.keySet()).forEach(this::wake);
    }

    /** Completes when no start is in flight (close waits for it). */
    CompletableFuture<Void> idle() {
        if (jobs.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        if (idle == null) {
            idle = new CompletableFuture<>();
        }
        return idle;
    }

    private void attempt(Job job, Current known) {
        if (job.done) {
            return;
        }
        if (records.closing) {
            finish(job, new SessionStart.NotStarted<>(SessionStart.Reason.CLOSING, "store " + records.name + " is closing"));
            return;
        }
        if (cancelled(job)) {
            finish(job, new SessionStart.NotStarted<>(SessionStart.Reason.CANCELLED, "the cancel condition returned true"));
            return;
        }
        job.running = true;
        job.wakeRequested = false;
        job.wakeWith = null;
        job.timer = null;
        records.lease.firstAttempt().thenCompose(ignored -> records.keys.run(job.key, () -> {
            if (!records.lease.isReady()) {
                // Without a lease of our own, other servers could take a lock we write as abandoned.
                return CompletableFuture.failedFuture(new StorageException("this server's lease is not established yet"));
            }
            CompletableFuture<Current> current = known != null ? CompletableFuture.completedFuture(known) : records.read(job.key);
            return current.thenCompose(c -> decide(job, c));
        })).whenComplete((step, error) -> {
            job.running = false;
            if (job.done) {
                return; // abandoned by close; a lock it took is freed when this instance's lease is dropped
            }
            if (error != null) {
                onError(job, RecordUpdater.unwrap(error));
                return;
            }
            try {
                onStep(job, step);
            } catch (RuntimeException e) {
                // Never leave a start pending (and close waiting on it): whatever went wrong is the start's outcome.
                onError(job, e);
            }
        });
    }

    private boolean cancelled(Job job) {
        try {
            return job.options.cancel().getAsBoolean();
        } catch (RuntimeException e) {
            records.reportError("the cancel condition threw; treating it as cancelled", job.key, e);
            return true;
        }
    }

    private CompletableFuture<Step<T>> decide(Job job, Current current) {
        long nowMs = records.scheduler.instant().toEpochMilli();
        if (current.isMissing()) {
            return createMessageBox(job.key);
        }
        if (current.corrupt() != null || current.env().isMessageBox()) {
            Envelope env = Envelope.freshProfile(current.env(), records.scheduler.instant().toEpochMilli(),
                    records.codec.formatVersion());
            T data = records.codec.newData();
            byte[] json = records.codec.serialize(data);
            env.data = records.codec.tree(json);
            RecordWrite.Versioning versioning = current.corrupt() != null ? RecordWrite.Versioning.PRESERVE_PREVIOUS
                    : RecordWrite.Versioning.NONE;
            return acquire(job, current, env, data, json, versioning, false, false, nowMs);
        }
        if (hasNullData(current)) {
            // Nothing to load, but messages, user ids and the lock protocol's bookkeeping are still here: keep
            // them, start from the template, and keep the record as it was as a version (reported below).
            Envelope env = current.env().copy();
            T data = records.codec.newData();
            byte[] json = records.codec.serialize(data);
            env.data = records.codec.tree(json);
            env.dataVersion = records.codec.formatVersion();
            return tookOver(job, current, env, data, json, RecordWrite.Versioning.PRESERVE_PREVIOUS, nowMs);
        }
        Envelope env = current.env().copy();
        T data;
        byte[] json;
        try {
            data = records.codec.decode(env.data, env.dataVersion);
            // Serialized once before the lock is taken: data this server could never save (a getter that throws
            // on old data) fails the start with the reason, and no lock is left behind.
            json = records.codec.serialize(data);
        } catch (UnsupportedFormatException e) {
            return CompletableFuture.completedFuture(new Step.Finish<>(SessionStart.Reason.UNSUPPORTED_FORMAT, e.getMessage()));
        }
        Envelope.Lock lock = env.meta.lock;
        ActiveProfile<T> endingHere = sessions.ending(job.key);
        if (lock != null && endingHere != null && endingHere.session.sessionId().equals(lock.sessionId())) {
            // Our own last save is still retrying: taking the lock now would load older data. The end wakes us.
            return CompletableFuture.completedFuture(new Step.Wait<>());
        }
        if (lock != null && lock.sessionId().equals(job.sessionId) && lock.lease().equals(records.leaseId)) {
            // The holder handed the lock to this start in its last save: begin on the record as it is.
            return CompletableFuture.completedFuture(new Step.Acquired<>(new Outcome.Written(env, json, current.revision(),
                    current.record().updatedAt(), current), data, json, false, false));
        }
        Envelope.Takeover pending = env.meta.takeover;
        if (lock == null && pending != null && !pending.sessionId().equals(job.sessionId) && !job.options.steal()) {
            return reservedForAnother(job, current, env, data, json, pending, nowMs);
        }
        if (lock == null || lock.lease().equals(records.leaseId)) {
            // Free, or a lock of this store instance left behind (its release is ordered before us by the key
            // queue, and no session of ours holds the key). A lock of another instance with our server id (a
            // restarted server reusing its name) is another holder: it is asked, or taken once its lease ends.
            return acquire(job, current, env, data, json, RecordWrite.Versioning.NONE, false, false, nowMs);
        }
        if (job.options.steal() || askedLongAgo(job)) {
            return acquire(job, current, env, data, json, RecordWrite.Versioning.NONE, false, true, nowMs);
        }
        if (!job.asked && !job.requested && env.meta.takeover == null && records.messaging != null) {
            // First ask: a message alone, before checking the holder's lease, so a live holder starts its last
            // save (which hands us the lock) at once; the check follows, and a dead lease sends us round again.
            ask(job, lock, nowMs);
            return records.call(() -> records.storage.leaseRemaining(lock.lease())).thenApply(remaining -> {
                job.holderLeaseEndsIn = remaining;
                return remaining.isZero() ? new Step.Retry<>(null) : new Step.Wait<>(afterAsking(job));
            });
        }
        if (job.asked && !job.requested && afterAsking(job) == Recheck.PEEK) {
            // The hand-over is not in the record yet: look again without writing, so the holder's save lands first.
            return CompletableFuture.completedFuture(new Step.Wait<>(Recheck.PEEK));
        }
        return records.call(() -> records.storage.leaseRemaining(lock.lease())).thenCompose(remaining -> {
            job.holderLeaseEndsIn = remaining;
            if (remaining.isZero()) {
                return acquire(job, current, env, data, json, RecordWrite.Versioning.NONE, true, false, nowMs);
            }
            Envelope.Takeover takeover = env.meta.takeover;
            boolean ours = takeover != null && takeover.sessionId().equals(job.sessionId);
            if (job.requested && !ours) {
                return CompletableFuture.completedFuture(new Step.Finish<>(SessionStart.Reason.LOST_TO_ANOTHER_REQUEST,
                        "server " + (takeover == null ? "?" : takeover.serverId()) + " asked for the profile after this one"));
            }
            if (ours) {
                // Our request stands: remind the holder (the first hint may have been lost) and wait. It may be
                // known only from this read (the write's reply was lost): stealAfter counts from here then.
                firstAsk(job);
                job.requested = true;
                records.publish(lock.serverId(), ControlMessage.Kind.TAKEOVER, job.key, lock.epoch());
                return CompletableFuture.completedFuture(new Step.Wait<>());
            }
            return request(job, current, env, lock, nowMs);
        });
    }

    private boolean askedLongAgo(Job job) {
        return (job.asked || job.requested)
                && records.scheduler.nanoTime() - job.askedNanos >= records.timings.stealAfter().toNanos();
    }

    /** Peek while the first fallback poll after asking is not due yet, on a polled transport; else poll. */
    private Recheck afterAsking(Job job) {
        boolean beforeFirstPoll = records.scheduler.nanoTime() - job.askedNanos < records.timings.pollInitial().toNanos();
        return !peekEvery.isZero() && beforeFirstPoll ? Recheck.PEEK : Recheck.POLL;
    }

    private void firstAsk(Job job) {
        if (!job.asked && !job.requested) {
            job.askedNanos = records.scheduler.nanoTime();
        }
    }

    /** Asks the holder by message alone; its last save is to hand the lock to this start. */
    private void ask(Job job, Envelope.Lock lock, long nowMs) {
        firstAsk(job);
        job.asked = true;
        var who = new Envelope.Takeover(records.settings.appId(), records.serverId, job.sessionId, nowMs, records.leaseId);
        records.publish(lock.serverId(), ControlMessage.Kind.TAKEOVER, job.key, lock.epoch(), ControlMessage.Request.asked(who));
    }

    /** Writes this start's takeover request into the record and tells the holder's server. */
    private CompletableFuture<Step<T>> request(Job job, Current current, Envelope env, Envelope.Lock lock, long nowMs) {
        env.meta.takeover = new Envelope.Takeover(records.settings.appId(), records.serverId, job.sessionId, nowMs,
                records.leaseId);
        return records.update(job.key, current, c -> c.revision() == current.revision()
                ? Plan.Write.lockOnly(env, RecordWrite.Versioning.NONE)
                : new Plan.Abort(Plan.Why.CHANGED)).thenApply(outcome -> {
            if (outcome instanceof Outcome.Aborted aborted) {
                return new Step.Retry<>(aborted.current());
            }
            firstAsk(job);
            job.requested = true;
            Envelope.Takeover asked = env.meta.takeover;
            records.publish(lock.serverId(), ControlMessage.Kind.TAKEOVER, job.key, lock.epoch(), new ControlMessage.Request(
                    current.revision(), ((Outcome.Written) outcome).revision(), asked.appId(), asked.sessionId(), asked.atMs(),
                    asked.leaseId()));
            return new Step.Wait<>();
        });
    }

    /**
     * The holder released the profile for a requester that has not taken it yet. Taking it now would
     * make that requester lose a handoff it was promised (the original lets the newcomer win). Wait a
     * grace period (measured on our own clock) unless the requester's server is gone.
     */
    private CompletableFuture<Step<T>> reservedForAnother(Job job, Current current, Envelope env, T data, byte[] json,
                                                       Envelope.Takeover pending, long nowMs) {
        if (job.requested) {
            return CompletableFuture.completedFuture(new Step.Finish<>(SessionStart.Reason.LOST_TO_ANOTHER_REQUEST,
                    "server " + pending.serverId() + " asked for the profile after this one"));
        }
        long now = records.scheduler.nanoTime();
        if (!pending.sessionId().equals(job.reservedFor)) {
            job.reservedFor = pending.sessionId();
            job.reservedSinceNanos = now;
        }
        long grace = records.timings.pollMax().plusSeconds(1).toNanos();
        if (now - job.reservedSinceNanos >= grace) {
            return acquire(job, current, env, data, json, RecordWrite.Versioning.NONE, false, false, nowMs);
        }
        // Nobody will tell us when the requester has taken it, so look again soon rather than at the next poll.
        return records.call(() -> records.storage.leaseRemaining(pending.lease())).thenCompose(left -> !left.isZero()
                ? CompletableFuture.completedFuture(new Step.Wait<>(Recheck.RESERVED))
                : acquire(job, current, env, data, json, RecordWrite.Versioning.NONE, false, false, nowMs));
    }

    private static boolean hasNullData(Current current) {
        return current.isProfile() && (current.env().data == null || current.env().data.isNull());
    }

    /** Takes the lock on a record whose data is replaced, however it is held: the lock rules still apply. */
    private CompletableFuture<Step<T>> tookOver(Job job, Current current, Envelope env, T data, byte[] json,
                                             RecordWrite.Versioning versioning, long nowMs) {
        Envelope.Lock lock = env.meta.lock;
        if (lock != null && !lock.lease().equals(records.leaseId) && !job.options.steal()) {
            // Held by a live session elsewhere (which cannot have loaded it): let its lease or stealAfter decide.
            return records.call(() -> records.storage.leaseRemaining(lock.lease())).thenCompose(left -> left.isZero()
                    || askedLongAgo(job)
                    ? acquire(job, current, env, data, json, versioning, true, false, nowMs)
                    : CompletableFuture.completedFuture(new Step.Wait<>()));
        }
        return acquire(job, current, env, data, json, versioning, false, false, nowMs);
    }

    /**
     * A key with no record first gets an empty message box, so the lock is always taken over an existing
     * record: the epoch is derived from that record's revision (see {@link #acquire}), and a removed key's
     * storage revision floor is what makes its next epoch higher than every earlier one.
     */
    private CompletableFuture<Step<T>> createMessageBox(String key) {
        return records.update(key, Current.missing(), c -> c.isMissing()
                ? new Plan.Write(new Envelope(), null, RecordWrite.Versioning.NONE)
                : new Plan.Abort(Plan.Why.CHANGED)).thenApply(outcome -> switch (outcome) {
                    case Outcome.Aborted aborted -> new Step.Retry<>(aborted.current());
                    case Outcome.Written w -> new Step.Retry<>(Current.cached(w.revision(), w.env(), w.updatedAt(), w.updatedAt()));
                });
    }

    /**
     * Takes the lock with a compare-and-set on {@code current}. The epoch is the revision it replaces plus
     * one: storages keep revisions increasing for a key, even across removal, so the epoch never repeats
     * for a key, whatever was removed, erased, imported or found corrupt in between; a count kept in the
     * record could not promise that.
     */
    private CompletableFuture<Step<T>> acquire(Job job, Current current, Envelope env, T data, byte[] json,
                                            RecordWrite.Versioning versioning, boolean takeover, boolean stolen, long nowMs) {
        env.meta.loadCount++;
        env.meta.lock = new Envelope.Lock(records.settings.appId(), records.serverId, job.sessionId, current.revision() + 1,
                nowMs, records.leaseId);
        env.meta.takeover = null;
        env.meta.lastUpdateMs = nowMs;
        return records.update(job.key, current, c -> c.revision() == current.revision()
                ? Plan.Write.lockOnly(env, versioning)
                : new Plan.Abort(Plan.Why.CHANGED)).thenApply(outcome -> {
            if (outcome instanceof Outcome.Aborted aborted) {
                return new Step.Retry<>(aborted.current());
            }
            return new Step.Acquired<>((Outcome.Written) outcome, data, json, takeover, stolen);
        });
    }

    private void onStep(Job job, Step<T> step) {
        switch (step) {
            case Step.Retry<T> retry -> attempt(job, retry.current());
            case Step.Finish<T> finish -> finish(job, new SessionStart.NotStarted<>(finish.reason(), finish.detail()));
            case Step.Wait<T> wait when job.wakeRequested -> {
                job.wakeRequested = false;
                Current known = job.wakeWith;
                job.wakeWith = null;
                attempt(job, known);
            }
            case Step.Wait<T> wait -> {
                Duration delay = switch (wait.recheck()) {
                    case POLL -> job.poll.next();
                    case RESERVED -> job.reservedPoll.next();
                    case PEEK -> peekEvery;
                };
                if (job.holderLeaseEndsIn != null && job.holderLeaseEndsIn.compareTo(delay) < 0) {
                    // The holder's lease runs out before the next poll: look again right after it does.
                    delay = job.holderLeaseEndsIn.plusMillis(1);
                }
                job.holderLeaseEndsIn = null;
                long stealIn = job.askedNanos + records.timings.stealAfter().toNanos() - records.scheduler.nanoTime();
                if ((job.asked || job.requested) && stealIn >= 0 && stealIn < delay.toNanos()) {
                    delay = Duration.ofNanos(stealIn);
                }
                job.timer = records.scheduler.schedule(delay, () -> records.loop.execute(() -> {
                    if (job.timer != null) {
                        job.timer = null;
                        attempt(job, null);
                    }
                }));
            }
            case Step.Acquired<T> acquired -> {
                if (acquired.takeover() || acquired.stolen()) {
                    records.metrics.takeover(acquired.stolen());
                }
                Outcome.Written written = acquired.written();
                if (written.before().corrupt() != null) {
                    records.reportOverwrite(job.key, written.before().corrupt());
                }
                if (hasNullData(written.before())) {
                    records.reportOverwrite(job.key, new CorruptProfileException("its data was null"));
                }
                Envelope.Lock previous = written.before().lock();
                if (previous != null && !previous.sessionId().equals(job.sessionId)) {
                    // Tell a holder we took the lock from (stolen, or its lease ran out while it was paused) at once,
                    // so it ends its session now rather than at its next auto-save.
                    records.publish(previous.serverId(), ControlMessage.Kind.MESSAGE, job.key, previous.epoch());
                }
                if (records.closing || cancelled(job)) {
                    SessionStart.Reason reason = records.closing ? SessionStart.Reason.CLOSING : SessionStart.Reason.CANCELLED;
                    letGo(job, written).whenComplete((v, e) ->
                            finish(job, new SessionStart.NotStarted<>(reason, "released again at once: " + reason)));
                    return;
                }
                ActiveProfile<T> profile = newProfile(job, written, acquired.data(), acquired.dataJson());
                sessions.activate(profile);
                if (job.asked || job.requested) {
                    records.metrics.handoff(records.scheduler.nanoTime() - job.askedNanos);
                }
                finish(job, new SessionStart.Started<>(profile));
            }
        }
    }

    /**
     * Lets go of a lock taken for a start that was cancelled, or whose store began closing, meanwhile. The
     * game never saw the profile, so there is no session to end and nothing to save: one lock-only write,
     * handing the lock to a requester who asked meanwhile. A failure leaves the lock to the orphan rule
     * ({@link #releaseOrphan}) or to this instance's lease.
     */
    private CompletableFuture<Outcome> letGo(Job job, Outcome.Written written) {
        Current mine = Current.cached(written.revision(), written.env(), written.updatedAt(), written.updatedAt());
        return records.keys.run(job.key, () -> records.update(job.key, mine, current -> {
            Envelope.Lock lock = current.lock();
            if (lock == null || !lock.sessionId().equals(job.sessionId)) {
                return new Plan.Abort(Plan.Why.NOT_OURS);
            }
            Envelope env = current.env().copy();
            env.handOver(current.revision(), records.scheduler.instant().toEpochMilli(), null);
            return Plan.Write.lockOnly(env, RecordWrite.Versioning.NONE);
        })).whenComplete((outcome, error) -> {
            if (outcome instanceof Outcome.Written let && let.env().meta.lock != null) {
                Envelope.Lock next = let.env().meta.lock;
                records.publishHanded(next.serverId(), job.key, next.epoch(), let);
            }
        });
    }

    private ActiveProfile<T> newProfile(Job job, Outcome.Written written, T data, byte[] json) {
        Envelope env = written.env();
        env.data = null;
        SessionInfo session = env.meta.lock.info();
        Instant created = written.before().isMissing() || written.before().corrupt() != null ? written.updatedAt()
                : written.before().record().createdAt();
        return profiles.make(job.key, data, json, env, written.revision(), created, written.updatedAt(), session,
                SessionOwner.of(job.options.callbackExecutor(), records.timings.storageTimeout()), records.scheduler.nanoTime());
    }

    private void onError(Job job, Throwable error) {
        if (error instanceof UnsupportedFormatException) {
            finish(job, new SessionStart.NotStarted<>(SessionStart.Reason.UNSUPPORTED_FORMAT, error.getMessage()));
            return;
        }
        if (!(error instanceof StorageException)) {
            // Not a store outage: a corrupt document, a serialization bug. Retrying cannot help.
            if (!(error instanceof CorruptProfileException)) {
                records.reportError("session start failed", job.key, error);
            }
            job.done = true;
            if (job.timer != null) {
                job.timer.cancel();
                job.timer = null;
            }
            jobs.remove(job.key, job);
            job.result.completeExceptionally(error);
            checkIdle();
            return;
        }
        records.reportError("session start could not reach the store", job.key, error);
        Duration timeout = job.options.timeout() != null ? job.options.timeout() : records.timings.startTimeout();
        if (!job.options.hasCancel() && records.scheduler.nanoTime() - job.startedNanos >= timeout.toNanos()) {
            finish(job, new SessionStart.NotStarted<>(SessionStart.Reason.TIMED_OUT, "the store could not be reached for "
                    + timeout + ": " + error.getMessage()));
            return;
        }
        job.timer = records.scheduler.schedule(job.errors.next(), () -> records.loop.execute(() -> {
            if (job.timer != null) {
                job.timer = null;
                attempt(job, null);
            }
        }));
    }

    /** Whether a start of this store for {@code key} is in flight. */
    boolean starting(String key) {
        return jobs.containsKey(key);
    }

    /** Tells {@code listener}, on the loop, the key of every start that has finished, after its outcome was given. */
    void onFinished(Consumer<String> listener) {
        this.onFinished = listener;
    }

    private void finish(Job job, SessionStart<T> outcome) {
        if (job.requested && outcome instanceof SessionStart.NotStarted<T> n
                && n.reason() != SessionStart.Reason.LOST_TO_ANOTHER_REQUEST) {
            withdrawRequest(job);
        }
        job.done = true;
        if (job.timer != null) {
            job.timer.cancel();
            job.timer = null;
        }
        jobs.remove(job.key, job);
        records.metrics.startFinished(outcome instanceof SessionStart.NotStarted<T> n ? n.reason() : null,
                records.scheduler.nanoTime() - job.startedNanos);
        job.result.complete(outcome);
        onFinished.accept(job.key);
        checkIdle();
    }

    /**
     * A requester that gives up takes its takeover request back, best effort, so the holder does not
     * release (and kick its player) for nobody.
     */
    private void withdrawRequest(Job job) {
        records.keys.run(job.key, () -> records.update(job.key, null, current -> {
            Envelope.Takeover takeover = current.isProfile() ? current.env().meta.takeover : null;
            if (takeover == null || !takeover.sessionId().equals(job.sessionId)) {
                return new Plan.Abort(Plan.Why.NOT_OURS);
            }
            Envelope env = current.env().copy();
            env.meta.takeover = null;
            return Plan.Write.lockOnly(env, RecordWrite.Versioning.NONE);
        })).exceptionally(e -> null);
    }

    /**
     * A TAKEOVER for a key this store holds no session of: if the record's lock names this store instance and
     * no start of ours is in flight for it, it is an orphan (an acquire whose reply came after its start had
     * given up, timed out or been cancelled, or a lock handed to a start that was gone). Hand it to the
     * requester ({@code asked}, or the one written in the record) now, so it does not wait for stealAfter.
     *
     * <p>When the record holds no lock of this instance at all (its session ended while the ask was on its way),
     * the asker ({@code askedBy}; null: nobody to tell) is told RELEASED, so it reads again now rather than at its
     * poll. Nothing is written for that.
     */
    void releaseOrphan(String key, long epoch, Envelope.Takeover asked, String askedBy) {
        if (jobs.containsKey(key) || sessions.has(key)) {
            return;
        }
        records.keys.run(key, () -> records.update(key, null, current -> {
            Envelope.Lock lock = current.lock();
            if (lock == null || !lock.lease().equals(records.leaseId) || lock.epoch() != epoch || jobs.containsKey(key)
                    || sessions.has(key)) {
                return new Plan.Abort(Plan.Why.NOT_AN_ORPHAN);
            }
            Envelope env = current.env().copy();
            env.handOver(current.revision(), records.scheduler.instant().toEpochMilli(), asked);
            return Plan.Write.lockOnly(env, RecordWrite.Versioning.NONE);
        })).whenComplete((outcome, error) -> {
            if (outcome instanceof Outcome.Aborted aborted && askedBy != null && notOurs(aborted.current().lock())) {
                records.publish(askedBy, ControlMessage.Kind.RELEASED, key, epoch);
            }
            if (outcome instanceof Outcome.Written written) {
                log.warn("store {} key {}: let go of the lock of epoch {}, taken by a start of this server that had"
                        + " already given up", records.name, key, epoch);
                Envelope.Lock next = written.env().meta.lock;
                if (next != null) {
                    records.publishHanded(next.serverId(), key, next.epoch(), written);
                }
            }
        });
    }

    private boolean notOurs(Envelope.Lock lock) {
        return lock == null || !lock.lease().equals(records.leaseId);
    }

    /** Close gave up waiting: every start still in flight ends now as {@link SessionStart.Reason#CLOSING}. */
    void abandonAll() {
        for (Job job : List.copyOf(jobs.values())) {
            finish(job, new SessionStart.NotStarted<>(SessionStart.Reason.CLOSING, "store " + records.name
                    + " closed before this start could finish"));
        }
    }

    private void checkIdle() {
        if (jobs.isEmpty() && idle != null) {
            CompletableFuture<Void> waiting = idle;
            idle = null;
            waiting.complete(null);
        }
    }
}
