package dev.profilestore.redis;

import dev.profilestore.StorageException;
import dev.profilestore.redis.internal.LuaScript;
import dev.profilestore.redis.internal.RedisKeys;
import io.lettuce.core.KeyValue;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What anyone who meets the intent of a trade across Cluster slots does with it (see {@link ClusterCommit}): a read,
 * write, removal or purge that finds a profile held by an intent resolves it first, then tries again.
 *
 * <p>Resolving asks the trade's commit record, in its primary's slot ({@code status.lua}): COMMITTED, every
 * participant's intent is rolled forward ({@code apply.lua}, idempotent) and the record deleted; ABORTED, or still
 * undecided past the intent's deadline (then the same script marks it ABORTED, racing the commit point in the same
 * slot), every participant's intent is dropped. Undecided before the deadline means a coordinator is at work: wait
 * briefly and look again. A coordinator finishes in a few round trips, so the wait is short unless it died, and
 * then it ends at the deadline: no intent outlives it by more than the clock difference of two Redis nodes.
 */
final class Intents {

    private static final Logger log = LoggerFactory.getLogger(Intents.class);

    static final LuaScript APPLY = LuaScript.load("common.lua", "apply.lua");
    static final LuaScript STATUS = LuaScript.load("status.lua");
    static final LuaScript DROP = LuaScript.load("drop.lua");

    /** How long an ABORTED commit record stays: far beyond any clock difference between two Redis nodes. */
    static final long ABORTED_KEPT_MILLIS = 120_000;

    /** A participant of a trade. */
    record Participant(String store, String key) {}

    /** An intent as found: its trade, commit record and deadline (µs by its own node's clock). */
    record Found(String trade, byte[] commitRecord, long deadline, List<Participant> participants) {}

    private final RedisStorage storage;
    private final RedisKeys keys;
    private final long patienceNanos;

    Intents(RedisStorage storage, RedisKeys keys, long lifetimeMicros, long commandTimeoutMillis) {
        this.storage = storage;
        this.keys = keys;
        // The deadline is on the clock of the intent's node and judged on the primary's: allow a command timeout
        // for their difference and the round trips.
        this.patienceNanos = TimeUnit.MICROSECONDS.toNanos(lifetimeMicros) + TimeUnit.MILLISECONDS.toNanos(2 * commandTimeoutMillis);
    }

