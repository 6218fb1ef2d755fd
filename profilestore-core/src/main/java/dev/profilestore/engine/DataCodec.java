package dev.profilestore.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.CorruptProfileException;
import dev.profilestore.DataSerializationException;
import dev.profilestore.UnsupportedFormatException;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** Turns a store's data type into JSON and back, with the template, reconcile and format migrations. */
final class DataCodec<T> {

    private final ObjectMapper mapper;
    private final Class<T> type;
    private final Supplier<T> template;
    private final int formatVersion;
    private final Map<Integer, UnaryOperator<ObjectNode>> migrations;

    DataCodec(ObjectMapper mapper, Class<T> type, Supplier<T> template, int formatVersion,
              Map<Integer, UnaryOperator<ObjectNode>> migrations) {
        this.mapper = mapper;
        this.type = type;
        this.template = template;
        this.formatVersion = formatVersion;
        this.migrations = migrations;
    }

    int formatVersion() {
        return formatVersion;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    T newData() {
        T data = template.get();
        if (data == null) {
            throw new IllegalStateException("the template supplier returned null");
        }
        return data;
    }

    byte[] serialize(T data) {
        if (data == null) {
            throw new DataSerializationException("profile data is null");
        }
        try {
            return mapper.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new DataSerializationException("profile data of type " + data.getClass().getName()
                    + " cannot be serialized to JSON: " + e.getOriginalMessage(), e);
        } catch (RuntimeException | StackOverflowError e) {
            throw new DataSerializationException("profile data of type " + data.getClass().getName()
                    + " cannot be serialized to JSON: " + e, e);
        }
    }

    T fromBytes(byte[] json) {
        try {
            return mapper.readValue(json, type);
        } catch (IOException e) {
            throw new CorruptProfileException("saved data does not read back as " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes stored data, upgrading it from an older format first. */
    T decode(JsonNode data, int storedVersion) {
        if (storedVersion > formatVersion) {
            throw new UnsupportedFormatException("the profile's data format is " + storedVersion + ", newer than this"
                    + " server's " + formatVersion + "; upgrade this server before loading it");
        }
        JsonNode upgraded = data;
        for (int v = Math.max(storedVersion, 1); v < formatVersion; v++) {
            if (!(upgraded instanceof ObjectNode object)) {
                throw new CorruptProfileException("data of format " + v + " is not a JSON object, so it cannot be migrated");
            }
            try {
                upgraded = migrations.get(v).apply(object.deepCopy());
            } catch (RuntimeException e) {
                throw new CorruptProfileException("the migration from data format " + v + " failed: " + e, e);
            }
            if (upgraded == null) {
                throw new CorruptProfileException("the migration from data format " + v + " returned null");
            }
        }
        if (upgraded == null || upgraded.isNull() || upgraded.isMissingNode()) {
            throw new CorruptProfileException("the stored data is null; the record needs an operator (roll back to a saved"
                    + " version, or overwrite it)");
        }
        T value;
        try {
            value = mapper.treeToValue(upgraded, type);
        } catch (IOException | RuntimeException e) {
            throw new CorruptProfileException("stored data does not map to " + type.getName() + ": " + e.getMessage(), e);
        }
        if (value == null) {
            throw new CorruptProfileException("stored data maps to null as " + type.getName());
        }
        return value;
    }

    /** Our own JSON tree back into the data type. */
    T fromTree(JsonNode tree) {
        try {
            return mapper.treeToValue(tree, type);
        } catch (IOException e) {
            throw new CorruptProfileException("data does not read back as " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    JsonNode tree(byte[] json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("our own JSON did not parse", e);
        }
    }

    /**
     * Fills fields missing from {@code data} with the template's, recursively, keeping every existing
     * value even when its type differs (the original's rule). Mutable data is updated in place, so
     * references to it stay valid; records are replaced.
     */
    T reconcile(T data) {
        JsonNode current = mapper.valueToTree(data);
        JsonNode defaults = mapper.valueToTree(newData());
        if (!(current instanceof ObjectNode target) || !(defaults instanceof ObjectNode source)) {
            return data;
        }
        if (!fillMissing(target, source)) {
            return data;
        }
        try {
            if (type.isRecord()) {
                return mapper.treeToValue(target, type);
            }
            return mapper.readerForUpdating(data).readValue(target);
        } catch (IOException e) {
            throw new DataSerializationException("reconciled data does not map back to " + type.getName(), e);
        }
    }

    private static boolean fillMissing(ObjectNode target, ObjectNode source) {
        boolean changed = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode existing = target.get(e.getKey());
            if (existing == null || existing.isNull()) {
                if (!e.getValue().isNull()) {
                    target.set(e.getKey(), e.getValue().deepCopy());
                    changed = true;
                }
            } else if (existing instanceof ObjectNode child && e.getValue() instanceof ObjectNode childSource) {
                changed |= fillMissing(child, childSource);
            }
        }
        return changed;
    }

    /** A JSON body for a message. */
    JsonNode messageBody(Object message) {
        if (message == null) {
            throw new IllegalArgumentException("message must not be null");
        }
        try {
            return mapper.valueToTree(message);
        } catch (IllegalArgumentException e) {
            throw new DataSerializationException("message of type " + message.getClass().getName()
                    + " cannot be serialized to JSON: " + e.getMessage(), e);
        }
    }
}
