package dev.profilestore.redis;

import dev.profilestore.StorageException;
import dev.profilestore.redis.internal.LuaScript;
import dev.profilestore.redis.internal.RedisKeys;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.Micros;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link Storage#writeAll} across Redis Cluster slots: a two-phase commit with a primary, after Percolator. No Lua
 * script may touch keys of two slots, so the profiles of a trade cannot be written by one script as on a single
 * server; instead:
 * <ol>
 * <li><b>Prewrite</b> (in parallel): for every profile but the first (the <em>primary</em>), a script in its own slot
 *     checks the expected revision and that no other trade holds it, reserves the new revision, and stores the write
 *     as an <em>intent</em> with the trade id, the key of the commit record, the participants and a deadline. The
 *     record is not touched.</li>
 * <li><b>Commit point</b>: one script in the primary's slot checks the primary's revision and the deadline, writes
 *     the primary's record and creates the commit record {state COMMITTED, participants}, atomically. The trade is
 *     committed exactly when this script succeeds.</li>
 * <li><b>Roll forward</b> (in parallel): each intent is applied (record, versions, index marks, as a write) and
 *     deleted; then the commit record is deleted.</li>
 * </ol>
 * Whoever meets an intent resolves it ({@link Intents}): so a crash of the coordinator after the prewrite ends in an
 * abort at the deadline, and after the commit point in a roll forward; no reader ever sees a torn trade or an intent
 * as data. A conflict, another trade holding a profile, or a failure before the commit point aborts the attempt (a
 * compare-and-set on the commit record makes the abort final) and drops its intents: nothing was written. Another
 * trade in the way is resolved and the attempt repeated, after a random pause, until the intent lifetime is spent.
 * When the commit point's reply is lost, the outcome is settled by the same compare-and-set: COMMITTED found, or
 * ABORTED made; only when that fails too is the outcome unknown ({@link StorageException}).
 */
final class ClusterCommit {

    private static final Logger log = LoggerFactory.getLogger(ClusterCommit.class);

    static final LuaScript PREWRITE = LuaScript.load("common.lua", "prewrite.lua");
    static final LuaScript COMMIT = LuaScript.load("common.lua", "commit.lua");

    /** Where a coordinator may stop, as if its process died there: for tests of what readers then do. */
    enum Stop { AFTER_PREWRITE, AFTER_COMMIT_POINT }

    private final RedisStorage storage;
    private final RedisKeys keys;
    private final Intents intents;
    private final long lifetimeMicros;

    ClusterCommit(RedisStorage storage, RedisKeys keys, Intents intents, long lifetimeMicros) {
        this.storage = storage;
        this.keys = keys;
        this.intents = intents;
        this.lifetimeMicros = lifetimeMicros;
    }

    /** Writes all or none of {@code writes} (distinct profiles, in at least two slots). */
    List<WriteResult> writeAll(List<KeyedWrite> writes) {
        return writeAll(writes, null);
    }

