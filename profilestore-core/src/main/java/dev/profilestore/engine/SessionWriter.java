package dev.profilestore.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.DataTooLargeException;
import dev.profilestore.LastSaveReason;
import dev.profilestore.ProfileStoreException;
import dev.profilestore.SaveCause;
import dev.profilestore.SessionEndReason;
import dev.profilestore.SessionLostException;
import dev.profilestore.StorageException;
import dev.profilestore.spi.RecordWrite;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The writes of one session's profile: saves (and the read-only check that replaces a save of an
 * unchanged profile), the last save that releases the lock, and overwrites from views; plus the
 * bookkeeping after a write (messages to deliver, a takeover request to honour, a lost lock). Runs on the
 * event loop.
 */
final class SessionWriter<T> {

    private final RecordUpdater<T> records;

    private final Sessions<T> sessions;

    SessionWriter(RecordUpdater<T> records, Sessions<T> sessions) {
        this.records = records;
        this.sessions = sessions;
    }

    /**
     * What a save writes, taken on the loop in one go so it is a consistent picture of the profile.
     * {@code unsavedBecause} is set on a last save that cannot write the session's data: it then only
     * releases the lock, keeping the record's data as stored (see {@link #unsaved}).
     */
    record Snapshot(byte[] dataJson, ObjectNode metadata, TreeSet<Long> userIds, Set<Long> processed,
                    Throwable unsavedBecause) {}

    Snapshot snapshot(ActiveProfile<T> p) {
        // Taken where the profile belongs: on the player's executor when the session has one.
        return p.owner.call(() -> {
            byte[] json = records.codec.serialize(p.data);
            ObjectNode metadata = records.envelopes.metadataTree(p.metadataNow());
            return new Snapshot(json, metadata, new TreeSet<>(p.userIdsNow()), p.processedIds(), null);
        });
    }

    /**
     * A release whose own snapshot cannot be written: it clears the lock and keeps the record's data, metadata
     * and messages as they are in the store. Not this session's "last saved data": a save whose reply was lost
     * may have written more than the session knows, and its message removals with it.
     */
    private static Snapshot unsaved(Throwable why) {
        return new Snapshot(null, null, null, Set.of(), why);
    }

    private boolean unchanged(ActiveProfile<T> p, Snapshot s) {
        return s.processed.isEmpty() && Arrays.equals(s.dataJson, p.savedJson) && s.metadata.equals(p.savedMetadata)
                && s.userIds.equals(p.savedUserIds);
    }

    // ---- saves during a session ----

    /**
     * Saves an active profile. An auto-save ({@code manual == false}) of an unchanged profile only reads,
     * to pick up messages and takeover requests: with server leases, an idle profile costs no writes.
     */
    CompletableFuture<Void> save(ActiveProfile<T> p, boolean manual) {
        if (p.state != ActiveProfile.State.ACTIVE) {
            return CompletableFuture.failedFuture(noSession(p));
        }
        p.fire(ActiveProfile.ON_SAVE, null);
        if (p.state != ActiveProfile.State.ACTIVE) {
            // A handler ended the session: its last save snapshots later, so it carries this save's changes.
            return p.ended.copy();
        }
        long started = records.scheduler.nanoTime();
        CompletableFuture<Boolean> turn = records.keys.run(p.key, () -> {
            if (p.state != ActiveProfile.State.ACTIVE) {
                return CompletableFuture.completedFuture(false);
            }
            // Taken when the save's turn comes, not when it was asked for: a save queued behind a trade
            // must not write data from before the trade was settled.
            Snapshot s = snapshot(p);
            if (!manual && unchanged(p, s)) {
                records.metrics.saveSkipped();
                return records.read(p.key).thenApply(current -> afterCheck(p, current));
            }
            return records.update(p.key, cached(p), current -> sessionWrite(p, current, s, false))
                    .thenApply(outcome -> afterWrite(p, outcome, s, false, started));
        });
        // A save whose turn came after the session began ending was not written by itself. Its changes are in
        // the last save, whose snapshot is taken later: it is durable exactly when that one is. Never report it
        // done before then (the last save can still fail, or the session may have been found lost).
        CompletableFuture<Void> done = turn.thenCompose(wrote -> wrote ? CompletableFuture.<Void>completedFuture(null)
                : p.ended.copy());
        return done.whenComplete((v, e) -> {
            if (e != null && !(RecordUpdater.unwrap(e) instanceof SessionLostException)) {
                records.metrics.saveFailed();
                records.reportError("save failed", p.key, e);
            }
        });
    }

