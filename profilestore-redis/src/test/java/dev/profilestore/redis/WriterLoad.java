package dev.profilestore.redis;

import dev.profilestore.StorageException;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Writer threads that keep overwriting keys {@code p0..p(n-1)} of store {@code s} with an increasing counter while
 * a test fails servers over, remembering the highest value acknowledged per key. A write whose outcome is unknown
 * (a {@link StorageException}) is simply followed by a fresh read and another write.
 */
final class WriterLoad implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WriterLoad.class);
    private static final int THREADS = 4;

    private final RedisStorage storage;
    private final int keys;
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    private final List<Throwable> unexpected = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    private final List<Future<?>> running = new ArrayList<>();

    /** Starts writing and returns once every key was acknowledged once. */
    WriterLoad(RedisStorage storage, int keys) {
        this.storage = storage;
        this.keys = keys;
        for (int t = 0; t < THREADS; t++) {
            int first = t;
            running.add(threads.submit(() -> {
                long n = 0;
                while (!stop.get()) {
                    for (int k = first; k < keys; k += THREADS) {
                        try {
                            save(storage, key(k), ++n, acked);
                        } catch (StorageException unknownOutcome) {
                            LOG.debug("{} during the failover: {}", key(k), unknownOutcome.getMessage());
                        } catch (RuntimeException | AssertionError e) {
                            unexpected.add(e);
                        }
                    }
                }
            }));
        }
        await("every key written once").atMost(Duration.ofSeconds(20)).until(() -> acked.size() == keys);
    }

    static String key(int k) {
        return "p" + k;
    }

    /** The highest value acknowledged so far, per key. */
    Map<String, Long> acknowledged() {
        return Map.copyOf(acked);
    }

    /** Waits until every key has an acknowledged write newer than in {@code before}. */
    void awaitEveryKeyWrittenAfter(Map<String, Long> before, Duration atMost) {
        await("every key written again").atMost(atMost).pollInterval(Duration.ofMillis(50))
                .until(() -> before.entrySet().stream().allMatch(e -> acked.get(e.getKey()) > e.getValue()));
    }

    /** Stops the writers, then checks that only StorageExceptions happened and every key holds its last acknowledged write or later. */
    void stopAndCheckNothingAcknowledgedWasLost() throws Exception {
        stop.set(true);
        for (Future<?> f : running) {
            f.get(30, TimeUnit.SECONDS);
        }
        assertThat(unexpected).as("only StorageExceptions while a primary is down").isEmpty();
        for (int k = 0; k < keys; k++) {
            StoredRecord r = storage.read("s", key(k)).orElseThrow();
            assertThat(Long.parseLong(new String(r.payload(), StandardCharsets.UTF_8)))
                    .as("%s holds its last acknowledged write or a later one", key(k))
                    .isGreaterThanOrEqualTo(acked.get(key(k)));
        }
    }

    /** Writes {@code value} over whatever {@code key} holds; records it in {@code acked} once acknowledged. */
    static void save(RedisStorage storage, String key, long value, Map<String, Long> acked) {
        Optional<StoredRecord> current = storage.read("s", key);
        long expected = current.map(StoredRecord::revision).orElse(Storage.ABSENT);
        WriteResult r = storage.write("s", key, expected, new RecordWrite(
                Long.toString(value).getBytes(StandardCharsets.UTF_8), Set.of(), RecordWrite.Versioning.NONE));
        if (r instanceof WriteResult.Written) {
            acked.merge(key, value, Math::max);
        }
    }

    @Override
    public void close() {
        stop.set(true);
        threads.shutdownNow();
    }
}
