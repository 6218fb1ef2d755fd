package dev.profilestore.redis;

import dev.profilestore.StorageException;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trades across Cluster slots on a real Redis Cluster, at random: threads trade coins between random profiles (two or
 * three at a time, each trade moving coins so that their sum is conserved and tagging every participant with the
 * trade's id), coordinators die at random after their prewrite or after their commit point, and a reader thread
 * keeps reading (so resolving) profiles meanwhile. Afterwards, with every profile read: the sum of coins is what it
 * was, every trade is on all of its participants or on none, a trade that reported success or passed its commit
 * point is on all of them, one that reported a conflict or died before its commit point on none, and no intent is
 * left.
 *
 * <p>2 seeds of 120 trades by default; {@code -Dprofilestore.tradeTorture.seeds=N}, {@code ...trades=M} and
 * {@code ...seed=S} (the first seed) for longer runs. The seed is in every failure's message.
 */
abstract class ClusterTradeTorture {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterTradeTorture.class);
    private static final int PROFILES = 8;
    private static final int THREADS = 4;
    private static final long START_COINS = 100;
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    /** An abandoned intent blocks its profiles for two command timeouts: short, so the run stays short. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(150);

    /** The cluster's shared client. */
    protected abstract RedisBackend backend();

    /** The cluster, to look for intents left behind. */
    protected abstract TestRedisCluster cluster();

    enum Expect { APPLIED, NOT_APPLIED, UNKNOWN }

    /** A trade done, and what it must have done. */
    record Trade(String id, List<String> keys, Expect expect) {}

    @Test
    void tradesWithCrashedCoordinators_conserveCoins_andNeverTear() throws Exception {
        int seeds = Integer.getInteger("profilestore.tradeTorture.seeds", 2);
        int trades = Integer.getInteger("profilestore.tradeTorture.trades", 120);
        long first = Long.getLong("profilestore.tradeTorture.seed", new SecureRandom().nextLong());
        for (int i = 0; i < seeds; i++) {
            run(first + i, trades);
        }
    }

    private void run(long seed, int trades) throws Exception {
        String namespace = "torture" + NAMESPACES.incrementAndGet();
        String seedNote = "seed " + seed + " (-Dprofilestore.tradeTorture.seed=" + seed + ")";
        try (RedisStorage storage = backend().newStorage(RedisOptions.defaults().withNamespace(namespace)
                .withVersionsPerKey(2).withCommandTimeout(COMMAND_TIMEOUT), null)) {
            createProfiles(storage);
            List<Trade> done = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean writing = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    Random random = new Random(seed * 31 + t);
                    int mine = trades / THREADS + (t < trades % THREADS ? 1 : 0);
                    String prefix = "T" + t + "-";
                    workers.add(pool.submit(() -> {
                        for (int n = 0; n < mine; n++) {
                            done.add(trade(storage, random, prefix + n, true));
                        }
                        return null;
                    }));
                }
                Random readerRandom = new Random(seed * 31 + THREADS);
                Future<?> reader = pool.submit(() -> {
                    while (writing.get()) {
                        storage.read("s", "p" + readerRandom.nextInt(PROFILES));
                    }
                    return null;
                });
                for (Future<?> w : workers) {
                    w.get(5, TimeUnit.MINUTES);
                }
                writing.set(false);
                reader.get(1, TimeUnit.MINUTES);
            } finally {
                pool.shutdownNow();
            }
            check(storage, done, namespace, seedNote, cluster());
        }
    }

    /** The profiles trades run between, each with {@value #START_COINS} coins. */
    static void createProfiles(RedisStorage storage) {
        for (int p = 0; p < PROFILES; p++) {
            storage.write("s", "p" + p, Storage.ABSENT, payload(START_COINS, List.of()));
        }
    }

    /**
     * One trade between two or three random profiles, its coordinator dying now and then when {@code crashes}; what
     * it must have done, by how it ended.
     */
    static Trade trade(RedisStorage storage, Random random, String id, boolean crashes) {
        List<String> keys = new ArrayList<>(pick(random, 2 + random.nextInt(2)));
        List<KeyedWrite> writes = new ArrayList<>();
        long moved = 0;
        for (int i = 0; i < keys.size(); i++) {
            StoredRecord r;
            try {
                r = storage.read("s", keys.get(i)).orElseThrow();
            } catch (StorageException e) {
                return new Trade(id, keys, Expect.NOT_APPLIED); // not attempted: a node is down
            }
            Parsed p = parse(r);
            // The first participant pays what the others get.
            long delta = i == 0 ? 0 : random.nextInt(20);
            moved += delta;
            List<String> ids = new ArrayList<>(p.trades());
            ids.add(id);
            writes.add(new KeyedWrite("s", keys.get(i), r.revision(), payload(p.coins() + delta, ids)));
        }
        Parsed payer = parse(writes.get(0).write().payload());
        writes.set(0, new KeyedWrite("s", keys.get(0), writes.get(0).expectedRevision(),
                payload(payer.coins() - moved, payer.trades())));
        int crash = crashes ? random.nextInt(16) : -1;
        ClusterCommit.Stop stop = crash == 0 ? ClusterCommit.Stop.AFTER_PREWRITE
                : crash == 1 ? ClusterCommit.Stop.AFTER_COMMIT_POINT : null;
        try {
            List<WriteResult> results = storage.writeAllStopping(writes, stop);
            if (results == null) {
                return new Trade(id, keys, stop == ClusterCommit.Stop.AFTER_COMMIT_POINT ? Expect.APPLIED : Expect.NOT_APPLIED);
            }
            if (results.stream().allMatch(r -> r instanceof WriteResult.Written)) {
                return new Trade(id, keys, Expect.APPLIED);
            }
            assertThat(results).as("trade %s: all written or all conflicts", id).allMatch(r -> r instanceof WriteResult.Conflict);
            return new Trade(id, keys, Expect.NOT_APPLIED);
        } catch (StorageException e) {
            return new Trade(id, keys, Expect.UNKNOWN);
        }
    }

    /**
     * Reads every profile (resolving what is left) and checks the coins' sum, that each trade is on all of its profiles
     * or none, as its outcome says, and that no intent is left.
     */
    static void check(RedisStorage storage, List<Trade> trades, String namespace, String seedNote, TestRedisCluster cluster) {
        Map<String, Set<String>> tradesOf = new HashMap<>();
        long sum = 0;
        for (int p = 0; p < PROFILES; p++) {
            Parsed parsed = parse(storage.read("s", "p" + p).orElseThrow());
            sum += parsed.coins();
            tradesOf.put("p" + p, Set.copyOf(parsed.trades()));
        }
        assertThat(sum).as("coins conserved, " + seedNote).isEqualTo(START_COINS * PROFILES);
        int applied = 0;
        for (Trade t : trades) {
            long on = t.keys().stream().filter(k -> tradesOf.get(k).contains(t.id())).count();
            assertThat(on).as("trade %s on %s: all or none, %s", t.id(), t.keys(), seedNote).isIn(0L, (long) t.keys().size());
            if (t.expect() != Expect.UNKNOWN) {
                assertThat(on > 0).as("trade %s expected %s, %s", t.id(), t.expect(), seedNote)
                        .isEqualTo(t.expect() == Expect.APPLIED);
            }
            applied += on > 0 ? 1 : 0;
        }
        assertThat(applied).as("some trades landed, " + seedNote).isPositive();
        LOG.info("{}: {} trades, {} landed; expected applied {}, not applied {}, unknown {}", seedNote, trades.size(), applied,
                trades.stream().filter(t -> t.expect() == Expect.APPLIED).count(),
                trades.stream().filter(t -> t.expect() == Expect.NOT_APPLIED).count(),
                trades.stream().filter(t -> t.expect() == Expect.UNKNOWN).count());
        long intents = 0;
        for (int port : cluster.ports()) {
            if (cluster.admin(port).info("replication").contains("role:master")) {
                intents += cluster.admin(port).keys(namespace + ":*}:t").size();
            }
        }
        assertThat(intents).as("intents left after every profile was read, " + seedNote).isZero();
    }

    private static Set<String> pick(Random random, int n) {
        Set<String> keys = new LinkedHashSet<>();
        while (keys.size() < n) {
            keys.add("p" + random.nextInt(PROFILES));
        }
        return keys;
    }

    private record Parsed(long coins, List<String> trades) {}

    private static RecordWrite payload(long coins, List<String> trades) {
        return new RecordWrite((coins + "|" + String.join(",", trades)).getBytes(StandardCharsets.UTF_8), Set.of(),
                RecordWrite.Versioning.NONE);
    }

    private static Parsed parse(StoredRecord r) {
        return parse(r.payload());
    }

    private static Parsed parse(byte[] payload) {
        String[] f = new String(payload, StandardCharsets.UTF_8).split("\\|", 2);
        return new Parsed(Long.parseLong(f[0]), f[1].isEmpty() ? List.of() : List.of(f[1].split(",")));
    }
}