    private SessionLostException noSession(ActiveProfile<T> p) {
        return new SessionLostException("profile " + records.name + "/" + p.key + " has no active session (" + p.state
                + "); nothing was saved");
    }

    Current cached(ActiveProfile<T> p) {
        return Current.cached(p.revision, p.cached, p.createdAt, p.updatedAt);
    }

    Plan sessionWrite(ActiveProfile<T> p, Current current, Snapshot s, boolean release) {
        return sessionWrite(p, current, s, release, null);
    }

    /**
     * The write of a save, or of the last save when {@code release}. A last save hands the lock straight to
     * the requester when there is one: the request written in the record, else {@code asked} (a request
     * that came as a message only). The requester then begins without a write of its own, and the epoch is
     * derived as for any lock taken: the revision it is taken over, plus one.
     */
    private Plan sessionWrite(ActiveProfile<T> p, Current current, Snapshot s, boolean release, Envelope.Takeover asked) {
        if (!isOurs(p, current)) {
            boolean releasedByUs = release && current.isProfile()
                    && p.session.sessionId().equals(current.env().meta.releasedBy);
            return new Plan.Abort(releasedByUs ? Plan.Why.ALREADY_RELEASED : Plan.Why.LOST);
        }
        Envelope env = current.env().copy();
        long now = records.scheduler.instant().toEpochMilli();
        if (s.unsavedBecause() != null) {
            // Only the lock changes; the data is the record's own (read, never our cache, which holds none).
            env.meta.lock = null;
            env.meta.releasedBy = p.session.sessionId();
            return Plan.Write.lockOnly(env, RecordWrite.Versioning.NONE);
        }
        env.messages.removeIf(m -> s.processed.contains(m.id()));
        env.metadata = s.metadata;
        env.userIds = s.userIds;
        env.dataVersion = records.codec.formatVersion();
        env.meta.lastUpdateMs = now;
        boolean snapshotDue = now - env.meta.lastSnapshotMs >= records.timings.snapshotInterval().toMillis();
        if (release) {
            env.handOver(current.revision(), now, asked);
            env.meta.releasedBy = p.session.sessionId();
        }
        if (release || snapshotDue) {
            env.meta.lastSnapshotMs = now;
        }
        if (release) {
            return Plan.Write.snapshot(env, s.dataJson, true, p.endCause);
        }
        return snapshotDue ? Plan.Write.snapshot(env, s.dataJson, true, SaveCause.PERIODIC)
                : new Plan.Write(env, s.dataJson, RecordWrite.Versioning.NONE);
    }

    /** Bookkeeping after a session write; true, or throws {@link SessionLostException} when it was refused. */
    boolean afterWrite(ActiveProfile<T> p, Outcome outcome, Snapshot s, boolean release, long started) {
        if (outcome instanceof Outcome.Aborted aborted) {
            lost(p, aborted.current());
            throw new SessionLostException("profile " + records.name + "/" + p.key + " is no longer held by this session;"
                    + " the write was rejected");
        }
        var written = (Outcome.Written) outcome;
        records.metrics.saved(records.scheduler.nanoTime() - started);
        if (s.unsavedBecause() != null) {
            return true; // a release that kept the stored data: nothing of this session's was saved
        }
        Envelope env = written.env();
        env.data = null; // the data lives in the profile; keeping the tree would double its memory
        p.revision = written.revision();
        p.cached = env;
        p.updatedAt = written.updatedAt();
        p.keyRevision = written.revision();
        p.savedJson = s.dataJson;
        p.savedMetadata = s.metadata;
        p.savedUserIds = s.userIds;
        p.forgetProcessed(s.processed);
        if (p.hasListeners(ActiveProfile.ON_AFTER_SAVE)) {
            // Before the bookkeeping below, which may start the last save: this save landed either way.
            p.fire(ActiveProfile.ON_AFTER_SAVE, p.lastSavedData());
        }
        afterSeen(p, env, release);
        return true;
    }

