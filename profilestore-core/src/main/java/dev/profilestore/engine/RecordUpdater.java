package dev.profilestore.engine;

import dev.profilestore.CorruptProfileException;
import dev.profilestore.DataTooLargeException;
import dev.profilestore.DroppedMessages;
import dev.profilestore.Overwrite;
import dev.profilestore.StoreClosedException;
import dev.profilestore.StorageException;
import dev.profilestore.StoreError;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The record-update layer, the bottom of the engine: the event loop, store calls on the I/O executor with the
 * storage timeout, the per-key queue, the codecs, the read-plan-compare-and-set loop ({@link #update}), the one
 * retry-with-backoff helper, control messages out, this instance's server lease, and the store's error signals.
 * It knows records, revisions and locks, never sessions: the layer above ({@link SessionStarter},
 * {@link SessionWriter}, {@link CommitWriter}, {@link MessageWriter}) calls down into it, and nothing here calls
 * up.
 */
final class RecordUpdater<T> {

    private static final Logger log = LoggerFactory.getLogger(RecordUpdater.class);

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
    final Executor io;
    final EnvelopeCodec envelopes;
    final DataCodec<T> codec;
    final KeyQueue keys;
    final Metrics metrics;
    final LeaseKeeper lease;
    private final CriticalState critical;
    volatile boolean criticalNow;

    final SignalImpl<StoreError> onError = new SignalImpl<>("onError");
    final SignalImpl<Overwrite> onOverwrite = new SignalImpl<>("onOverwrite");
    final SignalImpl<Boolean> onCriticalToggle = new SignalImpl<>("onCriticalToggle");
    final SignalImpl<DroppedMessages> onMessagesDropped = new SignalImpl<>("onMessagesDropped");

    /** The numbers of this instance's message sends and commits (see {@link Envelope#senders}); loop only. */
    private long lastSendSeq;
    volatile boolean closing;
    /** Set when close has waited as long as it may: last-save retries stop. */
    volatile boolean closeDeadlinePassed;

    /**
     * @param loop the store's event loop
     * @param io where blocking store calls run; {@link #INLINE} for a store that never blocks
     * @param activeSessions the gauge of loaded sessions, read by the metrics registry
     */
    RecordUpdater(Settings<T> settings, String leaseId, SerialExecutor loop, Executor io, Supplier<Number> activeSessions) {
        this.settings = settings;
        this.timings = settings.timings();
        this.name = settings.name();
        this.serverId = settings.serverId();
        this.leaseId = leaseId;
        this.storage = settings.storage();
        this.messaging = settings.messaging();
        this.scheduler = settings.scheduler();
        this.loop = loop;
        this.io = io;
        this.keys = new KeyQueue(loop);
        this.envelopes = new EnvelopeCodec(settings.mapper());
        this.codec = new DataCodec<>(settings.mapper(), settings.type(), settings.template(), settings.formatVersion(),
                settings.migrations());
        this.critical = new CriticalState(timings.criticalErrorCount(), timings.criticalErrorWindow().toNanos(),
                timings.criticalStateExpire().toNanos());
        this.metrics = Metrics.create(settings.meterRegistry(), name, activeSessions, () -> criticalNow ? 1 : 0);
        this.lease = new LeaseKeeper(this, settings.ioExecutor());
    }

    // ---- the event loop and I/O ----

    /** Runs {@code work} on the loop and returns its future. */
    <R> CompletableFuture<R> onLoop(Supplier<CompletableFuture<R>> work) {
        return onLoop(work, false);
    }

    /**
     * The blocking twin of {@link #onLoop(Supplier)}: runs {@code work} on the loop and waits for its result, running
     * the loop's tasks on the calling thread meanwhile when the loop is free (see {@link SerialExecutor}).
     */
    <R> R awaitOnLoop(Supplier<CompletableFuture<R>> work) {
        checkNotInLoop();
        CompletableFuture<R> result = onLoop(work, true);
        loop.runWhileWaiting(result);
        return get(result);
    }

    private <R> CompletableFuture<R> onLoop(Supplier<CompletableFuture<R>> work, boolean callerRuns) {
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
        }, callerRuns);
        return result;
    }

    /** The I/O "executor" of a non-blocking store: its calls run on the loop (see {@link #call(Executor, Supplier)}). */
    static final Executor INLINE = Runnable::run;

    /** Runs a blocking store call on the I/O executor; the future completes on the loop. */
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
        return callAsync(() -> CompletableFuture.supplyAsync(op, executor));
    }

    /**
     * Starts a store call that answers with a future, failing it as a store error when it has not answered within
     * the storage timeout; the returned future completes on the loop, whatever thread the answer came on.
     */
    <R> CompletableFuture<R> callAsync(Supplier<CompletableFuture<R>> start) {
        CompletableFuture<R> result = new CompletableFuture<>();
        var timeout = scheduler.schedule(timings.storageTimeout(), () -> loop.execute(() -> result.completeExceptionally(
                new StorageException("the store did not answer within " + timings.storageTimeout()))));
        result.whenComplete((r, e) -> timeout.cancel());
        CompletableFuture<R> answer;
        try {
            answer = start.get();
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new StoreClosedException("the I/O executor of store " + name + " is shut down", e));
            return result;
        } catch (Throwable t) {
            answer = CompletableFuture.failedFuture(t);
        }
        answer.whenComplete((value, error) -> toLoop(() -> {
            Throwable cause = error == null ? null : unwrap(error);
            if (cause instanceof RejectedExecutionException rejected) {
                // A later step of the call (a decode, a backend's blocking fallback) found the I/O executor shut down.
                result.completeExceptionally(new StoreClosedException("the I/O executor of store " + name
                        + " is shut down", rejected));
            } else if (cause != null) {
                result.completeExceptionally(cause);
            } else {
                result.complete(value);
            }
        }));
        return result;
    }

    /** Hands a store call's answer to the loop: run here when this is the store's own I/O thread (see {@link IoThreads}). */
    private void toLoop(Runnable task) {
        if (io instanceof IoThreads own) {
            own.runOnLoop(loop, task);
        } else {
            loop.execute(task);
        }
    }

    /**
     * The largest record decoded on the thread its answer came on (a driver's I/O thread, or an I/O executor's). A
     * larger one is decoded on the I/O executor, so that parsing megabytes holds up neither the driver's other
     * replies nor the loop.
     */
    private static final int DECODE_IN_PLACE_MAX = 16 * 1024;

    private <A, R> CompletableFuture<R> decoded(CompletableFuture<A> answer, Function<A, Optional<StoredRecord>> record,
                                                Function<A, R> decode) {
        return answer.thenCompose(a -> {
            Optional<StoredRecord> r = record.apply(a);
            if (r.isEmpty() || r.get().payload().length <= DECODE_IN_PLACE_MAX) {
                return CompletableFuture.completedFuture(decode.apply(a));
            }
            return CompletableFuture.supplyAsync(() -> decode.apply(a), io);
        });
    }

    /** Blocks for a future from a thread other than the loop's. */
    <R> R await(CompletableFuture<R> future) {
        checkNotInLoop();
        return get(future);
    }

    private void checkNotInLoop() {
        if (loop.inLoop()) {
            throw new IllegalStateException("a blocking ProfileStore call on the callback executor would wait for itself;"
                    + " use the ...Async method there");
        }
    }

    private static <R> R get(CompletableFuture<R> future) {
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

    /** Reads a record and decodes it off the loop (see {@link #DECODE_IN_PLACE_MAX}), so big documents do not parse there. */
    CompletableFuture<Current> read(String key) {
        if (io == INLINE) {
            return call(() -> toCurrent(storage.read(name, key)));
        }
        return callAsync(() -> decoded(storage.readAsync(name, key, io), r -> r, this::toCurrent));
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
        // A conflict's record is decoded off the loop.
        CompletableFuture<Tried> answer = io == INLINE
                ? call(() -> Tried.of(storage.write(name, key, expected, recordWrite), this))
                : callAsync(() -> decoded(storage.writeAsync(name, key, expected, recordWrite, io),
                        r -> r instanceof WriteResult.Conflict c ? c.current() : Optional.empty(), r -> Tried.of(r, this)));
        return answer.thenCompose(tried -> tried.written() != null
                ? CompletableFuture.completedFuture(new Outcome.Written(write.env(), write.dataJson(),
                        tried.written().revision(), tried.written().updatedAt(), current, payload))
                : attemptUpdate(key, tried.found(), transform));
    }

    /** A compare-and-set's answer: written, or the record found instead (decoded off the loop). */
    record Tried(WriteResult.Written written, Current found) {
        static Tried of(WriteResult result, RecordUpdater<?> engine) {
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
        if (messaging == null || toServer == null) {
            return;
        }
        byte[] record = written.record() != null && written.record().length <= ControlMessage.HANDED_RECORD_MAX
                ? written.record() : null;
        Instant created = written.before().isMissing() ? written.updatedAt() : written.before().record().createdAt();
        byte[] payload = new ControlMessage(ControlMessage.Kind.HANDED, name, epoch, serverId, key, null,
                new ControlMessage.Handed(written.revision(), created, written.updatedAt(), record)).encode();
        if (record != null && payload.length > messaging.maxPayload()) {
            // Too big for this transport: without the record the requester reads it, rather than never hearing.
            payload = new ControlMessage(ControlMessage.Kind.HANDED, name, epoch, serverId, key, null,
                    new ControlMessage.Handed(written.revision(), created, written.updatedAt(), null)).encode();
        }
        publish(toServer, ControlMessage.Kind.HANDED, key, payload);
    }

    private void publish(String toServer, ControlMessage message) {
        if (messaging == null || toServer == null) {
            return;
        }
        publish(toServer, message.kind(), message.key(), message.encode());
    }

    private void publish(String toServer, ControlMessage.Kind kind, String key, byte[] payload) {
        try {
            messaging.publish(ControlMessage.channel(toServer), payload);
        } catch (RuntimeException e) {
            // A hint that cannot be sent only slows a handoff to the polling fallback.
            log.debug("could not publish {} for {}/{} to {}: {}", kind, name, key, toServer, e.toString());
        }
    }

    void requireOpen() {
        if (closing) {
            throw new StoreClosedException("store " + name + " is closing");
        }
    }

    Duration backoffCap() {
        return closing ? timings.shutdownBackoffMax() : timings.backoffMax();
    }
}
