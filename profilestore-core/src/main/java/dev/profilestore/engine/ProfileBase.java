package dev.profilestore.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profilestore.KeyInfo;
import dev.profilestore.MessageHandler;
import dev.profilestore.ProfileMessage;
import dev.profilestore.spi.StoredRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** What session profiles and views share: the document, its metadata and user ids, and message delivery. */
abstract class ProfileBase<T> {

    private static final Logger log = LoggerFactory.getLogger(ProfileBase.class);

    final StoreEngine<T> engine;
    final String key;
    T data;
    long loadCount;
    /*
     * Kept as parts, not as objects made for every loaded profile whether or not the game asks for them: a
     * KeyInfo with its version string, an Instant, and an empty metadata map cost about 170 bytes a profile.
     */
    private long firstSessionMs;
    Instant createdAt;
    Instant updatedAt;
    long keyRevision;
    /** Null until the game first asks for it or the record holds some. */
    private Map<String, Object> metadata;
    /** Null while empty: most profiles of a game that does not use them have none. */
    private TreeSet<Long> userIds;
    /** The messages the store held at the last read or write. */
    List<Envelope.StoredMessage> messages;
    /*
     * Most profiles never get a message or a handler: the set and the list are made at their first use, which
     * saves about 90 bytes on every loaded profile (a HashSet is a HashMap inside, an ArrayList its own object).
     */
    /** Ids handlers marked processed; deleted from the store by the next write. Null until the first. */
    private Set<Long> processed;
    private List<MessageHandler> handlers;

    ProfileBase(StoreEngine<T> engine, String key, T data, Envelope env, Instant createdAt, Instant updatedAt,
                long keyRevision) {
        this.engine = engine;
        this.key = key;
        this.data = data;
        this.createdAt = createdAt;
        this.updatedAt = updatedAt;
        this.keyRevision = keyRevision;
        this.loadCount = env.isMessageBox() ? 0 : env.meta.loadCount;
        this.firstSessionMs = env.isMessageBox() ? 0 : env.meta.createdMs;
        this.metadata = env.metadata.isEmpty() ? null : engine.records.envelopes.metadataMap(env.metadata);
        this.userIds = env.userIds.isEmpty() ? null : new TreeSet<>(env.userIds);
        this.messages = List.copyOf(env.messages);
    }

    public String key() {
        return key;
    }

    public T data() {
        return data;
    }

    public void setData(T data) {
        this.data = Objects.requireNonNull(data, "data must not be null; to erase a profile use removeAsync");
    }

    public Instant firstSessionTime() {
        return Instant.ofEpochMilli(firstSessionMs);
    }

    public long sessionLoadCount() {
        return loadCount;
    }

    public KeyInfo keyInfo() {
        return new KeyInfo(createdAt, updatedAt, Long.toString(keyRevision));
    }

    /** The record's key information is now {@code record}'s. */
    void keyInfo(StoredRecord record) {
        createdAt = record.createdAt();
        updatedAt = record.updatedAt();
        keyRevision = record.revision();
    }

    public Map<String, Object> metadata() {
        if (metadata == null) {
            metadata = new LinkedHashMap<>();
        }
        return metadata;
    }

    /** The metadata as it is now, for a snapshot; empty and shared when the game never set any. */
    Map<String, Object> metadataNow() {
        return metadata == null ? Map.of() : metadata;
    }

    public Set<Long> userIds() {
        return Collections.unmodifiableSet(userIdsNow());
    }

    /** The user ids as they are now; empty and shared when there are none. */
    final Set<Long> userIdsNow() {
        return userIds == null ? Set.of() : userIds;
    }

    public void addUserId(long userId) {
        if (userIds == null) {
            userIds = new TreeSet<>();
        }
        userIds.add(userId);
    }

    public void removeUserId(long userId) {
        if (userIds != null) {
            userIds.remove(userId);
        }
    }

    public void reconcile() {
        data = engine.records.codec.reconcile(data);
    }

    public void messageHandler(MessageHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (!acceptsHandlers()) {
            return;
        }
        if (handlers == null) {
            handlers = new ArrayList<>(2);
        }
        handlers.add(handler);
        for (Envelope.StoredMessage m : List.copyOf(messages)) {
            if (!isProcessed(m.id())) {
                offer(handler, m);
            }
        }
    }

    /** Runs a handler where the profile belongs; false when it could not (the message stays for later). */
    boolean runOwned(Runnable task) {
        task.run();
        return true;
    }

    /** Whether handlers may still be registered; an ended session takes none, as in the original. */
    abstract boolean acceptsHandlers();

    /** Delivers one message to every handler in order, until one marks it processed synchronously. */
    void deliver(Envelope.StoredMessage m) {
        if (handlers == null) {
            return;
        }
        for (MessageHandler handler : List.copyOf(handlers)) {
            if (offer(handler, m)) {
                return;
            }
        }
    }

    private boolean offer(MessageHandler handler, Envelope.StoredMessage m) {
        if (isProcessed(m.id())) {
            return true;
        }
        JsonNode copy = m.body().deepCopy();
        runOwned(() -> {
            try {
                handler.handle(new ProfileMessage(m.id(), copy), () -> markProcessed(m.id()));
            } catch (Throwable t) {
                log.error("a message handler of profile {} threw on message {}", key, m.id(), t);
            }
        });
        return isProcessed(m.id());
    }

    final boolean isProcessed(long id) {
        return processed != null && processed.contains(id);
    }

    private void markProcessed(long id) {
        if (processed == null) {
            processed = new HashSet<>();
        }
        processed.add(id);
    }

    /** The ids marked processed so far, to delete with the next write. */
    final Set<Long> processedIds() {
        return processed == null ? Set.of() : Set.copyOf(processed);
    }

    /** Forgets ids whose messages a write deleted. */
    final void forgetProcessed(Set<Long> deleted) {
        if (processed != null) {
            processed.removeAll(deleted);
        }
    }

    Map<String, Object> copyMetadata() {
        return new LinkedHashMap<>(metadataNow());
    }
}
