package dev.profilestore.engine;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.profilestore.CorruptProfileException;
import dev.profilestore.UnsupportedFormatException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and writes {@link Envelope}s as JSON. Reading is strict: anything that is not exactly our
 * layout is reported as corrupt with what is wrong, so it can be preserved rather than half-read.
 */
final class EnvelopeCodec {

    private final ObjectMapper mapper;

    EnvelopeCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Writes {@code env}, with {@code dataJson} (already serialized) as its data, or {@code env.data}
     * when null. Writing the data as a raw value saves building a tree of it on every save.
     */
    byte[] encode(Envelope env, byte[] dataJson) {
        var out = new ByteArrayOutputStream(dataJson != null ? dataJson.length + 256 : 512);
        try (JsonGenerator g = mapper.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("format", Envelope.FORMAT);
            if (!env.isMessageBox()) {
                g.writeNumberField("dataVersion", env.dataVersion);
                g.writeFieldName("data");
                if (dataJson != null) {
                    g.writeRawValue(new String(dataJson, java.nio.charset.StandardCharsets.UTF_8));
                } else {
                    g.writeTree(env.data);
                }
                writeMeta(g, env.meta);
                g.writeFieldName("metadata");
                g.writeTree(env.metadata);
                g.writeArrayFieldStart("userIds");
                for (long id : env.userIds) {
                    g.writeNumber(id);
                }
                g.writeEndArray();
            }
            g.writeObjectFieldStart("messages");
            g.writeNumberField("lastId", env.lastMessageId);
            g.writeArrayFieldStart("items");
            for (Envelope.StoredMessage m : env.messages) {
                g.writeStartObject();
                g.writeNumberField("id", m.id());
                g.writeFieldName("body");
                g.writeTree(m.body());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (!env.senders().isEmpty()) {
                g.writeObjectFieldStart("senders");
                for (var sender : env.senders().entrySet()) {
                    g.writeNumberField(sender.getKey(), sender.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
            writeUnknown(g, env.unknownFields);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeMeta(JsonGenerator g, Envelope.Meta meta) throws IOException {
        g.writeObjectFieldStart("meta");
        g.writeNumberField("createdMs", meta.createdMs);
        g.writeNumberField("loadCount", meta.loadCount);
        g.writeNumberField("lastUpdateMs", meta.lastUpdateMs);
        g.writeNumberField("lastSnapshotMs", meta.lastSnapshotMs);
        if (meta.lock != null) {
            g.writeObjectFieldStart("lock");
            g.writeStringField("appId", meta.lock.appId());
            g.writeStringField("serverId", meta.lock.serverId());
            g.writeStringField("sessionId", meta.lock.sessionId());
            g.writeNumberField("epoch", meta.lock.epoch());
            g.writeNumberField("sinceMs", meta.lock.sinceMs());
            if (meta.lock.leaseId() != null) {
                g.writeStringField("leaseId", meta.lock.leaseId());
            }
            g.writeEndObject();
        }
        if (meta.takeover != null) {
            g.writeObjectFieldStart("takeover");
            g.writeStringField("appId", meta.takeover.appId());
            g.writeStringField("serverId", meta.takeover.serverId());
            g.writeStringField("sessionId", meta.takeover.sessionId());
            g.writeNumberField("atMs", meta.takeover.atMs());
            if (meta.takeover.leaseId() != null) {
                g.writeStringField("leaseId", meta.takeover.leaseId());
            }
            g.writeEndObject();
        }
        if (meta.releasedBy != null) {
            g.writeStringField("releasedBy", meta.releasedBy);
        }
        writeUnknown(g, meta.unknownFields);
        g.writeEndObject();
    }

    private static void writeUnknown(JsonGenerator g, ObjectNode unknown) throws IOException {
        if (unknown == null) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = unknown.fields(); it.hasNext(); ) {
            var e = it.next();
            g.writeFieldName(e.getKey());
            g.writeTree(e.getValue());
        }
    }

    /** The fields of {@code node} not in {@code known}, or null when there are none. */
    private static ObjectNode unknownFields(JsonNode node, Set<String> known) {
        ObjectNode unknown = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!known.contains(e.getKey())) {
                if (unknown == null) {
                    unknown = JsonNodeFactory.instance.objectNode();
                }
                unknown.set(e.getKey(), e.getValue());
            }
        }
        return unknown;
    }

    private static final Set<String> KNOWN_FIELDS = Set.of("format", "dataVersion", "data", "meta", "metadata", "userIds",
            "messages");
    private static final Set<String> KNOWN_META_FIELDS = Set.of("createdMs", "loadCount", "lastUpdateMs", "lastSnapshotMs",
            "lock", "takeover", "releasedBy");

    /**
     * Reads a record; {@link CorruptProfileException} names what is wrong when it is not ours, and
     * {@link UnsupportedFormatException} says it is ours but of a newer layout than this version reads.
     */
    Envelope decode(byte[] payload) {
        JsonNode root;
        try {
            root = mapper.readTree(payload);
        } catch (IOException e) {
            throw new CorruptProfileException("the value is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CorruptProfileException("the value is not a JSON object");
        }
        String format = root.path("format").asText(null);
        if (format != null && !format.equals(Envelope.FORMAT) && format.startsWith(Envelope.FORMAT_FAMILY)) {
            // Written by a newer version of this library: neither foreign (to be set aside) nor readable.
            throw new UnsupportedFormatException("the record has format \"" + format + "\", newer than this server's \""
                    + Envelope.FORMAT + "\"; upgrade this server before loading it (the record was left untouched)");
        }
        if (!Envelope.FORMAT.equals(format)) {
            throw new CorruptProfileException("the value has no \"format\": \"" + Envelope.FORMAT + "\" marker: it was not"
                    + " written by this library");
        }
        Envelope env = new Envelope();
        env.unknownFields = unknownFields(root, KNOWN_FIELDS);
        JsonNode messages = require(root, "messages", JsonNode::isObject, "an object");
        env.lastMessageId = require(messages, "lastId", JsonNode::isIntegralNumber, "an integer").asLong();
        JsonNode items = require(messages, "items", JsonNode::isArray, "an array");
        env.messages = new ArrayList<>(items.size());
        for (JsonNode item : items) {
            long id = require(item, "id", JsonNode::isIntegralNumber, "an integer").asLong();
            if (!item.has("body")) {
                throw new CorruptProfileException("message " + id + " has no body");
            }
            env.messages.add(new Envelope.StoredMessage(id, item.get("body")));
        }
        // "recentSends", the window of send ids of earlier versions, is not read: it only served retries in flight.
        for (Iterator<Map.Entry<String, JsonNode>> it = messages.path("senders").fields(); it.hasNext(); ) {
            var sender = it.next();
            env.putSender(sender.getKey(), sender.getValue().asLong());
        }
        if (!root.has("meta")) {
            return env; // a message box
        }
        env.data = require(root, "data", n -> !n.isMissingNode(), "present");
        env.dataVersion = require(root, "dataVersion", JsonNode::isIntegralNumber, "an integer").asInt();
        JsonNode meta = require(root, "meta", JsonNode::isObject, "an object");
        env.meta = new Envelope.Meta();
        env.meta.createdMs = require(meta, "createdMs", JsonNode::isIntegralNumber, "an integer").asLong();
        env.meta.loadCount = require(meta, "loadCount", JsonNode::isIntegralNumber, "an integer").asLong();
        env.meta.lastUpdateMs = meta.path("lastUpdateMs").asLong();
        env.meta.lastSnapshotMs = meta.path("lastSnapshotMs").asLong();
        env.meta.releasedBy = meta.path("releasedBy").isTextual() ? meta.get("releasedBy").asText() : null;
        env.meta.unknownFields = unknownFields(meta, KNOWN_META_FIELDS);
        JsonNode lock = meta.get("lock");
        if (lock != null && !lock.isNull()) {
            env.meta.lock = new Envelope.Lock(text(lock, "appId"), text(lock, "serverId"), text(lock, "sessionId"),
                    require(lock, "epoch", JsonNode::isIntegralNumber, "an integer").asLong(), lock.path("sinceMs").asLong(),
                    lock.path("leaseId").isTextual() ? lock.get("leaseId").asText() : null);
        }
        JsonNode takeover = meta.get("takeover");
        if (takeover != null && !takeover.isNull()) {
            env.meta.takeover = new Envelope.Takeover(text(takeover, "appId"), text(takeover, "serverId"),
                    text(takeover, "sessionId"), takeover.path("atMs").asLong(),
                    takeover.path("leaseId").isTextual() ? takeover.get("leaseId").asText() : null);
        }
        JsonNode metadata = root.path("metadata");
        env.metadata = metadata.isObject() ? (ObjectNode) metadata : mapper.createObjectNode();
        env.userIds = new TreeSet<>();
        for (JsonNode id : root.path("userIds")) {
            if (!id.isIntegralNumber()) {
                throw new CorruptProfileException("userIds holds a non-integer: " + id);
            }
            env.userIds.add(id.asLong());
        }
        return env;
    }

    /** A JSON tree of metadata from a user map. */
    ObjectNode metadataTree(Map<String, Object> metadata) {
        return mapper.valueToTree(metadata);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> metadataMap(ObjectNode tree) {
        var map = new java.util.LinkedHashMap<String, Object>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            var e = it.next();
            map.put(e.getKey(), mapper.convertValue(e.getValue(), Object.class));
        }
        return map;
    }

    private static JsonNode require(JsonNode node, String field, java.util.function.Predicate<JsonNode> ok, String what) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || !ok.test(value)) {
            throw new CorruptProfileException("field \"" + field + "\" is missing or not " + what);
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        return require(node, field, JsonNode::isTextual, "a string").asText();
    }
}
