package dev.profilestore.testkit.sim;

import dev.profilestore.spi.ForwardingStorage;

import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;

import java.util.ArrayList;
import java.util.List;

/**
 * TEST ONLY, deliberately broken: turns every compare-and-set into an unconditional write by using
 * whatever revision the record has now. With it, nothing fences a stale holder, and the checker must
 * find violations ({@link SimConfig#unsafeFencingOff}). Safe only because a run is single-threaded.
 */
final class UnfencedStorage extends ForwardingStorage {

    UnfencedStorage(Storage delegate) {
        super(delegate);
    }

    private long now(String store, String key) {
        return delegate.read(store, key).map(StoredRecord::revision).orElse(Storage.ABSENT);
    }

    @Override
    public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
        return delegate.write(store, key, now(store, key), write);
    }

    @Override
    public List<WriteResult> writeAll(List<KeyedWrite> writes) {
        List<KeyedWrite> forced = new ArrayList<>();
        for (KeyedWrite w : writes) {
            forced.add(new KeyedWrite(w.store(), w.key(), now(w.store(), w.key()), w.write()));
        }
        return delegate.writeAll(forced);
    }
}
