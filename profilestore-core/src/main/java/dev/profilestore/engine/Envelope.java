package dev.profilestore.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.SessionInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The stored form of a profile, in the layout of the original (data, metadata, user ids, message box,
 * lock) under our own names. Mutable: the engine reads one, changes it, and writes it back through a
 * compare-and-set. A record with no {@link #meta} is a message box: messages sent to a key that has
 * never had a session.
 */
final class Envelope {

    /** Marks our records; anything else at a key is foreign. */
    static final String FORMAT = "profilestore/1";
    /** The prefix of every layout of this library, this one and later ones. */
    static final String FORMAT_FAMILY = "profilestore/";

    JsonNode data;
    int dataVersion;
    Meta meta;
    ObjectNode metadata = JsonNodeFactory.instance.objectNode();
    TreeSet<Long> userIds = new TreeSet<>();
    long lastMessageId;
    List<StoredMessage> messages = new ArrayList<>();
    /**
     * Per sending store instance (its lease id), the sequence number of its latest message send or commit
     * that landed here, most recent last. An instance's sends to one key land in sequence order (they take
     * turns in its key queue, and retry inside their turn), so a retry whose earlier try landed but whose
     * reply was lost finds its number covered and does not apply twice. A window of send ids could be
     * pushed out by other servers' sends during a long retry; this forgets an instance only after
     * {@link #SENDERS} other instances have written here since.
     */
    private java.util.LinkedHashMap<String, Long> senders; // null until a first send: most records never get one
    /**
     * Top-level fields this version does not know, written by a newer minor version of the library: kept
     * as they are and written back, so a rolling upgrade does not strip what the newer servers added.
     */
    ObjectNode unknownFields;

    /** How many sending instances a record remembers. */
    static final int SENDERS = 256;

    /** Whether the send numbered {@code seq} of instance {@code sender} has landed in this record. */
    boolean landed(String sender, long seq) {
        Long latest = senders == null ? null : senders.get(sender);
        return latest != null && latest >= seq;
    }

    /** Records that the send numbered {@code seq} of instance {@code sender} lands with this write. */
    void markSent(String sender, long seq) {
        if (senders == null) {
            senders = new java.util.LinkedHashMap<>();
        }
        senders.remove(sender);
        senders.put(sender, seq);
        var oldest = senders.keySet().iterator();
        while (senders.size() > SENDERS) {
            oldest.next();
            oldest.remove();
        }
    }

    /** The senders' latest sequence numbers, oldest first (read only). */
    Map<String, Long> senders() {
        return senders == null ? Map.of() : java.util.Collections.unmodifiableMap(senders);
    }

    /** Sets a sender's latest number as read from a stored record, after those already read. */
    void putSender(String sender, long seq) {
        if (senders == null) {
            senders = new java.util.LinkedHashMap<>();
        }
        senders.put(sender, seq);
    }

    /** Takes {@code other}'s senders, replacing this record's. */
    void copySendersFrom(Envelope other) {
        senders = other.senders == null ? null : new java.util.LinkedHashMap<>(other.senders);
    }

    boolean isMessageBox() {
        return meta == null;
    }

    /**
     * A new profile's envelope created at {@code nowMs}, keeping the messages (and the senders' numbers) of
     * {@code previous}: a message box, or a value being replaced (null when there is none or it is not ours).
     */
    static Envelope freshProfile(Envelope previous, long nowMs, int dataVersion) {
        Envelope env = new Envelope();
        if (previous != null) {
            env.messages = new ArrayList<>(previous.messages);
            env.lastMessageId = previous.lastMessageId;
            env.copySendersFrom(previous);
        }
        env.meta = new Meta();
        env.meta.createdMs = nowMs;
        env.dataVersion = dataVersion;
        return env;
    }

    /** A copy the engine may change freely; the data tree and message bodies are shared, never mutated. */
    Envelope copy() {
        Envelope c = new Envelope();
        c.data = data;
        c.dataVersion = dataVersion;
        if (meta != null) {
            c.meta = new Meta();
            c.meta.createdMs = meta.createdMs;
            c.meta.loadCount = meta.loadCount;
            c.meta.lastUpdateMs = meta.lastUpdateMs;
            c.meta.lastSnapshotMs = meta.lastSnapshotMs;
            c.meta.lock = meta.lock;
            c.meta.takeover = meta.takeover;
        }
        c.metadata = metadata;
        c.userIds = new TreeSet<>(userIds);
        c.lastMessageId = lastMessageId;
        c.messages = new ArrayList<>(messages);
        c.copySendersFrom(this);
        c.unknownFields = unknownFields;
        if (meta != null) {
            c.meta.releasedBy = meta.releasedBy;
            c.meta.unknownFields = meta.unknownFields;
        }
        return c;
    }

    /**
     * Lets go of the lock of this record, read at revision {@code takenOver}: gives it to the requester, the
     * one written in the record or else {@code asked} (a request that came as a message alone), or clears it
     * when nobody asked. The new holder's epoch is derived as for any lock taken: the revision it is taken
     * over, plus one. Returns the new holder's lock, or null.
     */
    Lock handOver(long takenOver, long nowMs, Takeover asked) {
        Takeover to = meta.takeover != null ? meta.takeover : asked;
        if (to == null) {
            meta.lock = null;
            return null;
        }
        meta.lock = new Lock(to.appId(), to.serverId(), to.sessionId(), takenOver + 1, nowMs, to.lease());
        meta.takeover = null;
        meta.loadCount++;
        return meta.lock;
    }

    /** Session bookkeeping. */
    static final class Meta {
        long createdMs;
        long loadCount;
        long lastUpdateMs;
        long lastSnapshotMs;
        Lock lock;
        Takeover takeover;
        /**
         * The session whose last save released the lock most recently. A release retried after its reply
         * was lost finds its own id here and knows it landed, rather than taking the missing lock for a loss.
         */
        String releasedBy;
        /** Fields of {@code meta} this version does not know; kept and written back. */
        ObjectNode unknownFields;
    }

    /**
     * The session lock: who may write, and under which epoch. {@code leaseId} is null in records written
     * before leases were per store instance; their holder renewed a lease named after its server id.
     */
    record Lock(String appId, String serverId, String sessionId, long epoch, long sinceMs, String leaseId) {

        /** The lease the holder renews: the server id for records written before leases were per instance. */
        String lease() {
            return leaseId != null ? leaseId : serverId;
        }

        SessionInfo info() {
            return new SessionInfo(appId, serverId, sessionId, epoch, java.time.Instant.ofEpochMilli(sinceMs), lease());
        }
    }

    /** A pending request by another server to take the profile over; the last requester wins. */
    record Takeover(String appId, String serverId, String sessionId, long atMs, String leaseId) {

        /** The lease the requester's server renews (its server id in records of before per-instance leases). */
        String lease() {
            return leaseId != null ? leaseId : serverId;
        }
    }

    /** A durable message. */
    record StoredMessage(long id, JsonNode body) {}
}
