package dev.profilestore.testkit.sim;

import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * TEST ONLY, deliberately broken ({@link SimConfig.Mutation#NEWER_FORMAT_READ_AS_FOREIGN}): shows the engine a
 * record of a newer library's layout with its format marker renamed, so the engine takes it for a foreign value
 * and replaces it, as the engine before issue 9 did with every unknown format. Writes pass through unchanged. The
 * checker must find {@link Invariant#NEWER_FORMAT_REPLACED}.
 */
final class NewerFormatHidingStorage extends ForwardingStorage {

    private static final String MARKER = "\"format\":\"" + Checker.NEWER + "\"";

    NewerFormatHidingStorage(Storage delegate) {
        super(delegate);
    }

    @Override
    public Optional<StoredRecord> read(String store, String key) {
        return delegate.read(store, key).map(r -> {
            String text = new String(r.payload(), StandardCharsets.UTF_8);
            if (!text.contains(MARKER)) {
                return r;
            }
            byte[] hidden = text.replace(MARKER, "\"format\":\"someone-else/2\"").getBytes(StandardCharsets.UTF_8);
            return new StoredRecord(r.revision(), hidden, r.createdAt(), r.updatedAt());
        });
    }
}
