package dev.profilestore.testkit.sim;

import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TEST ONLY, deliberately broken ({@link SimConfig.Mutation#REVISIONS_RESET_ON_REMOVE}): a storage whose
 * revisions start again from 1 when a key is removed and created anew, as a backend with a per-key counter
 * and no floor kept across removal would. The revisions it shows are the delegate's minus an offset set
 * at each removal. The checker must find {@link Invariant#EPOCH_REPEATED}. Single-threaded use only.
 */
final class RevisionResettingStorage extends ForwardingStorage {

    private final Map<String, Long> offset = new HashMap<>();

    RevisionResettingStorage(Storage delegate) {
        super(delegate);
    }

    private long base(String store, String key) {
        return offset.getOrDefault(store + "\u0000" + key, 0L);
    }

    private StoredRecord shown(String store, String key, StoredRecord r) {
        return new StoredRecord(r.revision() - base(store, key), r.payload(), r.createdAt(), r.updatedAt());
    }

    private WriteResult shown(String store, String key, WriteResult result) {
        return switch (result) {
            case WriteResult.Written w -> new WriteResult.Written(w.revision() - base(store, key), w.updatedAt());
            case WriteResult.Conflict c -> new WriteResult.Conflict(c.current().map(r -> shown(store, key, r)));
        };
    }

    private long inner(String store, String key, long revision) {
        return revision == ABSENT ? ABSENT : revision + base(store, key);
    }

    @Override
    public Optional<StoredRecord> read(String store, String key) {
        return delegate.read(store, key).map(r -> shown(store, key, r));
    }

    @Override
    public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
        return shown(store, key, delegate.write(store, key, inner(store, key, expectedRevision), write));
    }

    @Override
    public List<WriteResult> writeAll(List<KeyedWrite> writes) {
        List<KeyedWrite> inner = new ArrayList<>();
        for (KeyedWrite w : writes) {
            inner.add(new KeyedWrite(w.store(), w.key(), inner(w.store(), w.key(), w.expectedRevision()), w.write()));
        }
        List<WriteResult> results = delegate.writeAll(inner);
        List<WriteResult> shown = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            shown.add(shown(writes.get(i).store(), writes.get(i).key(), results.get(i)));
        }
        return shown;
    }

    @Override
    public boolean remove(String store, String key, long expectedRevision) {
        Optional<StoredRecord> before = delegate.read(store, key);
        boolean removed = delegate.remove(store, key, inner(store, key, expectedRevision));
        // The next record of this key is shown from revision 1 (or a little above) again.
        if (removed) {
            before.ifPresent(r -> offset.put(store + "\u0000" + key, r.revision()));
        }
        return removed;
    }
}