    /** After an auto-save's read-only check: true when the session is still ours, else it ends as lost. */
    private boolean afterCheck(ActiveProfile<T> p, Current current) {
        if (!isOurs(p, current)) {
            lost(p, current);
            throw new SessionLostException("profile " + records.name + "/" + p.key + " is no longer held by this session");
        }
        Envelope env = current.env();
        env.data = null;
        p.revision = current.revision();
        p.cached = env;
        p.keyInfo(current.record());
        afterSeen(p, env, false);
        return true;
    }

    /** Whether {@code current} still names this session as the holder. */
    static boolean isOurs(ActiveProfile<?> p, Current current) {
        return p.holds(current.lock());
    }

    /** Message delivery and takeover detection, after any write or read that showed the session still ours. */
    private void afterSeen(ActiveProfile<T> p, Envelope env, boolean release) {
        p.messages = List.copyOf(env.messages);
        if (release || p.state != ActiveProfile.State.ACTIVE) {
            return;
        }
        boolean handled = false;
        for (Envelope.StoredMessage m : env.messages) {
            if (p.firstReceipt(m.id()) && !p.isProcessed(m.id())) {
                p.deliver(m);
                handled |= p.isProcessed(m.id());
            }
            if (p.state != ActiveProfile.State.ACTIVE) {
                return;
            }
        }
        if (env.meta.takeover != null) {
            end(p, LastSaveReason.EXTERNAL);
        } else if (handled) {
            // Persist the handlers' changes together with the messages' removal soon, not at the next auto-save.
            save(p, true);
        }
    }

    void lost(ActiveProfile<T> p, Current current) {
        if (!sessions.end(p)) {
            return;
        }
        records.metrics.sessionLost();
        Envelope.Lock lock = current == null ? null : current.lock();
        var why = new SessionLostException("profile " + records.name + "/" + p.key + " epoch " + p.session.epoch()
                + " is now " + (lock == null ? "unlocked or gone" : "held by server " + lock.serverId() + " epoch "
                + lock.epoch()) + "; unsaved changes are discarded");
        records.reportError("session lost", p.key, why);
        p.fire(ActiveProfile.ON_SESSION_END, SessionEndReason.LOST);
        // Ending a lost session saved nothing: say so to whoever waits for the end.
        p.ended.completeExceptionally(why);
    }

    // ---- the last save ----

    /**
     * Ends a session: the signals, then one write that saves the data and clears the lock, retried with
     * backoff until it succeeds, the lock is found lost, or close gives up. {@code onSessionEnd} fires when
     * the outcome is known, with a reason that says whether the last save landed.
     */
    CompletableFuture<Void> end(ActiveProfile<T> p, LastSaveReason reason) {
        return end(p, reason, null);
    }

    /** Ends a session because another server asked for the profile in {@code takeover}. */
    CompletableFuture<Void> release(ActiveProfile<T> p, ControlMessage takeover) {
        return end(p, LastSaveReason.EXTERNAL, takeover);
    }

