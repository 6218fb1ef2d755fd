package dev.profilestore.engine;

import dev.profilestore.Profile;
import dev.profilestore.DataTooLargeException;
import dev.profilestore.ProfileStoreException;
import dev.profilestore.SessionLostException;
import dev.profilestore.StorageException;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.WriteResult;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Atomic writes of several profiles of this server: {@code saveAllAsync} and {@code commitAsync}, for
 * trades. One write through {@link dev.profilestore.spi.Storage#writeAll}, holding every key's queue at
 * once; a commit's change runs at its turn, store errors are retried, and data that cannot land is put
 * back. Each commit's write carries an id, so a retry can tell that an earlier try landed though its
 * reply was lost. Runs on the event loop.
 */
final class CommitWriter<T> {

    private final RecordUpdater<T> records;
    private final SessionWriter<T> sessions;

    CommitWriter(RecordUpdater<T> records, SessionWriter<T> sessions) {
        this.records = records;
        this.sessions = sessions;
    }

    CompletableFuture<Void> saveAll(List<Profile<T>> profiles) {
        return commit(profiles, null);
    }

    /**
     * Saves several profiles in one atomic write, after running {@code change} on them (null: none).
     * With a change, store errors are retried and a commit that cannot land puts the data back.
     */
    CompletableFuture<Void> commit(List<Profile<T>> profiles, Runnable change) {
        if (!records.storage.capabilities().atomicMultiWrite()) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("the storage of store " + records.name
                    + " cannot write several keys atomically"));
        }
        List<ActiveProfile<T>> list = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Profile<T> profile : profiles) {
            if (!(profile instanceof ActiveProfile<T> p) || p.engine.records != records) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(profile + " is not a session of store "
                        + records.name));
            }
            if (!seen.add(p.key)) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("profile " + p.key + " is listed twice"));
            }
            list.add(p);
        }
        if (list.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        long started = records.scheduler.nanoTime();
        return records.keys.runAll(list.stream().map(p -> p.key).toList(), () -> {
            for (ActiveProfile<T> p : list) {
                if (p.state != ActiveProfile.State.ACTIVE) {
                    return CompletableFuture.failedFuture(new SessionLostException("profile " + records.name + "/" + p.key
                            + " has no active session; nothing was saved"));
                }
            }
            List<byte[]> before = new ArrayList<>();
            if (change != null) {
                for (ActiveProfile<T> p : list) {
                    before.add(records.codec.serialize(p.data));
                }
                try {
                    change.run();
                } catch (RuntimeException e) {
                    putBack(list, before, List.of());
                    return CompletableFuture.failedFuture(e);
                }
            }
            list.forEach(p -> p.fire(ActiveProfile.ON_SAVE, null));
            List<SessionWriter.Snapshot> snapshots = new ArrayList<>();
            try {
                for (ActiveProfile<T> p : list) {
                    snapshots.add(sessions.snapshot(p));
                }
            } catch (ProfileStoreException e) {
                putBack(list, before, List.of());
                return CompletableFuture.failedFuture(e);
            }
            long commitId = records.nextSendSeq();
            var backoff = new Backoff(records.timings.backoffInitial(), records.timings.backoffMax());
            // A lost reply may have applied the write: the cached revisions then conflict and the retry reads the
            // current records, where this session still holds the lock, and writes the same snapshot.
            CompletableFuture<Void> result = records.retry(backoff, cause -> retryable(change, list, cause),
                    () -> attemptSaveAll(list, snapshots, list.stream().map(sessions::cached).toList(), started, commitId));
            return result.exceptionallyCompose(e -> CompletableFuture.failedFuture(e instanceof StorageException
                    ? new StorageException("the store did not answer; the commit may or may not have landed, so its"
                            + " change was not undone", e) : e)).whenComplete((v, e) -> {
                if (e != null && certainlyNotWritten(RecordUpdater.unwrap(e))) {
                    putBack(list, before, snapshots);
                }
            });
        }).whenComplete((v, e) -> {
            if (e != null && !(RecordUpdater.unwrap(e) instanceof SessionLostException)) {
                records.reportError("multi-profile save failed", list.get(0).key, e);
            }
        });
    }

    /**
     * Store errors of a commit are retried until the outcome is certain: landed (its number is in a record), or not
     * (a record shows the lock lost and no number). Only close's deadline leaves it unknown. A plain saveAll (no
     * change) is not retried: its caller may save again.
     */
    private boolean retryable(Runnable change, List<ActiveProfile<T>> list, Throwable cause) {
        boolean retry = change != null && cause instanceof StorageException && !records.closeDeadlinePassed;
        if (retry) {
            records.reportError("commit failed; retrying", list.get(0).key, cause);
        }
        return retry;
    }

    /** Bookkeeping for a commit found to have landed: saved for the profiles still ours, then lost for the rest. */
    private void landed(List<ActiveProfile<T>> list, List<SessionWriter.Snapshot> snapshots, List<Current> currents, long started) {
        for (int i = 0; i < list.size(); i++) {
            ActiveProfile<T> p = list.get(i);
            Current current = currents.get(i);
            Envelope.Lock lock = current.lock();
            if (p.holds(lock)) {
                sessions.afterWrite(p, new Outcome.Written(current.env().copy(), snapshots.get(i).dataJson(), current.revision(),
                        current.record().updatedAt(), current), snapshots.get(i), false, started);
            } else {
                if (p.hasListeners(ActiveProfile.ON_AFTER_SAVE)) {
                    p.fire(ActiveProfile.ON_AFTER_SAVE, records.codec.fromBytes(snapshots.get(i).dataJson()));
                }
                sessions.lost(p, current);
            }
        }
    }

    /**
     * Whether a failed commit certainly wrote nothing: refused before the store was asked, or found the lock
     * lost (and its id not in the record). A store error after retries leaves the outcome unknown: putting
     * the data back then could tear a trade that landed with its reply lost.
     */
    private static boolean certainlyNotWritten(Throwable cause) {
        return !(cause instanceof StorageException);
    }

    /**
     * Undoes a commit's change on the profiles whose last write is still to come (active, or ending with the
     * release queued behind the commit). Game code may have changed the data while the commit retried, so
     * the change is reverted, not the data replaced: see {@link JsonRevert}. Where the game changed a value
     * the commit had changed too, and it is not a number, the game's value is kept and the error reported.
     */
    private void putBack(List<ActiveProfile<T>> list, List<byte[]> before, List<SessionWriter.Snapshot> snapshots) {
        for (int i = 0; i < before.size(); i++) {
            ActiveProfile<T> p = list.get(i);
            if (p.state == ActiveProfile.State.ENDED) {
                continue;
            }
            if (i >= snapshots.size()) {
                p.data = records.codec.fromBytes(before.get(i)); // failed at its turn: nothing else ran since
                continue;
            }
            var revert = JsonRevert.revert(records.codec.tree(records.codec.serialize(p.data)),
                    records.codec.tree(snapshots.get(i).dataJson()), records.codec.tree(before.get(i)));
            p.data = records.codec.fromTree(revert.result());
            if (!revert.conflicts().isEmpty()) {
                records.reportError("a failed commit's change could not be undone everywhere", p.key,
                        new IllegalStateException("the game changed " + revert.conflicts() + " while the commit was"
                                + " retried; those values were kept"));
            }
        }
    }

    private CompletableFuture<Void> attemptSaveAll(List<ActiveProfile<T>> list, List<SessionWriter.Snapshot> snapshots,
                                                   List<Current> currents, long started, long commitId) {
        if (currents.stream().anyMatch(c -> c.env() != null && c.env().landed(records.leaseId, commitId))) {
            // An earlier try landed and only its reply was lost; the write is atomic, so all of it landed,
            // even where another server has taken a profile since.
            landed(list, snapshots, currents, started);
            return CompletableFuture.completedFuture(null);
        }
        List<KeyedWrite> writes = new ArrayList<>();
        List<Plan.Write> plans = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ActiveProfile<T> p = list.get(i);
            Plan plan = sessions.sessionWrite(p, currents.get(i), snapshots.get(i), false);
            if (plan instanceof Plan.Write w) {
                w.env().markSent(records.leaseId, commitId);
            }
            if (plan instanceof Plan.Abort) {
                sessions.lost(p, currents.get(i));
                return CompletableFuture.failedFuture(new SessionLostException("profile " + records.name + "/" + p.key
                        + " is no longer held by this session; nothing was saved"));
            }
            Plan.Write write = (Plan.Write) plan;
            byte[] payload;
            try {
                payload = records.encode(p.key, write);
            } catch (DataTooLargeException e) {
                return CompletableFuture.failedFuture(e);
            }
            plans.add(write);
            writes.add(new KeyedWrite(records.name, p.key, currents.get(i).revision(),
                    new RecordWrite(payload, write.env().userIds, write.versioning(), write.cause())));
        }
        return records.call(() -> {
            List<WriteResult> results = records.storage.writeAll(writes);
            return results.stream().map(r -> RecordUpdater.Tried.of(r, records)).toList();
        }).thenCompose(results -> {
            if (results.stream().allMatch(r -> r.written() != null)) {
                for (int i = 0; i < list.size(); i++) {
                    WriteResult.Written w = results.get(i).written();
                    sessions.afterWrite(list.get(i), new Outcome.Written(plans.get(i).env(), snapshots.get(i).dataJson(), w.revision(),
                            w.updatedAt(), currents.get(i)), snapshots.get(i), false, started);
                }
                return CompletableFuture.completedFuture(null);
            }
            // All or nothing: a conflict on one key means nothing was written, and each key reports its record.
            return attemptSaveAll(list, snapshots, results.stream().map(RecordUpdater.Tried::found).toList(), started, commitId);
        });
    }

}
