package dev.profilestore.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The audit log of operator actions, kept in the store it audits, under the reserved store name {@value #STORE_NAME}.
 *
 * <p>Each entry is one record: its key is the time in milliseconds since the epoch, zero-padded to 15 digits, a dash
 * and 8 random hex digits (so keys sort by time and two tools never collide); its payload is a JSON object with the
 * fields {@code at} (ISO-8601), {@code operator}, {@code tool}, {@code action}, {@code store}, {@code target},
 * {@code detail}, {@code revision_before}, {@code revision_after} and {@code ok}. Entries are created once
 * (expected revision: absent) and never changed, and keep no versions. Thread-safe.
 */
public final class AuditLog {

    /** The store name the entries live under; not a name a game's profiles use. */
    public static final String STORE_NAME = "profilestore.audit";

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 500;

    private final Storage storage;

    /** An audit log in {@code storage}. */
    public AuditLog(Storage storage) {
        this.storage = storage;
    }

    /**
     * Appends an entry.
     *
     * @throws dev.profilestore.StorageException when the store does not take it
     */
    public void append(AuditEntry e) {
        ObjectNode n = JSON.createObjectNode()
                .put("at", e.at().toString()).put("operator", e.operator()).put("tool", e.tool())
                .put("action", e.action()).put("store", e.storeName()).put("target", e.target())
                .put("detail", e.detail()).put("revision_before", e.revisionBefore())
                .put("revision_after", e.revisionAfter()).put("ok", e.ok());
        byte[] payload;
        try {
            payload = JSON.writeValueAsBytes(n);
        } catch (IOException ex) {
            throw new IllegalStateException("an audit entry could not be encoded", ex);
        }
        // A random suffix, so a retry after a key collision (two actions in one millisecond) takes another key.
        for (int attempt = 0; ; attempt++) {
            String key = "%015d-%08x".formatted(e.at().toEpochMilli(), ThreadLocalRandom.current().nextInt());
            WriteResult r = storage.write(STORE_NAME, key, Storage.ABSENT,
                    new RecordWrite(payload, Set.of(), RecordWrite.Versioning.NONE));
            if (r instanceof WriteResult.Written || attempt == 3) {
                LOG.info("audit: {} {} {} {}/{}: {}", e.operator(), e.tool(), e.action(), e.storeName(), e.target(),
                        e.detail());
                return;
            }
        }
    }

    /**
     * The newest entries, newest first. It lists the keys from the oldest on, so its cost grows with the log's length:
     * fine for the actions of a support desk, not for millions of entries.
     */
    public List<AuditEntry> newest(int limit) {
        Deque<String> keys = new ArrayDeque<>();
        String after = null;
        while (true) {
            List<String> page = storage.listKeys(STORE_NAME, after, PAGE);
            for (String k : page) {
                keys.addLast(k);
                if (keys.size() > limit) {
                    keys.removeFirst();
                }
            }
            if (page.size() < PAGE) {
                break;
            }
            after = page.getLast();
        }
        List<AuditEntry> result = new ArrayList<>();
        for (var it = keys.descendingIterator(); it.hasNext(); ) {
            String k = it.next();
            storage.read(STORE_NAME, k).flatMap(AuditLog::decode).ifPresent(result::add);
        }
        return result;
    }

    private static Optional<AuditEntry> decode(StoredRecord r) {
        try {
            JsonNode n = JSON.readTree(r.payload());
            return Optional.of(new AuditEntry(Instant.parse(n.path("at").asText()), n.path("operator").asText(),
                    n.path("tool").asText(), n.path("action").asText(), n.path("store").asText(),
                    n.path("target").asText(), n.path("detail").asText(), n.path("revision_before").asLong(),
                    n.path("revision_after").asLong(), n.path("ok").asBoolean()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("audit entry of revision {} is unreadable; skipped", r.revision(), e);
            return Optional.empty();
        }
    }
}
