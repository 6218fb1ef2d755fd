package dev.profilestore.testkit.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;

import java.io.IOException;
import java.util.Optional;
import java.util.Random;

/**
 * TEST ONLY, deliberately broken ({@link SimConfig.Mutation#ACK_WITHOUT_WRITE}): now and then drops an
 * ordinary save of a session (its lock unchanged, no version kept) and answers {@code Written} with the
 * record's current revision, as an engine that acknowledges a save it never wrote would look from
 * outside. The checker must find {@link Invariant#ACKED_NOT_DURABLE} (or {@link Invariant#ACKED_SAVE_LOST}).
 */
final class AckWithoutWriteStorage extends ForwardingStorage {

    private final Random random;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Trace trace;

    AckWithoutWriteStorage(Storage delegate, Random random, Trace trace) {
        super(delegate);
        this.random = random;
        this.trace = trace;
    }

    @Override
    public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
        boolean drop = random.nextInt(4) == 0;
        Optional<StoredRecord> current = delegate.read(store, key);
        if (drop && write.versioning() == RecordWrite.Versioning.NONE && current.isPresent()
                && current.get().revision() == expectedRevision && sameLock(current.get().payload(), write.payload())) {
            trace.add("MUTATION: a save of " + key + " dropped and answered as written");
            return new WriteResult.Written(expectedRevision, current.get().updatedAt());
        }
        return delegate.write(store, key, expectedRevision, write);
    }

    private boolean sameLock(byte[] before, byte[] after) {
        try {
            JsonNode a = mapper.readTree(before).path("meta").path("lock");
            JsonNode b = mapper.readTree(after).path("meta").path("lock");
            return a.isObject() && a.equals(b);
        } catch (IOException e) {
            return false;
        }
    }
}