    /**
     * Resolves the intent that holds {@code store/key}, if any: on return the profile holds none of the trades seen
     * (a new one may have come since).
     *
     * @throws StorageException when Redis fails, or a trade stays undecided past its deadline and the patience
     */
    void resolve(String store, String key) {
        String what = "resolve the trade holding " + store + "/" + key;
        byte[] intentKey = keys.profile(store, key)[RedisKeys.INTENT];
        long started = System.nanoTime();
        long pause = TimeUnit.MICROSECONDS.toNanos(200);
        for (;;) {
            List<KeyValue<byte[], byte[]>> f = storage.await(what, () -> storage.redis().hmget(intentKey,
                    RedisKeys.bytes("txn"), RedisKeys.bytes("ck"), RedisKeys.bytes("dl"), RedisKeys.bytes("parts")));
            if (!f.get(0).hasValue() || !f.get(1).hasValue() || !f.get(2).hasValue() || !f.get(3).hasValue()) {
                return;
            }
            Found found = new Found(str(f.get(0).getValue()), f.get(1).getValue(), Long.parseLong(str(f.get(2).getValue())),
                    decode(str(f.get(3).getValue())));
            String state = decide(found, false, what);
            if (!state.equals("PENDING")) {
                return;
            }
            if (System.nanoTime() - started > patienceNanos) {
                throw new StorageException(store + "/" + key + " is held by trade " + found.trade()
                        + ", still undecided past its deadline; try again later");
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /**
     * Asks a trade's commit record and acts on the answer: rolls every participant forward (COMMITTED), or drops
     * their intents (ABORTED). {@code force} aborts the trade if it is still undecided, whatever the time: its own
     * coordinator giving up. Returns the state found.
     */
    String decide(Found trade, boolean force, String what) {
        List<Object> status = storage.await(what, () -> storage.evalAsync(STATUS, new byte[][] {trade.commitRecord()},
                new byte[][] {RedisKeys.bytes(Long.toString(trade.deadline())),
                    RedisKeys.bytes(Long.toString(ABORTED_KEPT_MILLIS)), RedisKeys.bytes(force ? "1" : "0")}, what));
        String state = str((byte[]) status.get(0));
        switch (state) {
            case "COMMITTED" -> {
                if (rollForward(trade.trade(), trade.participants(), what)) {
                    forget(trade.commitRecord(), what);
                }
            }
            case "ABORTED" -> drop(trade.trade(), trade.participants(), what);
            case "PENDING" -> { }
            default -> throw new StorageException(what + ": unexpected state of trade " + trade.trade() + ": " + state);
        }
        return state;
    }

    /**
     * Applies every participant's intent of a committed trade (in parallel), then publishes again the index entries
     * of those whose prewrite had to publish them, as a write in "mark" mode does (a purge may have removed them
     * meanwhile). Returns whether all were applied; a failed one stays for the next reader.
     */
    boolean rollForward(String trade, List<Participant> participants, String what) {
        List<CompletableFuture<List<Object>>> applied = new ArrayList<>();
        for (Participant p : participants) {
            applied.add(storage.evalAsync(APPLY, keys.profile(p.store(), p.key()), new byte[][] {RedisKeys.bytes(trade),
                RedisKeys.bytes(Integer.toString(storage.versionsPerKey()))}, what));
        }
        boolean all = true;
        List<CompletableFuture<Object>> published = new ArrayList<>();
        for (int i = 0; i < participants.size(); i++) {
            CompletableFuture<List<Object>> f = applied.get(i);
            try {
                List<Object> r = storage.await(what, () -> f);
                if ((Long) r.get(0) == 1L && str((byte[]) r.get(3)).equals("1")) {
                    Participant p = participants.get(i);
                    published.add(storage.publishAsync(p.store(), p.key(), userIds(str((byte[]) r.get(4))), what));
                }
            } catch (StorageException e) {
                all = false;
                log.debug("{}: rolling {} forward failed; the next reader of it does", what, participants.get(i), e);
            }
        }
        for (CompletableFuture<Object> f : published) {
            storage.await(what + " (index)", () -> f);
        }
        return all;
    }

    /** Drops the participants' intents of an aborted trade (those still of that trade). */
    void drop(String trade, List<Participant> participants, String what) {
        List<CompletableFuture<Long>> dropped = new ArrayList<>();
        for (Participant p : participants) {
            dropped.add(storage.evalAsync(DROP, new byte[][] {keys.profile(p.store(), p.key())[RedisKeys.INTENT]},
                    new byte[][] {RedisKeys.bytes(trade)}, what));
        }
        for (CompletableFuture<Long> f : dropped) {
            storage.await(what, () -> f);
        }
    }

    /** Deletes a commit record whose intents are all rolled forward; a failure leaves it for the next reader. */
    void forget(byte[] commitRecord, String what) {
        storage.redis().del(commitRecord).whenComplete((n, e) -> {
            if (e != null) {
                log.debug("{}: deleting the commit record failed; it is deleted again by the next reader", what, e);
            }
        });
    }

    /** The participants, as intents and commit records carry them: URL-encoded store and key, "/" and ",". */
    static String encode(List<Participant> participants) {
        return participants.stream().map(p -> URLEncoder.encode(p.store(), StandardCharsets.UTF_8) + "/"
                + URLEncoder.encode(p.key(), StandardCharsets.UTF_8)).collect(Collectors.joining(","));
    }

    static List<Participant> decode(String encoded) {
        List<Participant> out = new ArrayList<>();
        for (String p : encoded.split(",")) {
            if (!p.isEmpty()) {
                int slash = p.indexOf('/');
                out.add(new Participant(URLDecoder.decode(p.substring(0, slash), StandardCharsets.UTF_8),
                        URLDecoder.decode(p.substring(slash + 1), StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    private static Set<Long> userIds(String joined) {
        return joined.isEmpty() ? Set.of()
                : java.util.Arrays.stream(joined.split(",")).map(Long::parseLong).collect(Collectors.toSet());
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
