package dev.profilestore.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.SessionInfo;

import java.util.ArrayList;
import java.util.List;
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
     * Ids of the latest message sends and multi-profile commits, so a retry of one whose write landed but
     * whose reply was lost can tell, and does not apply it twice. Bounded by {@link #RECENT_SENDS}.
     */
    List<String> recentSends = new ArrayList<>();
    /**
     * Top-level fields this version does not know, written by a newer minor version of the library: kept
     * as they are and written back, so a rolling upgrade does not strip what the newer servers added.
     */
    ObjectNode unknownFields;

    /** How many send ids a record remembers. */
    static final int RECENT_SENDS = 256;

    boolean isMessageBox() {
        return meta == null;
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
        c.recentSends = new ArrayList<>(recentSends);
        c.unknownFields = unknownFields;
        if (meta != null) {
            c.meta.releasedBy = meta.releasedBy;
            c.meta.unknownFields = meta.unknownFields;
        }
        return c;
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