    /**
     * As {@link #writeAll(List)}, but when the trade reaches {@code stop} it stops there without finishing or cleaning
     * up, and returns null.
     */
    List<WriteResult> writeAll(List<KeyedWrite> writes, Stop stop) {
        long started = System.nanoTime();
        long budget = TimeUnit.MICROSECONDS.toNanos(lifetimeMicros);
        for (int attempt = 1; ; attempt++) {
            Attempt a = new Attempt(writes);
            Outcome outcome = a.run(stop);
            if (outcome instanceof Outcome.Done done) {
                return done.results();
            }
            if (outcome instanceof Outcome.Stopped) {
                return null;
            }
            if (System.nanoTime() - started > budget) {
                throw new StorageException(a.what + ": other trades held its profiles for " + attempt
                        + " attempts; nothing was written");
            }
            // A random pause, so two trades that keep meeting each other's intents stop doing so.
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(TimeUnit.MICROSECONDS.toNanos(100 << Math.min(attempt, 7))));
        }
    }

    /** How one attempt ended. */
    private sealed interface Outcome {
        /** Decided: written, or conflicts (nothing written). */
        record Done(List<WriteResult> results) implements Outcome {}

        /** Aborted because of another trade, or too late: nothing written, try again. */
        record Retry() implements Outcome {}

        /** Stopped at a {@link Stop}, as if the process died. */
        record Stopped() implements Outcome {}
    }

    /** One try of a trade, with its own id. */
    private final class Attempt {
        final List<KeyedWrite> writes;
        final String id = UUID.randomUUID().toString();
        final String what;
        final List<Intents.Participant> secondaries = new ArrayList<>();
        final byte[] commitRecord;
        final String participants;
        final WriteResult[] results;
        final boolean[] published;
        long commitBy = Long.MAX_VALUE;

        Attempt(List<KeyedWrite> writes) {
            this.writes = writes;
            this.what = "trade " + id + " of " + writes.stream().map(w -> w.store() + "/" + w.key()).toList();
            for (KeyedWrite w : writes.subList(1, writes.size())) {
                secondaries.add(new Intents.Participant(w.store(), w.key()));
            }
            KeyedWrite primary = writes.get(0);
            this.commitRecord = keys.commitRecord(keys.profile(primary.store(), primary.key())[RedisKeys.RECORD], id);
            this.participants = Intents.encode(secondaries);
            this.results = new WriteResult[writes.size()];
            this.published = new boolean[writes.size()];
        }

        Outcome run(Stop stop) {
            Optional<Boolean> prewritten = prewrite();
            if (prewritten.isEmpty() || !prewritten.get()) {
                return prewritten.isEmpty() ? new Outcome.Done(conflicts()) : new Outcome.Retry();
            }
            if (stop == Stop.AFTER_PREWRITE) {
                return new Outcome.Stopped();
            }
            Optional<Boolean> committed = commitPoint();
            if (committed.isEmpty() || !committed.get()) {
                return committed.isEmpty() ? new Outcome.Done(conflicts()) : new Outcome.Retry();
            }
            if (stop == Stop.AFTER_COMMIT_POINT) {
                return new Outcome.Stopped();
            }
            if (intents.rollForward(id, secondaries, what)) {
                intents.forget(commitRecord, what);
            }
            return new Outcome.Done(List.of(results));
        }

        /**
         * Stores every secondary's intent. True when all are stored, false when another trade was in the way (this
         * attempt aborted, the other resolved), empty on a revision conflict (aborted).
         */
        private Optional<Boolean> prewrite() {
            List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
            for (int i = 1; i < writes.size(); i++) {
                KeyedWrite w = writes.get(i);
                replies.add(storage.evalAsync(PREWRITE, keys.profile(w.store(), w.key()), new byte[][] {b(id), commitRecord,
                    b(participants), b(Long.toString(lifetimeMicros)), b(Long.toString(w.expectedRevision())),
                    w.write().payload(), b(RedisStorage.versioning(w.write())), b(RedisStorage.userIds(w.write()))}, what));
            }
            boolean conflict = false;
            List<Intents.Participant> held = new ArrayList<>();
            StorageException failure = null;
            for (int i = 1; i < writes.size(); i++) {
                CompletableFuture<List<Object>> f = replies.get(i - 1);
                List<Object> r;
                try {
                    r = storage.await(what + " (prewrite)", () -> f);
                } catch (StorageException e) {
                    failure = e;
                    continue;
                }
                switch (((Long) r.get(0)).intValue()) {
                    case 1 -> {
                        results[i] = new WriteResult.Written(parse(r.get(1)), Micros.toInstant(parse(r.get(2))));
                        commitBy = Math.min(commitBy, parse(r.get(3)));
                        published[i] = str(r.get(4)).equals("1");
                    }
                    case 0 -> {
                        conflict = true;
                        results[i] = conflict(r);
                    }
                    case 3 -> held.add(secondaries.get(i - 1));
                    default -> throw new StorageException(what + ": unexpected reply from the prewrite script: " + r.get(0));
                }
            }
            if (failure == null && !conflict && held.isEmpty()) {
                return Optional.of(true);
            }
            abort();
            if (failure != null) {
                throw new StorageException(what + ": a prewrite failed, so the trade was aborted and nothing was written: "
                        + failure.getMessage(), failure);
            }
            if (conflict) {
                return Optional.empty();
            }
            for (Intents.Participant p : held) {
                intents.resolve(p.store(), p.key());
            }
            return Optional.of(false);
        }

        /**
         * Runs the commit point. True when committed, false when the attempt is to be repeated (aborted meanwhile, or
         * another trade holds the primary: resolved), empty on the primary's revision conflict (aborted).
         */
        private Optional<Boolean> commitPoint() {
            KeyedWrite primary = writes.get(0);
            // Secondaries' index entries first, while their intents keep purges away (see apply.lua).
            for (int i = 1; i < writes.size(); i++) {
                if (published[i]) {
                    publish(writes.get(i));
                }
            }
            boolean creates = primary.expectedRevision() == Storage.ABSENT;
            if (creates) {
                publish(primary);
            }
            List<Object> r = commitScript(creates ? "mark" : "check");
            if (code(r) == 2) {
                publish(primary);
                creates = true;
                r = commitScript("mark");
            }
            switch ((int) code(r)) {
                case 1 -> {
                    results[0] = new WriteResult.Written(parse(r.get(2)), Micros.toInstant(parse(r.get(1))));
                    if (creates) {
                        // Again after the write: a purge running concurrently may have removed what we added before.
                        publish(primary);
                    }
                    return Optional.of(true);
                }
                case 0 -> {
                    results[0] = conflict(r);
                    intents.drop(id, secondaries, what);
                    return Optional.empty();
                }
                case 3 -> {
                    abort();
                    intents.resolve(primary.store(), primary.key());
                    return Optional.of(false);
                }
                case 4, 5 -> {
                    intents.drop(id, secondaries, what); // aborted by a reader that found us past the deadline
                    return Optional.of(false);
                }
                default -> throw new StorageException(what + ": unexpected reply from the commit script: " + r.get(0));
            }
        }

        /**
         * The commit script; when its reply is lost, the outcome is settled in the same slot: COMMITTED found (the
         * reply stands for a commit), or the trade made ABORTED (code 4).
         */
        private List<Object> commitScript(String mode) {
            KeyedWrite primary = writes.get(0);
            byte[][] pk = keys.profile(primary.store(), primary.key());
            byte[][] k = new byte[1 + pk.length][];
            k[0] = commitRecord;
            System.arraycopy(pk, 0, k, 1, pk.length);
            try {
                return storage.await(what + " (commit)", () -> storage.evalAsync(COMMIT, k, new byte[][] {b(participants),
                    b(Long.toString(commitBy)), b(Long.toString(Intents.ABORTED_KEPT_MILLIS)), b(mode),
                    b(Integer.toString(storage.versionsPerKey())), b(Long.toString(primary.expectedRevision())),
                    primary.write().payload(), b(RedisStorage.versioning(primary.write())),
                    b(RedisStorage.userIds(primary.write()))}, what));
            } catch (StorageException lost) {
                String state;
                try {
                    state = intents.decide(found(), true, what + " (settling a lost reply)");
                } catch (StorageException e) {
                    e.addSuppressed(lost);
                    throw new StorageException(what + ": the commit point's reply was lost and its outcome could not be"
                            + " read; the trade may or may not have been written", e);
                }
                if (state.equals("COMMITTED")) {
                    // Committed, and decide() rolled the intents forward: read back what the primary got.
                    StoredRecord p = storage.read(primary.store(), primary.key()).orElseThrow(() -> new StorageException(
                            what + ": committed, but the primary's record is gone (removed since)"));
                    List<Object> r = new ArrayList<>(List.of(1L, b(Long.toString(Micros.floor(p.updatedAt()))),
                            b(Long.toString(p.revision()))));
                    log.debug("{}: the commit point's reply was lost; found committed", what, lost);
                    return r;
                }
                return List.of(4L);
            }
        }

        /** Makes this attempt's abort final (an ABORTED commit record) and drops its intents. */
        private void abort() {
            intents.decide(found(), true, what + " (abort)");
        }

        private Intents.Found found() {
            return new Intents.Found(id, commitRecord, Long.MAX_VALUE, secondaries);
        }

        private void publish(KeyedWrite w) {
            CompletableFuture<Object> f = storage.publishAsync(w.store(), w.key(), w.write().userIds(), what);
            storage.await(what + " (index)", () -> f);
        }

        /** Every entry a conflict: those that did not report one get the record found now. */
        private List<WriteResult> conflicts() {
            List<WriteResult> out = new ArrayList<>();
            for (int i = 0; i < writes.size(); i++) {
                if (results[i] instanceof WriteResult.Conflict c) {
                    out.add(c);
                } else {
                    out.add(new WriteResult.Conflict(storage.read(writes.get(i).store(), writes.get(i).key())));
                }
            }
            return out;
        }
    }

    private static WriteResult.Conflict conflict(List<Object> r) {
        byte[] rev = (byte[]) r.get(1);
        return new WriteResult.Conflict(rev.length == 0 ? Optional.empty() : Optional.of(new StoredRecord(parse(rev),
                (byte[]) r.get(2), Micros.toInstant(parse(r.get(3))), Micros.toInstant(parse(r.get(4))))));
    }

    private static long code(List<Object> r) {
        return (Long) r.get(0);
    }

    private static long parse(Object bytes) {
        return Long.parseLong(str(bytes));
    }

    private static String str(Object bytes) {
        return new String((byte[]) bytes, StandardCharsets.UTF_8);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
