package dev.profilestore.redis;

import dev.profilestore.redis.internal.LuaScript;
import dev.profilestore.redis.internal.RedisKeys;
import dev.profilestore.Names;
import dev.profilestore.SaveCause;
import dev.profilestore.StorageException;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.Micros;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StorageCapabilities;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.VersionWrite;
import dev.profilestore.spi.WriteResult;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * {@link Storage} on Redis (standalone, Sentinel-managed or Cluster), through Lettuce.
 *
 * <h2>Writes</h2>
 * Every write is one Lua script ({@code EVALSHA}, falling back to {@code EVAL} when the server answers
 * {@code NOSCRIPT}, for example after a restart or {@code SCRIPT FLUSH}). The script compares the
 * revision, stores the record, keeps versions (a sorted set by save time plus a hash of bodies, capped
 * at {@link RedisOptions#versionsPerKey()} per key) and records which index entries exist, atomically.
 * All keys of one profile carry the hash tag {@code {store:key}}, so they share a Redis Cluster slot
 * (the layout is in {@code RedisKeys}).
 *
 * <h2>Revisions</h2>
 * A per-profile sequence key that {@link #remove} keeps holds the last revision issued. {@link #purge}
 * erases it too, since the key name may identify a person, but first raises the revision floor of the
 * profile's Cluster slot (a key named by a tag that hashes to that slot, naming no profile) to it. A new
 * revision is {@code max(last + 1, floor + 1, server time in µs)}: strictly increasing per key, across
 * remove and purge, whatever the server's clock does, on a standalone server and in a Cluster alike.
 *
 * <h2>Versions</h2>
 * Snapshots are capped at {@link RedisOptions#versionsPerKey()} per key. A version kept by
 * {@link RecordWrite.Versioning#PRESERVE_PREVIOUS} (a foreign or corrupt value the engine replaced) is
 * flagged preserved and never dropped by that cap, also when it is 0; only {@link #purge} erases it.
 *
 * <h2>Indexes for listKeys and keysByUserId</h2>
 * The store's key index ({@code {store}:keys}, a sorted set) and the user-id sets
 * ({@code {store}:uid:<id>}) live in the store's slot, not the profile's, so in a Cluster no script can
 * update them together with the record. They are kept as <em>supersets</em> instead, and every lookup
 * checks its candidates against the profile's own data, so answers are exact:
 * <ol>
 * <li>The write script refuses (without writing) when the record would need an index entry that the
 *     profile's {@code ix} set does not list as published.</li>
 * <li>The client then adds the entries to the indexes, runs the script again in "mark" mode (which adds
 *     them to {@code ix} in the same atomic step as the write), and adds them once more after it. The
 *     last step closes the race with a concurrent {@link #purge} that removes index entries.</li>
 * </ol>
 * Ordinary saves (same key, same user ids) take the fast path: one script, one round trip. Entries are
 * removed only by {@link #purge}; entries left behind by a user id dropped from a key are filtered out
 * by the check. {@link #listKeys} orders keys by their UTF-8 bytes (Unicode code point order).
 *
 * <h2>Multi-key writes</h2>
 * {@link #writeAll} runs the same script over several profiles. Redis runs a script atomically and,
 * with AOF, logs its effects as one {@code MULTI}/{@code EXEC} block that is replayed whole or not at
 * all, so this is sound on a standalone or Sentinel-managed server, and in a Cluster when the profiles
 * share a slot. Profiles in different Cluster slots cannot be written by one script: there
 * {@code ClusterCommit} runs a two-phase commit (intents in each profile's slot, a commit record in the
 * first profile's), and every read, write, removal and purge that meets an intent resolves it first
 * ({@code Intents}), so no one ever sees a trade half applied. {@code atomicMultiWrite} is true everywhere.
 *
 * <h2>Leases</h2>
 * {@code SET ns:lease:{server} 1 PX ttl}; live means the key {@code EXISTS}. Expiry is measured by
 * Redis's clock, so servers whose clocks disagree agree on liveness.
 *
 * <h2>Durability: Redis settings it needs</h2>
 * A save is acknowledged once Redis ran the script. What survives a crash depends on Redis:
 * <ul>
 * <li>{@code appendonly yes} with {@code appendfsync always}: an acknowledged save survives a crash of
 *     the Redis process and of the machine.</li>
 * <li>{@code appendonly yes} with {@code appendfsync everysec} (Redis's default when AOF is on): it
 *     survives a crash of the Redis process; a machine crash or power loss can lose about the last
 *     second or two of saves. Recommended for most games.</li>
 * <li>RDB snapshots only ({@code save ...}): a crash loses every save since the last snapshot, often
 *     minutes. Neither AOF nor RDB: a restart loses everything.</li>
 * <li>Replication is asynchronous: a failover to a replica can lose the saves it had not received, unless
 *     {@link RedisOptions#replicas()} asks for replica acknowledgements: then every script that changes data is
 *     followed by {@code WAIT} on the same connection, and a write that fewer replicas confirm within
 *     {@link RedisOptions#replicaTimeout()} fails (see {@code ReplicaWait}). Lease renewals are not waited for:
 *     a lease a failover loses is written again by the next renewal.</li>
 * </ul>
 * At start-up the storage reads these settings with {@code CONFIG GET} (falling back to
 * {@code INFO persistence} where {@code CONFIG} is disabled, as on many managed services) and logs a
 * WARN when Redis would lose acknowledged saves on restart. It also reads {@code maxmemory-policy} and
 * logs a WARN unless it is {@code noeviction} (or when it cannot be read): an {@code allkeys-*} policy
 * evicts profiles, a {@code volatile-*} one evicts server leases (see {@code EvictionCheck}).
 *
 * <h2>Errors and threads</h2>
 * Thread-safe; all calls share one multiplexed connection. Lettuce reconnects by itself. While it is
 * disconnected, calls fail at once with a {@link StorageException} rather than queueing, and commands
 * in flight when the connection broke are not replayed after reconnecting (a replayed write would
 * report a conflict with its own result). A write whose reply was lost fails with a
 * {@link StorageException}; it may or may not have been applied, and a re-read tells.
 */
public final class RedisStorage implements Storage {

    private static final Logger log = LoggerFactory.getLogger(RedisStorage.class);

    private static final LuaScript WRITE = LuaScript.load("common.lua", "write.lua");
    private static final LuaScript PURGE = LuaScript.load("purge.lua");
    private static final LuaScript REMOVE = LuaScript.load("remove.lua");
    private static final LuaScript INDEX = LuaScript.load("index.lua");
    private static final LuaScript REFERENCES_USER = LuaScript.load("references-user.lua");
    private static final LuaScript PIN = LuaScript.load("pin.lua");
    private static final LuaScript VERSION_WRITE = LuaScript.load("version-write.lua");

    private static final long CONFLICT = 0;
    private static final long WRITTEN = 1;
    private static final long NEEDS_INDEX = 2;
    /** A script's answer when a trade's intent holds a profile: resolve it, then try again. */
    private static final long HELD = 3;
    private static final int LIST_BATCH = 200;
    private static final byte[][] NO_KEYS = new byte[0][];

    private final RedisClusterAsyncCommands<byte[], byte[]> redis;
    private final RedisKeys keys;
    private final RedisOptions options;
    private final boolean clustered;
    private final String description;
    private final AutoCloseable resources;
    private final ReplicaWait replicaWait;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Intents intents;
    private final ClusterCommit trades;

    RedisStorage(RedisClusterAsyncCommands<byte[], byte[]> redis, RedisOptions options, boolean clustered,
            String description, AutoCloseable resources, ReplicaWait replicaWait) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.replicaWait = replicaWait;
        this.options = Objects.requireNonNull(options, "options");
        this.keys = new RedisKeys(options.namespace());
        this.clustered = clustered;
        this.description = description;
        this.resources = resources;
        // An intent may wait for its coordinator's prewrite reply and commit point: two command timeouts.
        long lifetimeMicros = TimeUnit.MILLISECONDS.toMicros(2 * options.commandTimeout().toMillis());
        this.intents = new Intents(this, keys, lifetimeMicros, options.commandTimeout().toMillis());
        this.trades = new ClusterCommit(this, keys, intents, lifetimeMicros);
        new PersistenceCheck(redis, description, options.commandTimeout()).run();
        new EvictionCheck(redis, description, options.commandTimeout()).run();
    }

    /**
     * Connects to the Redis server at {@code uri} with {@link RedisOptions#defaults()}.
     *
     * @param uri {@code redis://[user:password@]host:port[/db]}, {@code rediss://...} for TLS, or
     *     {@code redis-sentinel://...}; see {@link RedisBackend#open(String, RedisOptions)}
     * @throws StorageException when Redis cannot be reached
     * @throws IllegalArgumentException when the URI is malformed
     */
    public static RedisStorage connect(String uri) {
        return connect(uri, RedisOptions.defaults());
    }

    /**
     * Connects to the Redis server at {@code uri}. The storage owns the connection and closes it on
     * {@link #close()}. To share one client with {@link RedisMessaging}, use {@link RedisBackend}.
     *
     * @throws StorageException when Redis cannot be reached
     * @throws IllegalArgumentException when the URI is malformed
     */
    public static RedisStorage connect(String uri, RedisOptions options) {
        return RedisBackend.owned(RedisBackend.open(uri, options), backend -> backend.newStorage(backend));
    }

    /**
     * Connects to the Redis Cluster that the node at {@code uri} belongs to (its other nodes are discovered).
     * The storage owns its connections and closes them on {@link #close()}.
     *
     * @throws StorageException when Redis cannot be reached
     * @throws IllegalArgumentException when the URI is malformed
     */
    public static RedisStorage connectCluster(String uri, RedisOptions options) {
        return RedisBackend.owned(RedisBackend.openCluster(uri, options), backend -> backend.newStorage(backend));
    }

    @Override
    public StorageCapabilities capabilities() {
        return new StorageCapabilities(options.versionsPerKey() > 0, true);
    }

    /**
     * Reads the committed record. In a Cluster, a profile held by a trade's intent is resolved first (see
     * {@code Intents}): the intent is never shown as data, and a committed trade is never shown half applied.
     */
    @Override
    public Optional<StoredRecord> read(String store, String key) {
        byte[][] k = profileKeys(store, key);
        String what = "read " + store + "/" + key;
        List<KeyValue<byte[], byte[]>> f;
        for (;;) {
            if (!clustered) {
                f = await(what, () -> redis.hmget(k[RedisKeys.RECORD], b("rev"), b("payload"), b("created"), b("updated")));
                break;
            }
            // One slot, one connection: both commands go out together and are answered in order.
            f = await(what, () -> {
                RedisFuture<Long> held = redis.exists(k[RedisKeys.INTENT]);
                RedisFuture<List<KeyValue<byte[], byte[]>>> fields = redis.hmget(k[RedisKeys.RECORD], b("rev"),
                        b("payload"), b("created"), b("updated"));
                return held.toCompletableFuture().thenCombine(fields, (h, r) -> h > 0 ? null : r);
            });
            if (f != null) {
                break;
            }
            intents.resolve(store, key);
        }
        return toRecord(f);
    }

    private static Optional<StoredRecord> toRecord(List<KeyValue<byte[], byte[]>> f) {
        if (!f.get(0).hasValue()) {
            return Optional.empty();
        }
        return Optional.of(new StoredRecord(parseLong(f.get(0).getValue()), f.get(1).getValue(),
                toInstant(f.get(2).getValue()), toInstant(f.get(3).getValue())));
    }

    @Override
    public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
        return writeBatch(List.of(new KeyedWrite(store, key, expectedRevision, write))).get(0);
    }

    /**
     * One command, answered on Lettuce's thread. A profile that a trade across Cluster slots holds is read the
     * blocking way on {@code blocking}, which resolves the trade first.
     */
    @Override
    public CompletableFuture<Optional<StoredRecord>> readAsync(String store, String key, Executor blocking) {
        byte[][] k = profileKeys(store, key);
        String what = "read " + store + "/" + key;
        if (!clustered) {
            return started(what, () -> redis.hmget(k[RedisKeys.RECORD], b("rev"), b("payload"), b("created"), b("updated")))
                    .thenApply(RedisStorage::toRecord);
        }
        return started(what, () -> {
            RedisFuture<Long> held = redis.exists(k[RedisKeys.INTENT]);
            RedisFuture<List<KeyValue<byte[], byte[]>>> fields = redis.hmget(k[RedisKeys.RECORD], b("rev"),
                    b("payload"), b("created"), b("updated"));
            return held.toCompletableFuture().thenCombine(fields, (h, r) -> h > 0 ? null : r);
        }).thenCompose(f -> f != null ? CompletableFuture.completedFuture(toRecord(f))
                : Storage.super.readAsync(store, key, blocking));
    }

    /**
     * One script call, answered on Lettuce's thread, for the common write: an update of a key whose index entries
     * are published. A create, and a write the script declines without writing (index entries to publish first, a
     * trade's intent to resolve), goes the blocking way on {@code blocking}.
     */
    @Override
    public CompletableFuture<WriteResult> writeAsync(String store, String key, long expectedRevision, RecordWrite write,
                                                     Executor blocking) {
        if (expectedRevision == ABSENT) {
            return Storage.super.writeAsync(store, key, expectedRevision, write, blocking);
        }
        List<KeyedWrite> writes = List.of(new KeyedWrite(store, key, expectedRevision, write));
        String what = "write " + store + "/" + key;
        return started(what, () -> startWrite("check", writes, what)).thenCompose(reply -> {
            long code = code(checkedReply(reply, what));
            if (code == WRITTEN || code == CONFLICT) {
                return CompletableFuture.completedFuture(results(reply, writes).get(0));
            }
            return Storage.super.writeAsync(store, key, expectedRevision, write, blocking);
        });
    }

    /**
     * Writes several profiles atomically: all or none.
     *
     * <p>One Lua script over all the profiles when they share a slot (always, when not clustered); a two-phase
     * commit across slots otherwise ({@code ClusterCommit}; see the class documentation). Writing the same key twice
     * in one batch is rejected.
     */
    @Override
    public List<WriteResult> writeAll(List<KeyedWrite> writes) {
        if (writes.isEmpty()) {
            return List.of();
        }
        Set<List<String>> seen = new HashSet<>();
        for (KeyedWrite w : writes) {
            if (!seen.add(List.of(w.store(), w.key()))) {
                throw new IllegalArgumentException("writeAll got " + w.store() + "/" + w.key() + " twice");
            }
        }
        for (KeyedWrite w : writes) {
            checkRevision(w);
        }
        if (clustered && writes.stream().map(w -> SlotHash.getSlot(profileKeys(w.store(), w.key())[RedisKeys.RECORD]))
                .distinct().count() > 1) {
            return trades.writeAll(List.copyOf(writes));
        }
        return writeBatch(List.copyOf(writes));
    }

    /** Runs {@code writes} as one script, first resolving any trade that holds one of their profiles. */
    private List<WriteResult> writeBatch(List<KeyedWrite> writes) {
        String what = writes.size() == 1 ? "write " + writes.get(0).store() + "/" + writes.get(0).key()
                : "write " + writes.size() + " profiles";
        for (;;) {
            List<Object> r = tryWriteBatch(writes, what);
            if (code(r) != HELD) {
                return results(r, writes);
            }
            KeyedWrite held = writes.get(((Long) r.get(1)).intValue());
            intents.resolve(held.store(), held.key());
        }
    }

    private List<Object> tryWriteBatch(List<KeyedWrite> writes, String what) {
        boolean creates = writes.stream().anyMatch(w -> w.expectedRevision() == ABSENT);
        if (!creates) {
            List<Object> r = runWrite("check", writes, what);
            if (code(r) != NEEDS_INDEX) {
                return r;
            }
        }
        publishIndexEntries(writes, what);
        List<Object> r = runWrite("mark", writes, what);
        if (code(r) == WRITTEN) {
            // Again after the write: a purge running concurrently may have removed what we added before.
            publishIndexEntries(writes, what);
        }
        return r;
    }

    private static void checkRevision(KeyedWrite w) {
        if (w.expectedRevision() < 0) {
            throw new IllegalArgumentException("expected revision must not be negative, was " + w.expectedRevision());
        }
    }

    /** A write's versioning as the scripts take it: 'N', 'S' followed by the cause, or 'P'. */
    static String versioning(RecordWrite write) {
        return switch (write.versioning()) {
            case NONE -> "N";
            case SNAPSHOT -> "S" + write.cause().name();
            case PRESERVE_PREVIOUS -> "P";
        };
    }

    /** A write's user ids as the scripts take them: ascending, joined by ','. */
    static String userIds(RecordWrite write) {
        return new TreeSet<>(write.userIds()).stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private List<Object> runWrite(String mode, List<KeyedWrite> writes, String what) {
        return checkedReply(await(what, () -> startWrite(mode, writes, what)), what);
    }

    /** Sends the write script for {@code writes} in {@code mode} ('check' or 'mark'). */
    private CompletableFuture<List<Object>> startWrite(String mode, List<KeyedWrite> writes, String what) {
        int per = RedisKeys.PER_PROFILE;
        byte[][] k = new byte[writes.size() * per][];
        byte[][] args = new byte[2 + writes.size() * 4][];
        args[0] = b(mode);
        args[1] = b(Integer.toString(options.versionsPerKey()));
        for (int i = 0; i < writes.size(); i++) {
            KeyedWrite w = writes.get(i);
            checkRevision(w);
            System.arraycopy(profileKeys(w.store(), w.key()), 0, k, i * per, per);
            args[2 + i * 4] = b(Long.toString(w.expectedRevision()));
            args[3 + i * 4] = w.write().payload();
            args[4 + i * 4] = b(versioning(w.write()));
            args[5 + i * 4] = b(userIds(w.write()));
        }
        return evalAsync(WRITE, k, args, what);
    }

    private static List<Object> checkedReply(List<Object> r, String what) {
        long code = code(r);
        if (code != CONFLICT && code != WRITTEN && code != NEEDS_INDEX && code != HELD) {
            throw new StorageException(what + ": unexpected reply from the write script: " + code);
        }
        return r;
    }

    private static long code(List<Object> reply) {
        return (Long) reply.get(0);
    }

    private List<WriteResult> results(List<Object> r, List<KeyedWrite> writes) {
        List<WriteResult> out = new ArrayList<>(writes.size());
        if (code(r) == WRITTEN) {
            Instant now = toInstant((byte[]) r.get(1));
            for (int i = 0; i < writes.size(); i++) {
                out.add(new WriteResult.Written(parseLong((byte[]) r.get(2 + i)), now));
            }
            return out;
        }
        for (int i = 0; i < writes.size(); i++) {
            byte[] rev = (byte[]) r.get(1 + i * 4);
            out.add(new WriteResult.Conflict(rev.length == 0 ? Optional.empty()
                    : Optional.of(new StoredRecord(parseLong(rev), (byte[]) r.get(2 + i * 4),
                            toInstant((byte[]) r.get(3 + i * 4)), toInstant((byte[]) r.get(4 + i * 4))))));
        }
        return out;
    }

    /** Adds each write's key to its store's key index and user-id sets (idempotent). */
    private void publishIndexEntries(List<KeyedWrite> writes, String what) {
        List<CompletableFuture<Object>> pending = new ArrayList<>();
        for (KeyedWrite w : writes) {
            pending.add(publishAsync(w.store(), w.key(), w.write().userIds(), what));
        }
        for (CompletableFuture<Object> f : pending) {
            await(what + " (index)", () -> f);
        }
    }

    /** Adds a key to its store's key index and to the sets of these user ids (idempotent). */
    CompletableFuture<Object> publishAsync(String store, String key, Set<Long> userIds, String what) {
        List<String> entries = new ArrayList<>();
        entries.add("k");
        userIds.forEach(u -> entries.add("u:" + u));
        return indexScript("add", store, key, entries, what);
    }

    private CompletableFuture<Object> indexScript(String op, String store, String key, List<String> entries, String what) {
        List<byte[]> k = new ArrayList<>();
        k.add(keys.storeKeys(store));
        for (String e : entries) {
            if (e.startsWith("u:")) {
                k.add(keys.userIndex(store, Long.parseLong(e.substring(2))));
            }
        }
        return evalAsync(INDEX, k.toArray(byte[][]::new), new byte[][] {b(op), b(key)}, what);
    }

    @Override
    public boolean remove(String store, String key, long expectedRevision) {
        byte[][] k = profileKeys(store, key);
        String what = "remove " + store + "/" + key;
        for (;;) {
            Long removed = await(what, () -> evalAsync(REMOVE, new byte[][] {k[RedisKeys.RECORD], k[RedisKeys.INTENT]},
                    new byte[][] {b(Long.toString(expectedRevision))}, what));
            if (removed != HELD) {
                return removed == 1L;
            }
            intents.resolve(store, key);
        }
    }

    @Override
    public void purge(String store, String key) {
        String what = "purge " + store + "/" + key;
        byte[][] k = profileKeys(store, key);
        List<Object> published = eval(PURGE, k, new byte[0][], what);
        while (published.size() == 1 && str((byte[]) published.get(0)).equals("!")) {
            intents.resolve(store, key); // erasing a profile mid-trade would tear the trade
            published = eval(PURGE, k, new byte[0][], what);
        }
        if (!published.isEmpty()) {
            List<String> entries = published.stream().map(o -> str((byte[]) o)).toList();
            await(what + " (index)", () -> indexScript("rem", store, key, entries, what));
            // A writer that re-created the key meanwhile has re-published its entries; restore them.
            Set<byte[]> now = await(what + " (index)", () -> redis.smembers(k[RedisKeys.INDEXED]));
            if (!now.isEmpty()) {
                List<String> again = now.stream().map(RedisStorage::str).toList();
                await(what + " (index)", () -> indexScript("add", store, key, again, what));
            }
        }
    }

    @Override
    public List<VersionInfo> versions(String store, String key, VersionRange query) {
        Objects.requireNonNull(query, "query");
        byte[][] k = profileKeys(store, key);
        Range<Long> range = Range.from(
                query.from() == null ? Range.Boundary.unbounded() : Range.Boundary.including(Micros.ceil(query.from())),
                query.to() == null ? Range.Boundary.unbounded() : Range.Boundary.including(Micros.floor(query.to())));
        if (range.getLower().getValue() != null && range.getUpper().getValue() != null
                && range.getLower().getValue() > range.getUpper().getValue()) {
            return List.of(); // a sub-microsecond range holds no version
        }
        Limit limit = Limit.create(0, query.limit());
        List<ScoredValue<byte[]>> found = await("list versions of " + store + "/" + key, () -> query.newestFirst()
                ? redis.zrevrangebyscoreWithScores(k[RedisKeys.VERSIONS], range, limit)
                : redis.zrangebyscoreWithScores(k[RedisKeys.VERSIONS], range, limit));
        if (found.isEmpty()) {
            return List.of();
        }
        byte[][] causeFields = found.stream().map(v -> b("c:" + str(v.getValue()))).toArray(byte[][]::new);
        List<KeyValue<byte[], byte[]>> causes = await("list versions of " + store + "/" + key,
                () -> redis.hmget(k[RedisKeys.VERSION_BODIES], causeFields));
        List<VersionInfo> versions = new ArrayList<>(found.size());
        for (int i = 0; i < found.size(); i++) {
            ScoredValue<byte[]> v = found.get(i);
            // A version kept before causes were recorded has no field: UNKNOWN.
            String cause = causes.get(i).hasValue() ? str(causes.get(i).getValue()) : null;
            versions.add(new VersionInfo(str(v.getValue()), Micros.toInstant((long) v.getScore()), parseLong(v.getValue()),
                    SaveCause.fromStored(cause)));
        }
        return versions;
    }

    @Override
    public Optional<StoredRecord> readVersion(String store, String key, String versionId) {
        Objects.requireNonNull(versionId, "versionId");
        byte[][] k = profileKeys(store, key);
        long revision;
        try {
            revision = Long.parseLong(versionId);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (revision <= 0 || !Long.toString(revision).equals(versionId)) {
            return Optional.empty();
        }
        List<KeyValue<byte[], byte[]>> f = await("read version " + versionId + " of " + store + "/" + key,
                () -> redis.hmget(k[RedisKeys.VERSION_BODIES], b("p:" + versionId), b("m:" + versionId)));
        if (!f.get(0).hasValue() || !f.get(1).hasValue()) {
            return Optional.empty();
        }
        String[] meta = str(f.get(1).getValue()).split(" ", 3);
        return Optional.of(new StoredRecord(revision, f.get(0).getValue(), Micros.toInstant(Long.parseLong(meta[0])),
                Micros.toInstant(Long.parseLong(meta[1]))));
    }

    @Override
    public boolean pinVersion(String store, String key, String versionId) {
        Objects.requireNonNull(versionId, "versionId");
        byte[][] k = profileKeys(store, key);
        String what = "pin version " + versionId + " of " + store + "/" + key;
        Long found = await(what, () -> evalAsync(PIN, new byte[][] {k[RedisKeys.VERSIONS], k[RedisKeys.VERSION_BODIES]},
                new byte[][] {b(versionId)}, what));
        return found != null && found == 1L;
    }

    @Override
    public VersionInfo writeVersion(String store, String key, VersionWrite version) {
        Objects.requireNonNull(version, "version");
        byte[][] k = profileKeys(store, key);
        String what = "write a version of " + store + "/" + key;
        String uids = new TreeSet<>(version.userIds()).stream().map(String::valueOf).collect(Collectors.joining(","));
        List<String> entries = version.userIds().stream().map(u -> "u:" + u).toList();
        // As for a record: the user-id sets learn the key before the script marks the entries published, and again
        // after it, in case a purge removed them in between (see "Indexes" above).
        if (!entries.isEmpty()) {
            await(what + " (index)", () -> indexScript("add", store, key, entries, what));
        }
        long savedAt = Micros.floor(version.source().savedAt());
        byte[][] args = new byte[][] {version.payload(), b(Long.toString(savedAt)),
            b(Long.toString(Micros.floor(version.createdAt()))), b(Long.toString(Micros.floor(version.updatedAt()))), b(uids),
            b(version.pinned() ? "1" : "0"), b(version.source().cause().name())};
        Long revision = await(what, () -> evalAsync(VERSION_WRITE, k, args, what));
        while (revision == 0L) {
            intents.resolve(store, key); // a trade reserved the next revision: a version must come after it
            revision = await(what, () -> evalAsync(VERSION_WRITE, k, args, what));
        }
        if (!entries.isEmpty()) {
            await(what + " (index)", () -> indexScript("add", store, key, entries, what));
        }
        return new VersionInfo(Long.toString(revision), Micros.toInstant(savedAt), revision, version.source().cause());
    }

    @Override
    public Set<String> pinnedVersions(String store, String key) {
        byte[][] k = profileKeys(store, key);
        List<byte[]> fields = await("list pinned versions of " + store + "/" + key,
                () -> redis.hkeys(k[RedisKeys.VERSION_BODIES]));
        return fields.stream().map(RedisStorage::str).filter(f -> f.startsWith("x:")).map(f -> f.substring(2))
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public List<String> keysByUserId(String store, long userId) {
        Names.storeName(store);
        String what = "find keys of user " + userId + " in " + store;
        Set<byte[]> candidates = await(what, () -> redis.smembers(keys.userIndex(store, userId)));
        List<String> names = candidates.stream().map(RedisStorage::str).sorted().toList();
        List<CompletableFuture<Long>> checks = new ArrayList<>();
        for (String key : names) {
            byte[][] k = keys.profile(store, key);
            checks.add(evalAsync(REFERENCES_USER,
                    new byte[][] {k[RedisKeys.RECORD], k[RedisKeys.VERSIONS], k[RedisKeys.VERSION_BODIES]},
                    new byte[][] {b(Long.toString(userId))}, what));
        }
        List<String> found = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            CompletableFuture<Long> f = checks.get(i);
            if (await(what, () -> f) == 1L) {
                found.add(names.get(i));
            }
        }
        return found;
    }

    @Override
    public List<String> listKeys(String store, String afterKey, int limit) {
        Names.storeName(store);
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, was " + limit);
        }
        String what = "list keys of " + store;
        List<String> out = new ArrayList<>();
        byte[] cursor = afterKey == null ? null : b(afterKey);
        int batch = Math.min(Math.max(limit, 16), LIST_BATCH);
        while (out.size() < limit) {
            byte[] from = cursor;
            List<byte[]> candidates = await(what, () -> zrangeByLexAfter(keys.storeKeys(store), from, batch));
            List<RedisFuture<Long>> exists = new ArrayList<>();
            for (byte[] c : candidates) {
                exists.add(redis.exists(keys.profile(store, str(c))[RedisKeys.RECORD]));
            }
            for (int i = 0; i < candidates.size() && out.size() < limit; i++) {
                RedisFuture<Long> f = exists.get(i);
                if (await(what, () -> f) > 0) {
                    out.add(str(candidates.get(i)));
                }
            }
            if (candidates.size() < batch) {
                break;
            }
            cursor = candidates.get(candidates.size() - 1);
        }
        return out;
    }

    /** ZRANGEBYLEX key (after + LIMIT 0 count, with the bound sent as raw bytes. */
    private RedisFuture<List<byte[]>> zrangeByLexAfter(byte[] key, byte[] after, int count) {
        byte[] min;
        if (after == null) {
            min = b("-");
        } else {
            min = new byte[after.length + 1];
            min[0] = '(';
            System.arraycopy(after, 0, min, 1, after.length);
        }
        CommandArgs<byte[], byte[]> args = new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(key).add(min).add(b("+"))
                .add("LIMIT").add(0).add(count);
        return redis.dispatch(CommandType.ZRANGEBYLEX, new ValueListOutput<>(ByteArrayCodec.INSTANCE), args);
    }

    @Override
    public void renewLease(String serverId, Duration ttl) {
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("lease ttl must be positive, was " + ttl);
        }
        long millis = Math.max(1, ceilMillis(ttl));
        await("renew lease of " + serverId, () -> redis.set(keys.lease(serverId), b("1"), SetArgs.Builder.px(millis)));
    }

    @Override
    public boolean isLeaseLive(String serverId) {
        Objects.requireNonNull(serverId, "serverId");
        return await("check lease of " + serverId, () -> redis.exists(keys.lease(serverId))) > 0;
    }

    @Override
    public Duration leaseRemaining(String serverId) {
        Objects.requireNonNull(serverId, "serverId");
        Long ms = await("check lease of " + serverId, () -> redis.pttl(keys.lease(serverId)));
        return ms == null || ms <= 0 ? Duration.ZERO : Duration.ofMillis(ms);
    }

    @Override
    public void dropLease(String serverId) {
        Objects.requireNonNull(serverId, "serverId");
        await("drop lease of " + serverId, () -> redis.del(keys.lease(serverId)));
    }

    /** Where this storage is connected, without credentials, for logs. */
    public String description() {
        return description;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                log.warn("Closing the Redis connection to {} failed", description, e);
            }
        }
    }

    @Override
    public String toString() {
        return "RedisStorage[" + description + "]";
    }

    // --- script and command plumbing ---------------------------------------------------------------------

    private List<Object> eval(LuaScript script, byte[][] k, byte[][] args, String what) {
        return await(what, () -> evalAsync(script, k, args, what));
    }

    /**
     * Runs a script by digest; on NOSCRIPT (a restarted or flushed server), sends its source, which
     * also loads it. The future completes with the reply of whichever ran.
     */
    <T> CompletableFuture<T> evalAsync(LuaScript script, byte[][] k, byte[][] args, String what) {
        ScriptOutputType type = script == REFERENCES_USER || script == INDEX || script == REMOVE
                || script == PIN || script == VERSION_WRITE || script == Intents.DROP ? ScriptOutputType.INTEGER
                : ScriptOutputType.MULTI;
        if (replicaWait != null && script != REFERENCES_USER) {
            try {
                return replicaWait.eval(script, type, k, args, what);
            } catch (RedisException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        RedisFuture<T> bySha;
        try {
            bySha = redis.evalsha(script.sha1(), type, k.length == 0 ? NO_KEYS : k, args);
        } catch (RedisException e) {
            return CompletableFuture.failedFuture(e);
        }
        return bySha.handle((value, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(value);
            }
            Throwable cause = ReplicaWait.unwrap(error);
            if (cause instanceof RedisNoScriptException) {
                log.debug("Redis at {} did not know script {}; sending its source for {}", description, script.name(), what);
                RedisFuture<T> bySource = redis.eval(script.source(), type, k, args);
                return bySource.toCompletableFuture();
            }
            return CompletableFuture.<T>failedFuture(cause);
        }).thenCompose(f -> f).toCompletableFuture();
    }

    /**
     * The non-blocking twin of {@link #await}: the command's future, failing with the same {@link StorageException}s.
     * Lettuce's command timeout ends a command that gets no answer.
     */
    private <T> CompletableFuture<T> started(String what, java.util.function.Supplier<? extends CompletionStage<T>> call) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new StorageException(what + ": the Redis storage is closed"));
        }
        CompletionStage<T> f;
        try {
            f = call.get();
        } catch (RedisException e) {
            return CompletableFuture.failedFuture(new StorageException(what + " failed: " + e.getMessage(), e));
        }
        return f.toCompletableFuture().handle((value, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(value);
            }
            Throwable cause = ReplicaWait.unwrap(error);
            return CompletableFuture.<T>failedFuture(cause instanceof StorageException ? cause : new StorageException(
                    what + " failed on Redis at " + description + ": " + cause.getMessage(), cause));
        }).thenCompose(x -> x);
    }

    <T> T await(String what, java.util.function.Supplier<? extends java.util.concurrent.Future<T>> call) {
        if (closed.get()) {
            throw new StorageException(what + ": the Redis storage is closed");
        }
        java.util.concurrent.Future<T> f;
        try {
            f = call.get();
        } catch (RedisException e) {
            throw new StorageException(what + " failed: " + e.getMessage(), e);
        }
        long wait = options.commandTimeout().toMillis() * 2 + 1000;
        try {
            return f.get(wait, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(what + ": interrupted while waiting for Redis", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StorageException(what + " failed on Redis at " + description + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new StorageException(what + ": Redis at " + description + " did not answer within " + wait + " ms", e);
        }
    }

    /** The commands, for the trade classes. */
    RedisClusterAsyncCommands<byte[], byte[]> redis() {
        return redis;
    }

    int versionsPerKey() {
        return options.versionsPerKey();
    }

    /** Writes as {@link #writeAll} across slots, but stops at {@code stop} as if the process died there (tests). */
    List<WriteResult> writeAllStopping(List<KeyedWrite> writes, ClusterCommit.Stop stop) {
        return trades.writeAll(List.copyOf(writes), stop);
    }

    private byte[][] profileKeys(String store, String key) {
        return keys.profile(Names.storeName(store), Names.key(key));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static long parseLong(byte[] bytes) {
        return Long.parseLong(str(bytes));
    }

    private static Instant toInstant(byte[] bytes) {
        return Micros.toInstant(parseLong(bytes));
    }


    private static long ceilMillis(Duration d) {
        long ms = d.toMillis();
        return d.minusMillis(ms).isZero() ? ms : ms + 1;
    }
}
