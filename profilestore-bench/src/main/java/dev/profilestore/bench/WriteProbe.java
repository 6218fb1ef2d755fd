package dev.profilestore.bench;

import dev.profilestore.SaveCause;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.WriteResult;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Diagnosis, not measurement: the latency of one writer's compare-and-sets on each backend named, alone, a plain
 * save and a save that keeps a snapshot of itself (retention included once a key has its fill of versions), so a
 * change to a write's statements can be compared build against build without the engine or a second server.
 * Run: {@code java -cp profilestore-bench.jar dev.profilestore.bench.WriteProbe postgres mariadb}.
 */
public final class WriteProbe {

    private static final int WRITES = 3000;

    private WriteProbe() {}

    /** Prints p50 and p90 per backend and kind of save, twice (the first round includes the JIT's warm-up). */
    public static void main(String[] args) {
        try (Servers servers = new Servers()) {
            for (String a : args) {
                BackendKind kind = BackendKind.parse(a);
                try (Backend backend = new Backend(kind, servers); Storage storage = backend.storage()) {
                    probe(kind, storage);
                }
            }
        }
        System.exit(0);
    }

    private static void probe(BackendKind kind, Storage storage) {
        byte[] payload = new byte[300];
        String key = "probe-" + System.nanoTime();
        long revision = written(storage.write("Probe", key, Storage.ABSENT,
                new RecordWrite(payload, Set.of(), RecordWrite.Versioning.NONE)));
        for (int round = 1; round <= 2; round++) {
            for (RecordWrite.Versioning versioning : List.of(RecordWrite.Versioning.NONE, RecordWrite.Versioning.SNAPSHOT)) {
                long[] nanos = new long[WRITES];
                for (int i = 0; i < WRITES; i++) {
                    long t0 = System.nanoTime();
                    revision = written(storage.write("Probe", key, revision,
                            new RecordWrite(payload, Set.of(), versioning, SaveCause.UNKNOWN)));
                    nanos[i] = System.nanoTime() - t0;
                }
                Arrays.sort(nanos);
                System.out.printf(Locale.ROOT, "%s round %d, %s save: p50 %.0f µs, p90 %.0f µs%n", kind.label(), round,
                        versioning == RecordWrite.Versioning.NONE ? "plain" : "snapshot", nanos[WRITES / 2] / 1e3,
                        nanos[WRITES * 9 / 10] / 1e3);
            }
        }
    }

    private static long written(WriteResult result) {
        if (result instanceof WriteResult.Written w) {
            return w.revision();
        }
        throw new IllegalStateException("a probe write conflicted: " + result);
    }
}
