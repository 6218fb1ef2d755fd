package dev.profilestore.testkit.sim;

import dev.profilestore.spi.ForwardingStorage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.WriteResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Sits right on the shared store and reports every write that was applied, decoded, to the checker:
 * whatever a server believed, this is what landed.
 */
final class AuditedStorage extends ForwardingStorage {

    private final ObjectMapper mapper;
    private final BiConsumer<String, JsonNode> applied;

    AuditedStorage(Storage delegate, ObjectMapper mapper, BiConsumer<String, JsonNode> applied) {
        super(delegate);
        this.mapper = mapper;
        this.applied = applied;
    }

    @Override
    public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
        WriteResult result = delegate.write(store, key, expectedRevision, write);
        if (result instanceof WriteResult.Written) {
            applied.accept(key, decode(write.payload()));
        }
        return result;
    }

    @Override
    public List<WriteResult> writeAll(List<KeyedWrite> writes) {
        List<WriteResult> results = delegate.writeAll(writes);
        for (int i = 0; i < writes.size(); i++) {
            if (results.get(i) instanceof WriteResult.Written) {
                applied.accept(writes.get(i).key(), decode(writes.get(i).write().payload()));
            }
        }
        return results;
    }

    private JsonNode decode(byte[] payload) {
        try {
            return mapper.readTree(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
