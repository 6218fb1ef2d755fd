package dev.profilestore.sqlite;

import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;

/**
 * A separate JVM for {@link SqliteTwoInstancesTest}: increments the counter at store "s", key "counter" of the
 * database given as the first argument, as many times as the second argument says, by compare-and-set.
 */
final class IncrementingProcess {

    private IncrementingProcess() {}

    /** Runs the increments; exits 0 when all were applied. */
    public static void main(String[] args) {
        try (Storage storage = SqliteStorage.open(Path.of(args[0]))) {
            increment(storage, Integer.parseInt(args[1]));
        }
    }

    static void increment(Storage storage, int times) {
        StoredRecord record = storage.read("s", "counter").orElseThrow();
        for (int done = 0; done < times; ) {
            long next = Long.parseLong(new String(record.payload(), StandardCharsets.UTF_8)) + 1;
            WriteResult result = storage.write("s", "counter", record.revision(), new RecordWrite(
                    Long.toString(next).getBytes(StandardCharsets.UTF_8), Set.of(), RecordWrite.Versioning.NONE));
            if (result instanceof WriteResult.Conflict conflict) {
                record = conflict.current().orElseThrow();
            } else {
                done++;
                record = storage.read("s", "counter").orElseThrow();
            }
        }
    }
}
