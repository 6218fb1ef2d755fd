package dev.profilestore.bench;

import dev.profilestore.StorageException;
import dev.profilestore.redis.RedisOptions;
import dev.profilestore.redis.RedisStorage;
import dev.profilestore.redis.internal.RedisKeys;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.WriteResult;
import io.lettuce.core.cluster.SlotHash;
import org.HdrHistogram.Histogram;
import redis.embedded.RedisShardedCluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * What an atomic trade across Redis Cluster slots costs against one within a slot, in the same run: a real cluster of
 * three primaries (embedded redis-server 6.2, no replicas, no persistence), one {@link RedisStorage}, and in turn a
 * single-profile write, a two-profile {@code writeAll} whose profiles share a slot (one script), and two- and
 * three-profile {@code writeAll}s whose profiles live on different primaries (the two-phase commit). Each kind is
 * measured in rounds interleaved with the others, so drifts of a shared machine hit all alike.
 * Run: {@code java -cp profilestore-bench.jar dev.profilestore.bench.TradeCostProbe [samples]}.
 */
public final class TradeCostProbe {

    private static final byte[] PAYLOAD = "{\"coins\":100,\"items\":[\"sword\",\"shield\"]}".getBytes(StandardCharsets.UTF_8);

    private final RedisStorage storage;
    private final Map<String, Long> revisions = new HashMap<>();

    private TradeCostProbe(RedisStorage storage) {
        this.storage = storage;
    }

    /** Prints one line per kind of write. */
    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        RedisShardedCluster cluster = RedisShardedCluster.newRedisCluster().ephemeral().shard("a", 0).shard("b", 0)
                .shard("c", 0).initializationTimeout(Duration.ofSeconds(30)).build();
        cluster.start();
        try (RedisStorage storage = connect("redis://127.0.0.1:" + cluster.servers().get(0).ports().get(0))) {
            new TradeCostProbe(storage).run(samples);
        } finally {
            cluster.stop();
        }
        System.exit(0);
    }

    /** The cluster reports ready before every node agrees: try until a write goes through. */
    private static RedisStorage connect(String uri) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (;;) {
            try {
                RedisStorage storage = RedisStorage.connectCluster(uri, RedisOptions.defaults().withNamespace("trade-cost")
                        .withVersionsPerKey(0));
                storage.write("s", "probe", Storage.ABSENT, write());
                return storage;
            } catch (StorageException e) {
                if (System.nanoTime() > until) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private void run(int samples) {
        // The default split gives each primary a third of the slots: keys from different thirds are on different nodes.
        String a = key("a", s -> s < 5000);
        String b = key("b", s -> s > 6000 && s < 10000);
        String c = key("c", s -> s > 11500);
        String twin = key("t", s -> s == slot(a));
        Map<String, List<String>> kinds = new java.util.LinkedHashMap<>();
        kinds.put("write, one profile", List.of(a));
        kinds.put("writeAll, 2 profiles, one slot", List.of(a, twin));
        kinds.put("writeAll, 2 profiles, 2 primaries", List.of(a, b));
        kinds.put("writeAll, 3 profiles, 3 primaries", List.of(a, b, c));
        Map<String, Histogram> times = new java.util.LinkedHashMap<>();
        kinds.keySet().forEach(k -> times.put(k, Dist.histogram()));
        int warmUp = Math.max(500, samples / 5);
        for (int round = 0; round < warmUp + samples; round += 100) {
            for (var kind : kinds.entrySet()) {
                for (int i = 0; i < 100; i++) {
                    long t0 = System.nanoTime();
                    commit(kind.getValue());
                    if (round >= warmUp) {
                        Dist.record(times.get(kind.getKey()), System.nanoTime() - t0);
                    }
                }
            }
        }
        double base = Dist.of(times.get("writeAll, 2 profiles, one slot")).p50Ms();
        System.out.printf(Locale.ROOT, "%-36s %8s %8s %8s %6s%n", "kind", "p50 ms", "p90 ms", "p99 ms", "p50 ×");
        times.forEach((kind, h) -> {
            Dist d = Dist.of(h);
            System.out.printf(Locale.ROOT, "%-36s %8.3f %8.3f %8.3f %6.2f%n", kind, d.p50Ms(), d.p90Ms(), d.p99Ms(),
                    d.p50Ms() / base);
        });
    }

    private void commit(List<String> keys) {
        List<KeyedWrite> writes = new ArrayList<>();
        for (String k : keys) {
            writes.add(new KeyedWrite("s", k, revisions.getOrDefault(k, Storage.ABSENT), write()));
        }
        List<WriteResult> results = keys.size() == 1
                ? List.of(storage.write("s", keys.get(0), writes.get(0).expectedRevision(), writes.get(0).write()))
                : storage.writeAll(writes);
        for (int i = 0; i < keys.size(); i++) {
            if (!(results.get(i) instanceof WriteResult.Written w)) {
                throw new IllegalStateException("unexpected " + results.get(i) + " for " + keys.get(i));
            }
            revisions.put(keys.get(i), w.revision());
        }
    }

    private static RecordWrite write() {
        return new RecordWrite(PAYLOAD, Set.of(), RecordWrite.Versioning.NONE);
    }

    private static String key(String prefix, IntPredicate slotWanted) {
        for (int i = 0; ; i++) {
            if (slotWanted.test(slot(prefix + i))) {
                return prefix + i;
            }
        }
    }

    private static int slot(String key) {
        return SlotHash.getSlot(new RedisKeys(RedisOptions.DEFAULT_NAMESPACE).profile("s", key)[RedisKeys.RECORD]);
    }
}
