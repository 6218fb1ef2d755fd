package dev.profilestore.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

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

    JsonNode data;
    int dataVersion;
    Meta meta;
    ObjectNode metadata = JsonNodeFactory.instance.objectNode();
    TreeSet<Long> userIds = new TreeSet<>();
    long lastMessageId;
    List<StoredMessage> messages = new ArrayList<>();
    /**
     * Ids of the latest sends, so a send whose write landed but whose reply was lost is not appended
     * twice when it is retried. Bounded by {@link #RECENT_SENDS}.
     */
    List<String> recentSends = new ArrayList<>();

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
    }

    /** The session lock: who may write, and under which epoch. */
    record Lock(String appId, String serverId, String sessionId, long epoch, long sinceMs) {}

    /** A pending request by another server to take the profile over; the last requester wins. */
    record Takeover(String appId, String serverId, String sessionId, long atMs) {}

    /** A durable message. */
    record StoredMessage(long id, JsonNode body) {}
}
