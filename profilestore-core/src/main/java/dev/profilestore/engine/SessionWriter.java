package dev.profilestore.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.DroppedMessages;
import dev.profilestore.LastSaveReason;
import dev.profilestore.Profile;
import dev.profilestore.ProfileStoreException;
import dev.profilestore.SessionEndReason;
import dev.profilestore.SessionLostException;
import dev.profilestore.StorageException;
import dev.profilestore.UnsupportedFormatException;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.WriteResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Every write of profile content: session saves (and the read-only check that replaces a save of an
 * unchanged profile), last saves that release the lock, overwrites from views, multi-profile commits,
 * and messages. Runs on the event loop.
 */
final class SessionWriter<T> {

    /** Why a session write was refused: the record no longer shows this session as holder. */
    private static final Object LOST = "lost";

    private final StoreEngine<T> engine;

    SessionWriter(StoreEngine<T> engine) {
        this.engine = engine;
    }

    /** What a save writes, taken on the loop in one go so it is a consistent picture of the profile. */
    private record Snapshot(byte[] dataJson, ObjectNode metadata, TreeSet<Long> userIds, Set<Long> processed) {}

    private Snapshot snapshot(ActiveProfile<T> p) {
        byte[] json = engine.codec.serialize(p.data);
        ObjectNode metadata = engine.envelopes.metadataTree(p.metadata);
        return new Snapshot(json, metadata, new TreeSet<>(p.userIds), Set.copyOf(p.processed));
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
            return CompletableFuture.failedFuture(new SessionLostException("profile " + engine.name + "/" + p.key
                    + " has no active session (" + p.state + ")"));
        }
        if (manual) {
            engine.autoSaver.moveToBack(p);
        }
        p.onSave.fire(null);
        if (p.state != ActiveProfile.State.ACTIVE) {
            return p.ended;
        }
        long started = engine.scheduler.nanoTime();
        CompletableFuture<Void> done = engine.keys.run(p.key, () -> {
            if (p.state != ActiveProfile.State.ACTIVE) {
                return CompletableFuture.completedFuture(null);
            }
            // Taken when the save's turn comes, not when it was asked for: a save queued behind a trade
            // must not write data from before the trade was settled.
            Snapshot s = snapshot(p);
            if (!manual && unchanged(p, s)) {
                engine.metrics.saveSkipped();
                return engine.read(p.key).thenAccept(current -> afterCheck(p, current));
            }
            return engine.update(p.key, cached(p), current -> sessionWrite(p, current, s, false))
                    .thenAccept(outcome -> afterWrite(p, outcome, s, false, started));
        });
        return done.whenComplete((v, e) -> {
            if (e != null && !(StoreEngine.unwrap(e) instanceof SessionLostException)) {
                engine.metrics.saveFailed();
                engine.reportError("save failed", p.key, e);
            }
        });
    }

    private Current cached(ActiveProfile<T> p) {
        return Current.cached(p.revision, p.cached, p.keyInfo.createdAt(), p.keyInfo.updatedAt());
    }

    private Plan sessionWrite(ActiveProfile<T> p, Current current, Snapshot s, boolean release) {
        Envelope.Lock lock = current.lock();
        if (lock == null || !lock.sessionId().equals(p.session.sessionId()) || lock.epoch() != p.session.epoch()) {
            return new Plan.Abort(LOST);
        }
        Envelope env = current.env().copy();
        long now = engine.scheduler.instant().toEpochMilli();
        env.messages.removeIf(m -> s.processed.contains(m.id()));
        env.metadata = s.metadata;
        env.userIds = s.userIds;
        env.dataVersion = engine.codec.formatVersion();
        env.meta.lastUpdateMs = now;
        boolean snapshotDue = now - env.meta.lastSnapshotMs >= engine.timings.snapshotInterval().toMillis();
        if (release) {
            env.meta.lock = null;
        }
        if (release || snapshotDue) {
            env.meta.lastSnapshotMs = now;
        }
        return new Plan.Write(env, s.dataJson, release || snapshotDue ? RecordWrite.Versioning.SNAPSHOT
                : RecordWrite.Versioning.NONE);
    }

    private void afterWrite(ActiveProfile<T> p, Outcome outcome, Snapshot s, boolean release, long started) {
        if (outcome instanceof Outcome.Aborted aborted) {
            lost(p, aborted.current());
            throw new SessionLostException("profile " + engine.name + "/" + p.key + " is no longer held by this session;"
                    + " the write was rejected");
        }
        var written = (Outcome.Written) outcome;
        engine.metrics.saved(engine.scheduler.nanoTime() - started);
        Envelope env = written.env();
        env.data = null; // the data lives in the profile; keeping the tree would double its memory
        p.revision = written.revision();
        p.cached = env;
        p.keyInfo = new dev.profilestore.KeyInfo(p.keyInfo.createdAt(), written.updatedAt(), Long.toString(written.revision()));
        p.savedJson = s.dataJson;
        p.savedMetadata = s.metadata;
        p.savedUserIds = s.userIds;
        p.processed.removeAll(s.processed);
        afterSeen(p, env, release);
        if (p.onAfterSave.hasListeners()) {
            p.onAfterSave.fire(p.lastSavedData());
        }
    }

    private void afterCheck(ActiveProfile<T> p, Current current) {
        Envelope.Lock lock = current.lock();
        if (lock == null || !lock.sessionId().equals(p.session.sessionId()) || lock.epoch() != p.session.epoch()) {
            lost(p, current);
            return;
        }
        Envelope env = current.env();
        env.data = null;
        p.revision = current.revision();
        p.cached = env;
        p.keyInfo = StoreEngine.keyInfo(current.record());
        afterSeen(p, env, false);
    }

    /** Message delivery and takeover detection, after any write or read that showed the session still ours. */
    private void afterSeen(ActiveProfile<T> p, Envelope env, boolean release) {
        p.messages = List.copyOf(env.messages);
        if (release || p.state != ActiveProfile.State.ACTIVE) {
            return;
        }
        boolean handled = false;
        for (Envelope.StoredMessage m : env.messages) {
            if (p.received.add(m.id()) && !p.processed.contains(m.id())) {
                p.deliver(m);
                handled |= p.processed.contains(m.id());
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

    private void lost(ActiveProfile<T> p, Current current) {
        if (p.state == ActiveProfile.State.ENDED) {
            return;
        }
        boolean wasActive = p.state == ActiveProfile.State.ACTIVE;
        p.state = ActiveProfile.State.ENDED;
        engine.active.remove(p.key, p);
        engine.autoSaver.remove(p);
        engine.metrics.sessionLost();
        Envelope.Lock lock = current == null ? null : current.lock();
        engine.reportError("session lost", p.key, new SessionLostException("profile " + engine.name + "/" + p.key
                + " epoch " + p.session.epoch() + " is now " + (lock == null ? "unlocked or gone"
                : "held by server " + lock.serverId() + " epoch " + lock.epoch()) + "; unsaved changes are discarded"));
        if (wasActive) {
            p.onSessionEnd.fire(SessionEndReason.LOST);
        }
        p.ended.complete(null);
    }

    // ---- the last save ----

    /**
     * Ends a session: the signals, then one write that saves the data and clears the lock, retried with
     * backoff until it succeeds, the lock is found lost, or close gives up.
     */
    CompletableFuture<Void> end(ActiveProfile<T> p, LastSaveReason reason) {
        if (p.state != ActiveProfile.State.ACTIVE) {
            return p.ended;
        }
        p.onSave.fire(null);
        p.onLastSave.fire(reason);
        if (p.state != ActiveProfile.State.ACTIVE) {
            return p.ended;
        }
        p.state = ActiveProfile.State.ENDING;
        engine.active.remove(p.key, p);
        engine.ending.put(p.key, p);
        engine.autoSaver.remove(p);
        p.onSessionEnd.fire(switch (reason) {
            case MANUAL -> SessionEndReason.MANUAL;
            case EXTERNAL -> SessionEndReason.EXTERNAL;
            case SHUTDOWN -> SessionEndReason.SHUTDOWN;
        });
        long started = engine.scheduler.nanoTime();
        var backoff = new Backoff(engine.timings.backoffInitial(), engine.backoffCap());
        attemptRelease(p, new Snapshot[1], backoff, started);
        return p.ended.whenComplete((v, e) -> {
            engine.ending.remove(p.key, p);
            engine.starter.wake(p.key);
        });
    }

    /**
     * The last save's snapshot, taken when its turn comes: a commit queued before it may still put the
     * data back. If the data cannot be serialized, the lock must still be released: keep the last saved
     * data, and keep processed messages too, since the changes their handlers made are not in this write.
     */
    private Snapshot lastSnapshot(ActiveProfile<T> p) {
        try {
            return snapshot(p);
        } catch (ProfileStoreException e) {
            engine.reportError("last save could not serialize the data; releasing with the last saved data", p.key, e);
            return new Snapshot(p.savedJson, p.savedMetadata, new TreeSet<>(p.savedUserIds), Set.of());
        }
    }

    private void attemptRelease(ActiveProfile<T> p, Snapshot[] taken, Backoff backoff, long started) {
        engine.keys.run(p.key, () -> {
            if (taken[0] == null) {
                taken[0] = lastSnapshot(p);
            }
            Snapshot s = taken[0];
            return engine.update(p.key, cached(p), current -> sessionWrite(p, current, s, true));
        })
                .whenComplete((outcome, error) -> {
                    if (error == null) {
                        if (outcome instanceof Outcome.Aborted aborted) {
                            lost(p, aborted.current());
                            return;
                        }
                        p.state = ActiveProfile.State.ENDED;
                        afterWrite(p, outcome, taken[0], true, started);
                        Envelope.Takeover takeover = ((Outcome.Written) outcome).env().meta.takeover;
                        if (takeover != null) {
                            engine.publish(takeover.serverId(), ControlMessage.Kind.RELEASED, p.key, p.session.epoch());
                        }
                        p.ended.complete(null);
                        return;
                    }
                    Throwable cause = StoreEngine.unwrap(error);
                    engine.metrics.saveFailed();
                    engine.reportError("last save failed", p.key, cause);
                    if (!(cause instanceof StorageException) || engine.closeDeadlinePassed) {
                        // Not retryable (too large, or close gave up): the lease's end frees the lock.
                        p.state = ActiveProfile.State.ENDED;
                        p.ended.completeExceptionally(cause);
                        return;
                    }
                    engine.scheduler.schedule(backoff.next(), () -> engine.loop.execute(() -> attemptRelease(p, taken, backoff, started)));
                });
    }

    // ---- overwrite from a view ----

    CompletableFuture<Void> overwrite(ViewProfile<T> view) {
        engine.requireOpen();
        byte[] json = engine.codec.serialize(view.data);
        ObjectNode metadata = engine.envelopes.metadataTree(view.metadata);
        TreeSet<Long> userIds = new TreeSet<>(view.userIds);
        Set<Long> processed = Set.copyOf(view.processed);
        return engine.keys.run(view.key, () -> engine.update(view.key, null, current -> {
            Envelope env = current.isProfile() ? current.env().copy() : freshEnvelope(current);
            long now = engine.scheduler.instant().toEpochMilli();
            env.messages.removeIf(m -> processed.contains(m.id()));
            env.metadata = metadata;
            env.userIds = userIds;
            env.dataVersion = engine.codec.formatVersion();
            env.meta.lock = null;
            env.meta.takeover = null;
            env.meta.lastSnapshotMs = now;
            return new Plan.Write(env, json, current.corrupt() != null ? RecordWrite.Versioning.PRESERVE_PREVIOUS
                    : RecordWrite.Versioning.SNAPSHOT);
        })).thenAccept(outcome -> {
            var written = (Outcome.Written) outcome;
            if (written.before().corrupt() != null) {
                engine.reportOverwrite(view.key, written.before().corrupt());
            }
            view.processed.removeAll(processed);
            view.messages = List.copyOf(written.env().messages);
            Envelope.Lock old = written.before().lock();
            if (old != null) {
                // Let the old holder find out now that its lock is gone, not at its next auto-save.
                ActiveProfile<T> local = engine.active.get(view.key);
                if (local != null && old.serverId().equals(engine.serverId)) {
                    save(local, false);
                } else {
                    engine.publish(old.serverId(), ControlMessage.Kind.MESSAGE, view.key, old.epoch());
                }
            }
        });
    }

    /** A new profile's record, keeping any messages already waiting at the key. */
    Envelope freshEnvelope(Current current) {
        Envelope env = new Envelope();
        if (current.env() != null) {
            env.messages = new ArrayList<>(current.env().messages);
            env.lastMessageId = current.env().lastMessageId;
        }
        env.meta = new Envelope.Meta();
        env.meta.createdMs = engine.scheduler.instant().toEpochMilli();
        env.dataVersion = engine.codec.formatVersion();
        env.metadata = engine.envelopes.metadataTree(java.util.Map.of());
        return env;
    }

    // ---- atomic multi-profile save and commit ----

    CompletableFuture<Void> saveAll(List<Profile<T>> profiles) {
        return commit(profiles, null);
    }

    /**
     * Saves several profiles in one atomic write, after running {@code change} on them (null: none).
     * With a change, store errors are retried and a commit that cannot land puts the data back.
     */
    CompletableFuture<Void> commit(List<Profile<T>> profiles, Runnable change) {
        if (!engine.storage.capabilities().atomicMultiWrite()) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("the storage of store " + engine.name
                    + " cannot write several keys atomically"));
        }
        List<ActiveProfile<T>> list = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Profile<T> profile : profiles) {
            if (!(profile instanceof ActiveProfile<T> p) || p.engine != engine) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(profile + " is not a session of store "
                        + engine.name));
            }
            if (!seen.add(p.key)) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("profile " + p.key + " is listed twice"));
            }
            list.add(p);
        }
        if (list.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        long started = engine.scheduler.nanoTime();
        return engine.keys.runAll(list.stream().map(p -> p.key).toList(), () -> {
            for (ActiveProfile<T> p : list) {
                if (p.state != ActiveProfile.State.ACTIVE) {
                    return CompletableFuture.failedFuture(new SessionLostException("profile " + engine.name + "/" + p.key
                            + " has no active session; nothing was saved"));
                }
            }
            List<byte[]> before = new ArrayList<>();
            if (change != null) {
                for (ActiveProfile<T> p : list) {
                    before.add(engine.codec.serialize(p.data));
                }
                try {
                    change.run();
                } catch (RuntimeException e) {
                    putBack(list, before);
                    return CompletableFuture.failedFuture(e);
                }
            }
            list.forEach(p -> p.onSave.fire(null));
            List<Snapshot> snapshots = new ArrayList<>();
            try {
                for (ActiveProfile<T> p : list) {
                    snapshots.add(snapshot(p));
                }
            } catch (ProfileStoreException e) {
                putBack(list, before);
                return CompletableFuture.failedFuture(e);
            }
            List<Current> start = list.stream().map(this::cached).toList();
            CompletableFuture<Void> result = new CompletableFuture<>();
            var backoff = change == null ? null : new Backoff(engine.timings.backoffInitial(), engine.timings.backoffMax());
            attemptCommit(list, snapshots, start, started, backoff, result);
            return result.whenComplete((v, e) -> {
                if (e != null) {
                    putBack(list, before);
                }
            });
        }).whenComplete((v, e) -> {
            if (e != null && !(StoreEngine.unwrap(e) instanceof SessionLostException)) {
                engine.reportError("multi-profile save failed", list.get(0).key, e);
            }
        });
    }

    private void attemptCommit(List<ActiveProfile<T>> list, List<Snapshot> snapshots, List<Current> start, long started,
                               Backoff backoff, CompletableFuture<Void> result) {
        attemptSaveAll(list, snapshots, start, started).whenComplete((v, e) -> {
            if (e == null) {
                result.complete(null);
                return;
            }
            Throwable cause = StoreEngine.unwrap(e);
            // A profile whose release is queued behind this commit still holds its lock: keep trying for it too.
            boolean retry = backoff != null && cause instanceof StorageException && !engine.closeDeadlinePassed
                    && list.stream().noneMatch(p -> p.state == ActiveProfile.State.ENDED);
            if (!retry) {
                result.completeExceptionally(cause);
                return;
            }
            engine.reportError("commit failed; retrying", list.get(0).key, cause);
            // A lost reply may have applied the write: the cached revisions then conflict and the retry
            // reads the current records, where this session still holds the lock, and writes the same snapshot.
            List<Current> again = list.stream().map(this::cached).toList();
            engine.scheduler.schedule(backoff.next(), () -> engine.loop.execute(
                    () -> attemptCommit(list, snapshots, again, started, backoff, result)));
        });
    }

    /**
     * Puts back the data the profiles had before a commit's change, for those whose last write is still
     * to come (active, or ending with the release queued behind the commit).
     */
    private void putBack(List<ActiveProfile<T>> list, List<byte[]> before) {
        for (int i = 0; i < before.size(); i++) {
            ActiveProfile<T> p = list.get(i);
            if (p.state != ActiveProfile.State.ENDED) {
                p.data = engine.codec.fromBytes(before.get(i));
            }
        }
    }

    private CompletableFuture<Void> attemptSaveAll(List<ActiveProfile<T>> list, List<Snapshot> snapshots,
                                                   List<Current> currents, long started) {
        List<KeyedWrite> writes = new ArrayList<>();
        List<Plan.Write> plans = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ActiveProfile<T> p = list.get(i);
            Plan plan = sessionWrite(p, currents.get(i), snapshots.get(i), false);
            if (plan instanceof Plan.Abort) {
                lost(p, currents.get(i));
                return CompletableFuture.failedFuture(new SessionLostException("profile " + engine.name + "/" + p.key
                        + " is no longer held by this session; nothing was saved"));
            }
            Plan.Write write = (Plan.Write) plan;
            byte[] payload = engine.envelopes.encode(write.env(), write.dataJson());
            if (payload.length > engine.settings.maxDataBytes()) {
                return CompletableFuture.failedFuture(new dev.profilestore.DataTooLargeException("profile " + engine.name + "/"
                        + p.key + " serializes to " + payload.length + " bytes, over the limit of "
                        + engine.settings.maxDataBytes() + "; nothing was saved"));
            }
            plans.add(write);
            writes.add(new KeyedWrite(engine.name, p.key, currents.get(i).revision(),
                    new RecordWrite(payload, write.env().userIds, write.versioning())));
        }
        return engine.call(() -> {
            List<WriteResult> results = engine.storage.writeAll(writes);
            List<Object> mapped = new ArrayList<>();
            for (WriteResult r : results) {
                mapped.add(r instanceof WriteResult.Conflict c ? engine.toCurrent(c.current()) : r);
            }
            return mapped;
        }).thenCompose(results -> {
            if (results.stream().allMatch(r -> r instanceof WriteResult.Written)) {
                for (int i = 0; i < list.size(); i++) {
                    var w = (WriteResult.Written) results.get(i);
                    afterWrite(list.get(i), new Outcome.Written(plans.get(i).env(), snapshots.get(i).dataJson, w.revision(),
                            w.updatedAt(), currents.get(i)), snapshots.get(i), false, started);
                }
                return CompletableFuture.completedFuture(null);
            }
            List<Current> next = new ArrayList<>();
            for (Object r : results) {
                next.add((Current) r);
            }
            return attemptSaveAll(list, snapshots, next, started);
        });
    }

    // ---- messages ----

    CompletableFuture<Void> message(String key, JsonNode body) {
        engine.requireOpen();
        CompletableFuture<Void> result = new CompletableFuture<>();
        String sendId = java.util.UUID.randomUUID().toString();
        attemptMessage(key, body, sendId, new Backoff(engine.timings.backoffInitial(), engine.timings.backoffMax()), result);
        return result;
    }

    private void attemptMessage(String key, JsonNode body, String sendId, Backoff backoff, CompletableFuture<Void> result) {
        int[] dropped = {0};
        engine.keys.run(key, () -> engine.update(key, null, current -> {
            if (current.env() != null && current.env().recentSends.contains(sendId)) {
                return new Plan.Abort("already sent"); // an earlier try landed; only its reply was lost
            }
            Envelope env = current.env() != null ? current.env().copy() : new Envelope();
            env.recentSends.add(sendId);
            if (env.recentSends.size() > Envelope.RECENT_SENDS) {
                env.recentSends.remove(0);
            }
            env.lastMessageId++;
            env.messages.add(new Envelope.StoredMessage(env.lastMessageId, body));
            dropped[0] = 0;
            while (env.messages.size() > engine.timings.maxMessages()) {
                env.messages.remove(0);
                dropped[0]++;
            }
            return new Plan.Write(env, null, current.corrupt() != null ? RecordWrite.Versioning.PRESERVE_PREVIOUS
                    : RecordWrite.Versioning.NONE);
        })).whenComplete((outcome, error) -> {
            if (error == null && outcome instanceof Outcome.Aborted) {
                result.complete(null);
                return;
            }
            if (error == null) {
                var written = (Outcome.Written) outcome;
                if (written.before().corrupt() != null) {
                    engine.reportOverwrite(key, written.before().corrupt());
                }
                if (dropped[0] > 0) {
                    engine.onMessagesDropped.fire(new DroppedMessages(engine.name, key, dropped[0]));
                }
                Envelope.Lock lock = written.env().isMessageBox() ? null : written.env().meta.lock;
                if (lock != null) {
                    ActiveProfile<T> local = engine.active.get(key);
                    if (local != null && local.session.sessionId().equals(lock.sessionId())) {
                        save(local, false);
                    } else {
                        engine.publish(lock.serverId(), ControlMessage.Kind.MESSAGE, key, lock.epoch());
                    }
                }
                result.complete(null);
                return;
            }
            Throwable cause = StoreEngine.unwrap(error);
            engine.reportError("message failed", key, cause);
            if (!(cause instanceof StorageException) || engine.closing || cause instanceof UnsupportedFormatException) {
                result.completeExceptionally(cause);
                return;
            }
            engine.scheduler.schedule(backoff.next(),
                    () -> engine.loop.execute(() -> attemptMessage(key, body, sendId, backoff, result)));
        });
    }
}
