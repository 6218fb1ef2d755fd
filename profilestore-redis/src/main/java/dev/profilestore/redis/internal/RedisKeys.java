package dev.profilestore.redis.internal;

import io.lettuce.core.cluster.SlotHash;

import java.nio.charset.StandardCharsets;

/**
 * The Redis key layout. Every key of one profile carries the hash tag {@code {store:key}} (escaped), so
 * a profile lives in one Redis Cluster slot and one Lua script may touch all of its keys. The per-store
 * indexes carry the tag {@code {store}}, a different slot: they are maintained outside the write script
 * (see {@code RedisStorage} for why that is still exact).
 *
 * <pre>
 * ns:{S:K}:r        hash   current record: rev, payload, created, updated, uids
 * ns:{S:K}:n        string last revision issued for the key (kept by remove, so revisions never repeat)
 * ns:{S:K}:vz       zset   saved versions: member = version id (the captured revision), score = saved-at in µs
 * ns:{S:K}:vh       hash   version bodies: p:&lt;id&gt; payload, m:&lt;id&gt; "created updated uid,uid"
 * ns:{S:K}:ix       set    index entries already published for the key: "k" and "u:&lt;userId&gt;"
 * ns:{S:K}:t        hash   the intent of a trade across Cluster slots in progress (see ClusterCommit): trade id,
 *                          commit record key, participants, deadline, reserved revision, the write
 * ns:floor:{T}      string revision floor of one Cluster slot: the greatest revision of any key of that slot that
 *                          was purged. T is a short tag chosen to hash to the same slot as {S:K}, so the write and
 *                          purge scripts may touch it; it names no profile, so erasure leaves nothing personal.
 * ns:txn:{T}:id     hash   commit record of a trade across Cluster slots: state COMMITTED (until every intent is
 *                          rolled forward) or ABORTED (kept a while), participants. T is the slot tag of its primary
 *                          profile, as for the floor.
 * ns:{S}:keys       zset   every key of the store (score 0, ordered by bytes) for listKeys
 * ns:{S}:uid:&lt;id&gt;  set    keys written with that user id, for keysByUserId
 * ns:lease:{server} string a server's lease, with a PX expiry
 * </pre>
 *
 * <p>{@code S} and {@code K} are escaped so that braces and colons in names cannot move the hash tag
 * or make two names collide: {@code %} becomes {@code %25}, {@code {} {@code %7B}, {@code }} {@code %7D},
 * {@code :} {@code %3A}.
 */
public final class RedisKeys {

    private final String namespace;

    /** Keys under {@code namespace}, which {@link #checkNamespace} has accepted. */
    public RedisKeys(String namespace) {
        this.namespace = namespace;
    }

    /** The seven keys of one profile, in the order the write and purge scripts expect them. */
    public byte[][] profile(String store, String key) {
        String p = namespace + ":{" + escape(store) + ":" + escape(key) + "}:";
        byte[] record = bytes(p + "r");
        String floor = namespace + ":floor:{" + SlotTags.TAGS[SlotHash.getSlot(record)] + "}";
        return new byte[][] {record, bytes(p + "n"), bytes(p + "vz"), bytes(p + "vh"), bytes(p + "ix"), bytes(floor),
            bytes(p + "t")};
    }

    /** Number of keys {@link #profile} returns. */
    public static final int PER_PROFILE = 7;

    /** The commit record of trade {@code id} whose primary profile's record key is {@code primaryRecord}: same slot. */
    public byte[] commitRecord(byte[] primaryRecord, String id) {
        return bytes(namespace + ":txn:{" + SlotTags.TAGS[SlotHash.getSlot(primaryRecord)] + "}:" + id);
    }

    /** For every Cluster slot, a short hash tag that maps to it; built once, on first use (a few milliseconds). */
    private static final class SlotTags {
        static final String[] TAGS = build();

        private static String[] build() {
            String[] tags = new String[SlotHash.SLOT_COUNT];
            int missing = tags.length;
            for (long i = 0; missing > 0; i++) {
                String tag = Long.toString(i, 36);
                int slot = SlotHash.getSlot(tag);
                if (tags[slot] == null) {
                    tags[slot] = tag;
                    missing--;
                }
            }
            return tags;
        }
    }

    /** The store's key index (a sorted set of every key, for listing). */
    public byte[] storeKeys(String store) {
        return bytes(namespace + ":{" + escape(store) + "}:keys");
    }

    /** The set of a store's keys written with one user id. */
    public byte[] userIndex(String store, long userId) {
        return bytes(namespace + ":{" + escape(store) + "}:uid:" + userId);
    }

    /** A server's lease key. */
    public byte[] lease(String serverId) {
        return bytes(namespace + ":lease:{" + escape(serverId) + "}");
    }

    /** The pub/sub channel for a messaging channel name. */
    public byte[] channel(String channel) {
        return bytes(namespace + ":ch:" + channel);
    }

    /** The messaging channel name of a Redis channel, or null if it is not one of this namespace. */
    public String channelName(byte[] redisChannel) {
        String s = new String(redisChannel, StandardCharsets.UTF_8);
        String prefix = namespace + ":ch:";
        return s.startsWith(prefix) ? s.substring(prefix.length()) : null;
    }

    /** Index in {@link #profile}'s result: the current record. */
    public static final int RECORD = 0;
    /** Index in {@link #profile}'s result: the last revision issued. */
    public static final int SEQUENCE = 1;
    /** Index in {@link #profile}'s result: the saved versions by time. */
    public static final int VERSIONS = 2;
    /** Index in {@link #profile}'s result: the saved versions' bodies. */
    public static final int VERSION_BODIES = 3;
    /** Index in {@link #profile}'s result: the index entries published for the key. */
    public static final int INDEXED = 4;
    /** Index in {@link #profile}'s result: the revision floor of the key's Cluster slot. */
    public static final int FLOOR = 5;
    /** Index in {@link #profile}'s result: the intent a trade in progress left on the key. */
    public static final int INTENT = 6;

    /** Escapes a store, key or server name so it cannot move a hash tag or collide with another name. */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '%' -> b.append("%25");
                case '{' -> b.append("%7B");
                case '}' -> b.append("%7D");
                case ':' -> b.append("%3A");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A key or argument as Redis bytes (UTF-8). */
    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Checks a namespace: it becomes the prefix of every key and must not contain hash-tag braces. */
    public static String checkNamespace(String namespace) {
        if (namespace == null || namespace.isEmpty()) {
            throw new IllegalArgumentException("Redis key namespace must not be empty");
        }
        if (namespace.indexOf('{') >= 0 || namespace.indexOf('}') >= 0) {
            throw new IllegalArgumentException("Redis key namespace \"" + namespace
                    + "\" must not contain '{' or '}' (they would change the Redis Cluster hash slot)");
        }
        return namespace;
    }
}
