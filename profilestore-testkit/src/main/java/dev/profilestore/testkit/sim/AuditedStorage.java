package dev.profilestore.testkit.sim;

import dev.profilestore.spi.ForwardingStorage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;

import java.io.IOException;
import java.util.List;

/**
 * Sits right on the shared store and reports to the checker every write that was applied, decoded, and
 * every removal: whatever a server believed, this is what landed. Operators' writes straight to the
 * storage (imports, injected records, a forced release) go through {@link #operatorWrite} so the checker
 * sees their revisions too but does not take them for the engine's.
 */
final class AuditedStorage extends ForwardingStorage {

    private final ObjectMapper mapper;
    private final Checker checker;

    AuditedStorage(Storage delegate, ObjectMapper mapper, Checker checker) {
        super(delegate);
        this.mapper = mapper;
        this.checker = checker;
    }

    @Override
    public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
        WriteResult result = delegate.write(store, key, expectedRevision, write);
        if (result instanceof WriteResult.Written w) {
            checker.onRevision(key, w.revision());
            checker.onApplied(key, decode(write.payload()));
        }
        return result;
    }

    @Override
    public List<WriteResult> writeAll(List<KeyedWrite> writes) {
        List<WriteResult> results = delegate.writeAll(writes);
        for (int i = 0; i < writes.size(); i++) {
            if (results.get(i) instanceof WriteResult.Written w) {
                checker.onRevision(writes.get(i).key(), w.revision());
                checker.onApplied(writes.get(i).key(), decode(writes.get(i).write().payload()));
            }
        }
        return results;
    }

    @Override
    public boolean remove(String store, String key, long expectedRevision) {
        boolean removed = delegate.remove(store, key, expectedRevision);
        if (removed) {
            checker.onRemoved(key);
        }
        return removed;
    }

    @Override
    public void purge(String store, String key) {
        delegate.purge(store, key);
        checker.onRemoved(key);
    }

    /**
     * An operator's write straight to the storage, replacing whatever the key holds: applied as a
     * compare-and-set on the revision just read. Returns whether it landed.
     */
    boolean operatorWrite(String store, String key, byte[] payload, RecordWrite.Versioning versioning) {
        long expected = delegate.read(store, key).map(StoredRecord::revision).orElse(ABSENT);
        WriteResult result = delegate.write(store, key, expected, new RecordWrite(payload, java.util.Set.of(), versioning));
        if (result instanceof WriteResult.Written w) {
            checker.onRevision(key, w.revision());
            return true;
        }
        return false;
    }

    private JsonNode decode(byte[] payload) {
        try {
            return mapper.readTree(payload);
        } catch (IOException e) {
            return null; // not JSON: the checker reports what the engine should never write
        }
    }
}