    private CompletableFuture<Void> end(ActiveProfile<T> p, LastSaveReason reason, ControlMessage takeover) {
        if (p.state != ActiveProfile.State.ACTIVE) {
            return p.ended.copy();
        }
        p.fire(ActiveProfile.ON_SAVE, null);
        p.fire(ActiveProfile.ON_LAST_SAVE, reason);
        if (p.state != ActiveProfile.State.ACTIVE) {
            return p.ended.copy();
        }
        sessions.beginEnding(p);
        long started = records.scheduler.nanoTime();
        ControlMessage.Request request = takeover == null ? null : takeover.request();
        var release = new Release(p, reason, started, request == null ? null : request.takeover(takeover.fromServer()));
        Supplier<Current> first = () -> releaseStart(p, reason, takeover);
        var backoff = new Backoff(records.timings.backoffInitial(), records.backoffCap());
        records.retry(backoff, cause -> {
            records.metrics.saveFailed();
            records.reportError("last save failed", p.key, cause);
            return cause instanceof StorageException && !records.closeDeadlinePassed;
        }, () -> attemptRelease(release, release.tries++ == 0 ? first : () -> null)).whenComplete((outcome, error) -> {
            if (error == null) {
                released(release, outcome);
            } else {
                // Not retryable, or close gave up: the lease's end frees the lock; nothing of this session is saved.
                finishEnd(p, SessionEndReason.UNSAVED, RecordUpdater.unwrap(error));
            }
        });
        return p.ended.whenComplete((v, e) -> sessions.gone(p));
    }

    /** One session's last save across its retries: the snapshot is taken once, at the first try's turn. */
    private final class Release {
        final ActiveProfile<T> p;
        final LastSaveReason reason;
        final long started;
        /** Who asked for the profile in the message that started this release; the lock is handed to them. */
        final Envelope.Takeover asked;
        Snapshot snapshot;
        int tries;

        Release(ActiveProfile<T> p, LastSaveReason reason, long started, Envelope.Takeover asked) {
            this.p = p;
            this.reason = reason;
            this.started = started;
            this.asked = asked;
        }

        /**
         * The snapshot, taken when its turn first comes: a commit queued before it may still put the data
         * back. If the data cannot be serialized, the lock must still be released: with the last saved data.
         */
        Snapshot snapshot() {
            if (snapshot == null) {
                try {
                    snapshot = SessionWriter.this.snapshot(p);
                } catch (ProfileStoreException e) {
                    fallBack(e);
                }
            }
            return snapshot;
        }

        void fallBack(Throwable why) {
            records.reportError("the last save cannot write this session's data; releasing the lock with the data of the"
                    + " last successful save, and the changes since are LOST", p.key, why);
            snapshot = unsaved(why);
        }
    }

    /**
     * Where the release's compare-and-set starts, decided when its turn in the key's queue comes (a save
     * queued before it may have moved the record on). Normally our cached record is current: ending for our
     * own reasons, or asked by a message alone (nothing was written), or when our last write already
     * carried the request. A request written into the record since is read first, never guessed from a
     * message: no message can make this server write on a record it has not seen. A wrong guess of
     * "current" only costs a failed compare-and-set, which returns the record to try again on.
     */
    private Current releaseStart(ActiveProfile<T> p, LastSaveReason reason, ControlMessage takeover) {
        if (p.cached == null) {
            return null;
        }
        if (reason != LastSaveReason.EXTERNAL || p.cached.meta.takeover != null) {
            return cached(p);
        }
        ControlMessage.Request request = takeover == null ? null : takeover.request();
        return request != null && !request.written() ? cached(p) : null;
    }

    private CompletableFuture<Outcome> attemptRelease(Release r, Supplier<Current> start) {
        ActiveProfile<T> p = r.p;
        return records.keys.run(p.key, () -> {
            Snapshot s = r.snapshot();
            // A release that keeps the stored data must read it: a cached record carries no data.
            Current from = s.unsavedBecause() != null ? null : start.get();
            return records.update(p.key, from, current -> sessionWrite(p, current, s, true, r.asked));
        }).exceptionallyCompose(error -> {
            Throwable cause = RecordUpdater.unwrap(error);
            if (cause instanceof DataTooLargeException && r.snapshot != null && r.snapshot.unsavedBecause() == null) {
                // Refused by our own limit, not by the store: release now with the last good data rather than
                // leave the lock to block the player's next server until stealAfter.
                r.fallBack(cause);
                return attemptRelease(r, () -> null);
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private void released(Release r, Outcome outcome) {
        ActiveProfile<T> p = r.p;
        if (outcome instanceof Outcome.Aborted aborted) {
            if (aborted.why() != Plan.Why.ALREADY_RELEASED) {
                lost(p, aborted.current());
                return;
            }
            // An earlier try landed and only its reply was lost: the snapshot is saved and the lock is free, or
            // handed to a requester, who is woken to read it.
            sessions.end(p);
            Envelope.Lock next = aborted.current().lock();
            if (next != null) {
                records.publish(next.serverId(), ControlMessage.Kind.RELEASED, p.key, next.epoch());
            }
        } else {
            sessions.end(p);
            var written = (Outcome.Written) outcome;
            Envelope.Lock next = written.env().meta.lock;
            Envelope.Takeover takeover = written.env().meta.takeover;
            // Sent before the bookkeeping below (which fires the game's handlers): it is the handoff's critical path.
            if (next != null) {
                records.publishHanded(next.serverId(), p.key, next.epoch(), written);
            } else if (takeover != null) {
                records.publish(takeover.serverId(), ControlMessage.Kind.RELEASED, p.key, p.session.epoch());
            }
            afterWrite(p, outcome, r.snapshot, true, r.started);
        }
        Throwable unsaved = r.snapshot.unsavedBecause();
        finishEnd(p, unsaved != null ? SessionEndReason.UNSAVED : switch (r.reason) {
            case MANUAL -> SessionEndReason.MANUAL;
            case EXTERNAL -> SessionEndReason.EXTERNAL;
            case SHUTDOWN -> SessionEndReason.SHUTDOWN;
        }, unsaved);
    }

    /** The end's outcome: the signal, then the future, which fails unless this session's data was saved. */
    private void finishEnd(ActiveProfile<T> p, SessionEndReason reason, Throwable unsaved) {
        sessions.end(p);
        p.fire(ActiveProfile.ON_SESSION_END, reason);
        if (unsaved == null) {
            p.ended.complete(null);
        } else {
            p.ended.completeExceptionally(unsaved);
        }
    }

    // ---- overwrite from a view ----

    CompletableFuture<Void> overwrite(ViewProfile<T> view) {
        records.requireOpen();
        byte[] json = records.codec.serialize(view.data);
        ObjectNode metadata = records.envelopes.metadataTree(view.metadataNow());
        TreeSet<Long> userIds = new TreeSet<>(view.userIdsNow());
        Set<Long> processed = view.processedIds();
        return records.keys.run(view.key, () -> records.update(view.key, null, current -> {
            Envelope env = current.isProfile() ? current.env().copy() : Envelope.freshProfile(current.env(), records.scheduler.instant().toEpochMilli(), records.codec.formatVersion());
            long now = records.scheduler.instant().toEpochMilli();
            env.messages.removeIf(m -> processed.contains(m.id()));
            env.metadata = metadata;
            env.userIds = userIds;
            env.dataVersion = records.codec.formatVersion();
            env.meta.lock = null;
            env.meta.takeover = null;
            env.meta.lastSnapshotMs = now;
            return current.corrupt() != null ? new Plan.Write(env, json, RecordWrite.Versioning.PRESERVE_PREVIOUS)
                    : Plan.Write.snapshot(env, json, true, SaveCause.OVERWRITE);
        })).thenAccept(outcome -> {
            var written = (Outcome.Written) outcome;
            if (written.before().corrupt() != null) {
                records.reportOverwrite(view.key, written.before().corrupt());
            }
            view.forgetProcessed(processed);
            view.messages = List.copyOf(written.env().messages);
            Envelope.Lock old = written.before().lock();
            if (old != null) {
                // Let the old holder find out now that its lock is gone, not at its next auto-save.
                ActiveProfile<T> local = sessions.active(view.key);
                if (local != null && old.serverId().equals(records.serverId)) {
                    save(local, false);
                } else {
                    records.publish(old.serverId(), ControlMessage.Kind.MESSAGE, view.key, old.epoch());
                }
            }
        });
    }
}
