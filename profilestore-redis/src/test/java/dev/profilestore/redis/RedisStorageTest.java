package dev.profilestore.redis;

import dev.profilestore.StorageException;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.RecordWrite.Versioning;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.WriteResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The Storage contract, checked against a real redis-server. */
class RedisStorageTest {

    private static final AtomicInteger STORES = new AtomicInteger();
    private static TestRedis redis;
    private static RedisStorage storage;

    private String store;

    @BeforeAll
    static void startRedis() {
        redis = TestRedis.ephemeral();
        storage = RedisStorage.connect(redis.uri(), RedisOptions.defaults().withVersionsPerKey(5));
    }

    @AfterAll
    static void stopRedis() {
        if (storage != null) {
            storage.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void freshStore(TestInfo test) {
        store = "S" + STORES.incrementAndGet() + "-" + test.getTestMethod().orElseThrow().getName();
        store = store.substring(0, Math.min(40, store.length()));
    }

    static RecordWrite rw(String payload, Versioning versioning, Long... userIds) {
        return new RecordWrite(bytes(payload), Set.of(userIds), versioning);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static long written(WriteResult r) {
        assertThat(r).isInstanceOf(WriteResult.Written.class);
        return ((WriteResult.Written) r).revision();
    }

    static Optional<StoredRecord> conflict(WriteResult r) {
        assertThat(r).isInstanceOf(WriteResult.Conflict.class);
        return ((WriteResult.Conflict) r).current();
    }

    @Test
    void readOfAKeyNeverWrittenIsEmpty() {
        assertThat(storage.read(store, "nobody")).isEmpty();
    }

    @Test
    void createWithAbsentThenReadReturnsTheExactPayloadAndRevision() {
        WriteResult r = storage.write(store, "k", Storage.ABSENT, rw("{\"cash\":1}", Versioning.NONE));
        long rev = written(r);
        assertThat(rev).isPositive();
        StoredRecord rec = storage.read(store, "k").orElseThrow();
        assertThat(rec.revision()).isEqualTo(rev);
        assertThat(rec.payload()).isEqualTo(bytes("{\"cash\":1}"));
        assertThat(rec.updatedAt()).isEqualTo(((WriteResult.Written) r).updatedAt());
        assertThat(rec.createdAt()).isEqualTo(rec.updatedAt());
        assertThat(rec.updatedAt()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(60));
    }

    @Test
    void createWhenARecordExistsConflictsAndReturnsTheCurrentRecord() {
        long rev = written(storage.write(store, "k", Storage.ABSENT, rw("first", Versioning.NONE)));
        StoredRecord current = conflict(storage.write(store, "k", Storage.ABSENT, rw("second", Versioning.NONE)))
                .orElseThrow();
        assertThat(current.revision()).isEqualTo(rev);
        assertThat(current.payload()).isEqualTo(bytes("first"));
        assertThat(storage.read(store, "k").orElseThrow().payload()).isEqualTo(bytes("first"));
    }

    @Test
    void updateWithAStaleRevisionConflictsWithoutWritingAndReturnsTheCurrentRecord() {
        long r1 = written(storage.write(store, "k", Storage.ABSENT, rw("v1", Versioning.NONE)));
        long r2 = written(storage.write(store, "k", r1, rw("v2", Versioning.NONE)));
        StoredRecord current = conflict(storage.write(store, "k", r1, rw("stale", Versioning.SNAPSHOT))).orElseThrow();
        assertThat(current.revision()).isEqualTo(r2);
        assertThat(current.payload()).isEqualTo(bytes("v2"));
        assertThat(storage.read(store, "k").orElseThrow().payload()).isEqualTo(bytes("v2"));
        assertThat(storage.versions(store, "k", VersionRange.all(10))).isEmpty();
    }

    @Test
    void updateOfAMissingRecordConflictsWithAnEmptyCurrent() {
        assertThat(conflict(storage.write(store, "ghost", 12345, rw("x", Versioning.NONE)))).isEmpty();
        assertThat(storage.read(store, "ghost")).isEmpty();
    }

    @Test
    void updateWithTheCurrentRevisionReplacesKeepsCreatedAtAndRaisesTheRevision() {
        long r1 = written(storage.write(store, "k", Storage.ABSENT, rw("v1", Versioning.NONE)));
        StoredRecord first = storage.read(store, "k").orElseThrow();
        long r2 = written(storage.write(store, "k", r1, rw("v2", Versioning.NONE)));
        StoredRecord second = storage.read(store, "k").orElseThrow();
        assertThat(r2).isGreaterThan(r1);
        assertThat(second.payload()).isEqualTo(bytes("v2"));
        assertThat(second.createdAt()).isEqualTo(first.createdAt());
        assertThat(second.updatedAt()).isAfterOrEqualTo(first.updatedAt());
    }

    @Test
    void revisionsNeverRepeatAfterRemoveAndRecreate() {
        Set<Long> seen = new HashSet<>();
        long rev = written(storage.write(store, "k", Storage.ABSENT, rw("a", Versioning.NONE)));
        seen.add(rev);
        for (int i = 0; i < 20; i++) {
            assertThat(storage.remove(store, "k", rev)).isTrue();
            long again = written(storage.write(store, "k", Storage.ABSENT, rw("b" + i, Versioning.NONE)));
            assertThat(seen.add(again)).as("revision %d repeated", again).isTrue();
            assertThat(again).isGreaterThan(rev);
            // The revision a holder had before the removal must not match the re-created record.
            assertThat(conflict(storage.write(store, "k", rev, rw("stale", Versioning.NONE)))).isPresent();
            rev = again;
        }
    }

    @Test
    void revisionsNeverRepeatAfterPurgeAndRecreate() {
        long rev = written(storage.write(store, "k", Storage.ABSENT, rw("a", Versioning.NONE)));
        for (int i = 0; i < 10; i++) {
            rev = written(storage.write(store, "k", rev, rw("a" + i, Versioning.NONE)));
        }
        storage.purge(store, "k");
        long after = written(storage.write(store, "k", Storage.ABSENT, rw("b", Versioning.NONE)));
        assertThat(after).isGreaterThan(rev);
        assertThat(conflict(storage.write(store, "k", rev, rw("stale", Versioning.NONE)))).isPresent();
    }

    @Test
    void revisionsAfterPurgeExceedEarlierOnesEvenWhenTheServerClockIsBehindThem() {
        // Revisions issued while Redis's clock ran about 11 days ahead (or stepped back since): the key's
        // sequence is far beyond the clock. Purge erases the sequence; the slot's floor must still carry it.
        long rev = written(storage.write(store, "k", Storage.ABSENT, rw("a", Versioning.NONE)));
        String sequence = "profilestore:{" + store + ":k}:n";
        redis.admin().set(sequence, Long.toString(rev + 1_000_000_000_000L));
        long ahead = written(storage.write(store, "k", rev, rw("ahead", Versioning.NONE)));
        assertThat(ahead).isGreaterThan(rev + 1_000_000_000_000L);

        storage.purge(store, "k");
        assertThat(redis.admin().exists(sequence)).as("purge erases the key's own sequence").isZero();
        long after = written(storage.write(store, "k", Storage.ABSENT, rw("b", Versioning.NONE)));

        assertThat(after).isGreaterThan(ahead);
        assertThat(redis.admin().keys("profilestore:floor:*")).as("floors name no profile")
                .allSatisfy(k -> assertThat(k).doesNotContain(store));
    }

    @Test
    void removeReportsWhetherARecordExistedAndKeepsTheVersions() {
        assertThat(storage.remove(store, "k", 1L)).isFalse();
        long rev = written(storage.write(store, "k", Storage.ABSENT, rw("v1", Versioning.SNAPSHOT, 7L)));
        assertThat(storage.remove(store, "k", rev + 1)).as("another revision").isFalse();
        assertThat(storage.remove(store, "k", rev)).isTrue();
        assertThat(storage.remove(store, "k", rev)).isFalse();
        assertThat(storage.read(store, "k")).isEmpty();
        List<VersionInfo> versions = storage.versions(store, "k", VersionRange.all(10));
        assertThat(versions).extracting(VersionInfo::revision).containsExactly(rev);
        assertThat(storage.readVersion(store, "k", versions.get(0).versionId()).orElseThrow().payload())
                .isEqualTo(bytes("v1"));
        assertThat(storage.keysByUserId(store, 7L)).containsExactly("k");
    }

    @Test
    void snapshotKeepsTheWrittenRecordAsAReadableVersion() {
        long r1 = written(storage.write(store, "k", Storage.ABSENT, rw("v1", Versioning.SNAPSHOT)));
        long r2 = written(storage.write(store, "k", r1, rw("v2", Versioning.NONE)));
        long r3 = written(storage.write(store, "k", r2, rw("v3", Versioning.SNAPSHOT)));
        List<VersionInfo> versions = storage.versions(store, "k", VersionRange.all(10));
        assertThat(versions).extracting(VersionInfo::revision).containsExactly(r1, r3);
        StoredRecord v1 = storage.readVersion(store, "k", versions.get(0).versionId()).orElseThrow();
        assertThat(v1.revision()).isEqualTo(r1);
        assertThat(v1.payload()).isEqualTo(bytes("v1"));
        StoredRecord current = storage.read(store, "k").orElseThrow();
        StoredRecord v3 = storage.readVersion(store, "k", versions.get(1).versionId()).orElseThrow();
        assertThat(v3.payload()).isEqualTo(bytes("v3"));
        assertThat(v3.createdAt()).isEqualTo(current.createdAt());
        assertThat(v3.updatedAt()).isEqualTo(current.updatedAt());
        assertThat(versions.get(1).savedAt()).isEqualTo(current.updatedAt());
    }

    @Test
    void preservePreviousKeepsTheReplacedRecordNotTheNewOne() {
        long r1 = written(storage.write(store, "k", Storage.ABSENT, rw("foreign value", Versioning.PRESERVE_PREVIOUS)));
        assertThat(storage.versions(store, "k", VersionRange.all(10))).as("nothing to preserve on create").isEmpty();
        long r2 = written(storage.write(store, "k", r1, rw("replacement", Versioning.PRESERVE_PREVIOUS)));
        List<VersionInfo> versions = storage.versions(store, "k", VersionRange.all(10));
        assertThat(versions).extracting(VersionInfo::revision).containsExactly(r1);
        assertThat(storage.readVersion(store, "k", versions.get(0).versionId()).orElseThrow().payload())
                .isEqualTo(bytes("foreign value"));
        assertThat(storage.read(store, "k").orElseThrow().revision()).isEqualTo(r2);
    }

    @Test
    void preservingARecordAlreadySnapshottedKeepsOneVersionOfIt() {
        long r1 = written(storage.write(store, "k", Storage.ABSENT, rw("v1", Versioning.SNAPSHOT)));
        written(storage.write(store, "k", r1, rw("v2", Versioning.PRESERVE_PREVIOUS)));
        assertThat(storage.versions(store, "k", VersionRange.all(10))).extracting(VersionInfo::revision)
                .containsExactly(r1);
    }

    @Test
    void versionsAreCappedAtTheRetentionDroppingTheOldest() {
        // The storage of this class keeps 5 versions per key.
        List<Long> revs = new ArrayList<>();
        long rev = Storage.ABSENT;
        for (int i = 0; i < 8; i++) {
            rev = written(storage.write(store, "k", rev, rw("v" + i, Versioning.SNAPSHOT)));
            revs.add(rev);
        }
        List<VersionInfo> versions = storage.versions(store, "k", VersionRange.all(100));
        assertThat(versions).extracting(VersionInfo::revision).containsExactlyElementsOf(revs.subList(3, 8));
        assertThat(storage.readVersion(store, "k", Long.toString(revs.get(2)))).as("dropped version").isEmpty();
        assertThat(storage.readVersion(store, "k", Long.toString(revs.get(3))).orElseThrow().payload())
                .isEqualTo(bytes("v3"));
        Long bodies = redis.admin().hlen("profilestore:{" + store + ":k}:vh");
        assertThat(bodies).as("bodies of dropped versions are deleted too: three fields (body, times, cause) for each of five")
                .isEqualTo(15L);
    }

    @Test
    void versionsListInTimeOrderBothWaysWithLimitAndInclusiveTimeRange() {
        List<VersionInfo> all = new ArrayList<>();
        long rev = Storage.ABSENT;
        for (int i = 0; i < 4; i++) {
            rev = written(storage.write(store, "k", rev, rw("v" + i, Versioning.SNAPSHOT)));
        }
        all.addAll(storage.versions(store, "k", VersionRange.all(10)));
        assertThat(all).hasSize(4);
        assertThat(all).extracting(VersionInfo::savedAt).isSorted();
        assertThat(all).extracting(VersionInfo::revision).isSorted();

        List<VersionInfo> newest = storage.versions(store, "k", new VersionRange(null, null, true, 10));
        assertThat(newest).containsExactlyElementsOf(all.reversed());
        assertThat(storage.versions(store, "k", new VersionRange(null, null, true, 2)))
                .containsExactly(all.get(3), all.get(2));
        assertThat(storage.versions(store, "k", VersionRange.all(2))).containsExactly(all.get(0), all.get(1));

        Instant from = all.get(1).savedAt();
        Instant to = all.get(2).savedAt();
        assertThat(storage.versions(store, "k", new VersionRange(from, to, false, 10)))
                .containsExactly(all.get(1), all.get(2));
        assertThat(storage.versions(store, "k", new VersionRange(from.plusNanos(1), null, false, 10)))
                .doesNotContain(all.get(1)).contains(all.get(2), all.get(3));
        assertThat(storage.versions(store, "k", new VersionRange(null, to.minusNanos(1), true, 10)))
                .containsExactly(all.get(1), all.get(0));
    }

    @Test
    void readVersionOfAnUnknownOrMalformedIdIsEmpty() {
        written(storage.write(store, "k", Storage.ABSENT, rw("v", Versioning.SNAPSHOT)));
        assertThat(storage.readVersion(store, "k", "1")).isEmpty();
        assertThat(storage.readVersion(store, "k", "not-a-version")).isEmpty();
        assertThat(storage.readVersion(store, "k", "")).isEmpty();
        assertThat(storage.readVersion(store, "other", "1")).isEmpty();
    }

    @Test
    void purgeErasesTheRecordItsVersionsAndItsIndexEntries() {
        long r1 = written(storage.write(store, "k", Storage.ABSENT, rw("v1", Versioning.SNAPSHOT, 42L)));
        written(storage.write(store, "k", r1, rw("v2", Versioning.SNAPSHOT, 42L)));
        written(storage.write(store, "other", Storage.ABSENT, rw("o", Versioning.NONE, 42L)));
        storage.purge(store, "k");
        assertThat(storage.read(store, "k")).isEmpty();
        assertThat(storage.versions(store, "k", VersionRange.all(10))).isEmpty();
        assertThat(storage.readVersion(store, "k", Long.toString(r1))).isEmpty();
        assertThat(storage.keysByUserId(store, 42L)).containsExactly("other");
        assertThat(storage.listKeys(store, null, 10)).containsExactly("other");
        assertThat(redis.admin().keys("profilestore:{" + store + ":k}*")).as("no key of the profile is left").isEmpty();
        assertThat(redis.admin().smembers("profilestore:{" + store + "}:uid:42")).containsExactly("other");
        storage.purge(store, "never-written");
    }

    @Test
    void keysByUserIdFindsCurrentRecordsAndSavedVersionsOnly() {
        written(storage.write(store, "a", Storage.ABSENT, rw("a", Versioning.NONE, 1L, 2L)));
        long b1 = written(storage.write(store, "b", Storage.ABSENT, rw("b", Versioning.SNAPSHOT, 1L)));
        // b drops user 1 from its current record, but a saved version still names it.
        written(storage.write(store, "b", b1, rw("b2", Versioning.NONE, 3L)));
        // c drops user 1 and its versions never named it.
        long c1 = written(storage.write(store, "c", Storage.ABSENT, rw("c", Versioning.NONE, 1L)));
        written(storage.write(store, "c", c1, rw("c2", Versioning.NONE)));
        written(storage.write(store + "x", "elsewhere", Storage.ABSENT, rw("x", Versioning.NONE, 1L)));

        assertThat(storage.keysByUserId(store, 1L)).containsExactly("a", "b");
        assertThat(storage.keysByUserId(store, 2L)).containsExactly("a");
        assertThat(storage.keysByUserId(store, 3L)).containsExactly("b");
        assertThat(storage.keysByUserId(store, 99L)).isEmpty();
    }

    @Test
    void keysByUserIdForgetsAUserOnceTheirLastVersionIsDroppedByRetention() {
        long rev = written(storage.write(store, "k", Storage.ABSENT, rw("v", Versioning.SNAPSHOT, 5L)));
        for (int i = 0; i < 5; i++) {
            rev = written(storage.write(store, "k", rev, rw("w" + i, Versioning.SNAPSHOT, 6L)));
        }
        assertThat(storage.keysByUserId(store, 5L)).isEmpty();
        assertThat(storage.keysByUserId(store, 6L)).containsExactly("k");
    }

    @Test
    void listKeysPagesInAscendingOrderAfterTheGivenKeyAndSkipsRemovedKeys() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            names.add(String.format("player_%03d", i));
        }
        for (String n : names.reversed()) {
            written(storage.write(store, n, Storage.ABSENT, rw(n, Versioning.NONE)));
        }
        storage.remove(store, "player_010", storage.read(store, "player_010").orElseThrow().revision());
        storage.purge(store, "player_011");
        List<String> expected = new ArrayList<>(names);
        expected.remove("player_010");
        expected.remove("player_011");

        List<String> paged = new ArrayList<>();
        String after = null;
        while (true) {
            List<String> page = storage.listKeys(store, after, 7);
            assertThat(page.size()).isLessThanOrEqualTo(7);
            if (page.isEmpty()) {
                break;
            }
            paged.addAll(page);
            after = page.getLast();
        }
        assertThat(paged).containsExactlyElementsOf(expected);
        assertThat(storage.listKeys(store, "player_009", 2)).containsExactly("player_012", "player_013");
        assertThat(storage.listKeys(store, "player_0095", 1)).containsExactly("player_012");
        assertThat(storage.listKeys(store, null, 0)).isEmpty();
        assertThat(storage.listKeys("no-such-store", null, 10)).isEmpty();
    }

    @Test
    void listKeysSkipsLongRunsOfRemovedKeysAcrossInternalBatches() {
        for (int i = 0; i < 500; i++) {
            String k = String.format("k%04d", i);
            long rev = written(storage.write(store, k, Storage.ABSENT, rw("x", Versioning.NONE)));
            if (i != 0 && i != 499) {
                storage.remove(store, k, rev);
            }
        }
        assertThat(storage.listKeys(store, null, 5)).containsExactly("k0000", "k0499");
        assertThat(storage.listKeys(store, "k0000", 1)).containsExactly("k0499");
    }

    @Test
    void namesWithBracesColonsAndPercentSignsDoNotCollide() {
        written(storage.write("a:b", "c", Storage.ABSENT, rw("one", Versioning.NONE)));
        written(storage.write("a", "b:c", Storage.ABSENT, rw("two", Versioning.NONE)));
        written(storage.write(store, "{x}", Storage.ABSENT, rw("three", Versioning.NONE)));
        written(storage.write(store, "%7Bx%7D", Storage.ABSENT, rw("four", Versioning.NONE)));
        written(storage.write(store, "ünï😀", Storage.ABSENT, rw("five", Versioning.NONE)));
        assertThat(storage.read("a:b", "c").orElseThrow().payload()).isEqualTo(bytes("one"));
        assertThat(storage.read("a", "b:c").orElseThrow().payload()).isEqualTo(bytes("two"));
        assertThat(storage.read(store, "{x}").orElseThrow().payload()).isEqualTo(bytes("three"));
        assertThat(storage.read(store, "%7Bx%7D").orElseThrow().payload()).isEqualTo(bytes("four"));
        assertThat(storage.read(store, "ünï😀").orElseThrow().payload()).isEqualTo(bytes("five"));
        assertThat(storage.listKeys(store, null, 10)).containsExactly("%7Bx%7D", "{x}", "ünï😀");
    }

    @Test
    void payloadsRoundTripByteForByteIncludingEveryByteValueAndOneMegabyte() {
        byte[] allBytes = new byte[256 * 4];
        for (int i = 0; i < allBytes.length; i++) {
            allBytes[i] = (byte) i;
        }
        long r1 = written(storage.write(store, "bin", Storage.ABSENT,
                new RecordWrite(allBytes, Set.of(), Versioning.SNAPSHOT)));
        assertThat(storage.read(store, "bin").orElseThrow().payload()).isEqualTo(allBytes);
        assertThat(storage.readVersion(store, "bin", Long.toString(r1)).orElseThrow().payload()).isEqualTo(allBytes);

        byte[] big = new byte[1024 * 1024 + 17];
        new Random(7).nextBytes(big);
        long r2 = written(storage.write(store, "bin", r1, new RecordWrite(big, Set.of(), Versioning.PRESERVE_PREVIOUS)));
        assertThat(storage.read(store, "bin").orElseThrow().payload()).isEqualTo(big);
        StoredRecord conflictWithBig = conflict(storage.write(store, "bin", r1, rw("x", Versioning.NONE))).orElseThrow();
        assertThat(conflictWithBig.revision()).isEqualTo(r2);
        assertThat(conflictWithBig.payload()).isEqualTo(big);

        byte[] empty = new byte[0];
        written(storage.write(store, "bin", r2, new RecordWrite(empty, Set.of(), Versioning.NONE)));
        assertThat(storage.read(store, "bin").orElseThrow().payload()).isEmpty();
    }

    @Test
    void concurrentCompareAndSetIncrementsLoseNoUpdate() throws Exception {
        written(storage.write(store, "counter", Storage.ABSENT, rw("0", Versioning.NONE)));
        int threads = 8;
        int perThread = 40;
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                tasks.add(() -> {
                    for (int i = 0; i < perThread; i++) {
                        StoredRecord cur = storage.read(store, "counter").orElseThrow();
                        while (true) {
                            int next = Integer.parseInt(new String(cur.payload(), StandardCharsets.UTF_8)) + 1;
                            WriteResult r = storage.write(store, "counter", cur.revision(),
                                    rw(Integer.toString(next), Versioning.NONE));
                            if (r instanceof WriteResult.Conflict c) {
                                conflicts.incrementAndGet();
                                cur = c.current().orElseThrow();
                            } else {
                                break;
                            }
                        }
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(new String(storage.read(store, "counter").orElseThrow().payload(), StandardCharsets.UTF_8))
                .isEqualTo(Integer.toString(threads * perThread));
        assertThat(conflicts.get()).as("the threads really contended").isPositive();
    }

    @Test
    void writeAllAppliesEveryWriteOrNoneOnAConflict() {
        assertThat(storage.capabilities().atomicMultiWrite()).isTrue();
        long a = written(storage.write(store, "a", Storage.ABSENT, rw("a0", Versioning.NONE)));
        long b = written(storage.write(store, "b", Storage.ABSENT, rw("b0", Versioning.NONE)));

        List<WriteResult> failed = storage.writeAll(List.of(
                new KeyedWrite(store, "a", a, rw("a1", Versioning.SNAPSHOT)),
                new KeyedWrite(store, "b", b + 1_000_000, rw("b1", Versioning.SNAPSHOT)),
                new KeyedWrite(store, "c", Storage.ABSENT, rw("c1", Versioning.NONE, 9L))));
        assertThat(failed).allMatch(r -> r instanceof WriteResult.Conflict);
        assertThat(conflict(failed.get(0)).orElseThrow().revision()).isEqualTo(a);
        assertThat(conflict(failed.get(1)).orElseThrow().payload()).isEqualTo(bytes("b0"));
        assertThat(conflict(failed.get(2))).isEmpty();
        assertThat(storage.read(store, "a").orElseThrow().payload()).isEqualTo(bytes("a0"));
        assertThat(storage.read(store, "c")).isEmpty();
        assertThat(storage.versions(store, "a", VersionRange.all(10))).isEmpty();

        List<WriteResult> ok = storage.writeAll(List.of(
                new KeyedWrite(store, "a", a, rw("a1", Versioning.SNAPSHOT)),
                new KeyedWrite("other-" + store, "b", Storage.ABSENT, rw("ob", Versioning.NONE)),
                new KeyedWrite(store, "c", Storage.ABSENT, rw("c1", Versioning.NONE, 9L))));
        assertThat(ok).allMatch(r -> r instanceof WriteResult.Written);
        assertThat(storage.read(store, "a").orElseThrow().revision()).isEqualTo(written(ok.get(0)));
        assertThat(storage.read("other-" + store, "b").orElseThrow().payload()).isEqualTo(bytes("ob"));
        assertThat(storage.keysByUserId(store, 9L)).containsExactly("c");
        assertThat(storage.listKeys(store, null, 10)).containsExactly("a", "b", "c");
    }

    @Test
    void writeAllRejectsTheSameKeyTwice() {
        assertThatThrownBy(() -> storage.writeAll(List.of(
                new KeyedWrite(store, "a", Storage.ABSENT, rw("1", Versioning.NONE)),
                new KeyedWrite(store, "a", Storage.ABSENT, rw("2", Versioning.NONE)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }

    @Test
    void writesStillWorkAfterRedisForgetsItsScripts() {
        long rev = written(storage.write(store, "k", Storage.ABSENT, rw("v1", Versioning.NONE, 1L)));
        redis.admin().scriptFlush();
        rev = written(storage.write(store, "k", rev, rw("v2", Versioning.NONE, 1L)));
        redis.admin().scriptFlush();
        assertThat(storage.keysByUserId(store, 1L)).containsExactly("k");
        redis.admin().scriptFlush();
        storage.purge(store, "k");
        assertThat(storage.read(store, "k")).isEmpty();
        assertThat(rev).isPositive();
    }

    @Test
    void leasesAreLiveUntilTheirTtlRunsOutOnRedisClockAndCanBeRenewedOrDropped() {
        String a = store + "-server-a";
        String b = store + "-server-b";
        assertThat(storage.isLeaseLive(a)).as("unknown server").isFalse();
        storage.renewLease(a, Duration.ofSeconds(30));
        storage.renewLease(b, Duration.ofMillis(300));
        assertThat(storage.isLeaseLive(a)).isTrue();
        assertThat(storage.isLeaseLive(b)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> !storage.isLeaseLive(b));
        assertThat(storage.isLeaseLive(a)).isTrue();
        storage.renewLease(b, Duration.ofSeconds(30));
        assertThat(storage.isLeaseLive(b)).as("renewed after expiry").isTrue();
        long pttl = redis.admin().pttl("profilestore:lease:{" + a + "}");
        assertThat(pttl).isBetween(20_000L, 30_000L);
        storage.dropLease(a);
        assertThat(storage.isLeaseLive(a)).isFalse();
        assertThat(storage.isLeaseLive(b)).isTrue();
        storage.dropLease("never-leased");
        assertThatThrownBy(() -> storage.renewLease(a, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aShortLeaseRenewedInTimeStaysLive() {
        String s = store + "-server";
        storage.renewLease(s, Duration.ofMillis(400));
        Instant until = Instant.now().plusMillis(1200);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
            storage.renewLease(s, Duration.ofMillis(400));
            assertThat(storage.isLeaseLive(s)).isTrue();
            return Instant.now().isAfter(until);
        });
        assertThat(storage.isLeaseLive(s)).isTrue();
    }

    @Test
    void invalidNamesAreRejectedBeforeReachingRedis() {
        assertThatThrownBy(() -> storage.read(store, "")).isInstanceOf(dev.profilestore.InvalidKeyException.class);
        assertThatThrownBy(() -> storage.read("x".repeat(51), "k")).isInstanceOf(dev.profilestore.InvalidKeyException.class);
        assertThatThrownBy(() -> storage.write(store, "bad\nkey", Storage.ABSENT, rw("x", Versioning.NONE)))
                .isInstanceOf(dev.profilestore.InvalidKeyException.class);
    }

    @Test
    void capabilitiesFollowTheRetention_butAPreservedValueIsKeptAnyway() {
        assertThat(storage.capabilities().versions()).isTrue();
        try (RedisStorage none = RedisStorage.connect(redis.uri(), RedisOptions.defaults().withVersionsPerKey(0)
                .withNamespace("noversions"))) {
            assertThat(none.capabilities().versions()).isFalse();
            long rev = written(none.write(store, "k", Storage.ABSENT, rw("v", Versioning.SNAPSHOT)));
            assertThat(none.versions(store, "k", VersionRange.all(10))).as("no snapshots kept").isEmpty();
            written(none.write(store, "k", rev, rw("w", Versioning.PRESERVE_PREVIOUS)));
            // The engine reports a replaced foreign value as kept: retention 0 must not destroy it.
            assertThat(none.versions(store, "k", VersionRange.all(10))).extracting(VersionInfo::revision)
                    .containsExactly(rev);
        }
    }

    @Test
    void namespacesIsolateApplicationsSharingOneRedis() {
        try (RedisStorage other = RedisStorage.connect(redis.uri(), RedisOptions.defaults().withNamespace("otherapp"))) {
            written(storage.write(store, "k", Storage.ABSENT, rw("mine", Versioning.NONE, 1L)));
            assertThat(other.read(store, "k")).isEmpty();
            assertThat(other.listKeys(store, null, 10)).isEmpty();
            assertThat(other.keysByUserId(store, 1L)).isEmpty();
            written(other.write(store, "k", Storage.ABSENT, rw("theirs", Versioning.NONE)));
            assertThat(storage.read(store, "k").orElseThrow().payload()).isEqualTo(bytes("mine"));
        }
    }

    @Test
    void operationsAfterCloseFailWithStorageException() {
        RedisStorage s = RedisStorage.connect(redis.uri());
        s.close();
        s.close();
        assertThatThrownBy(() -> s.read(store, "k")).isInstanceOf(StorageException.class).hasMessageContaining("closed");
    }

    @Test
    void concurrentCreatorsOfOneKeyProduceExactlyOneWinnerAndLosersSeeItsRecord() throws Exception {
        int threads = 6;
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<WriteResult> results = new ArrayList<>();
        try {
            List<Future<WriteResult>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String payload = "creator " + t;
                futures.add(pool.submit(() -> {
                    go.await();
                    return storage.write(store, "contested", Storage.ABSENT, rw(payload, Versioning.NONE, 1L));
                }));
            }
            go.countDown();
            for (Future<WriteResult> f : futures) {
                results.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        List<WriteResult> winners = results.stream().filter(r -> r instanceof WriteResult.Written).toList();
        assertThat(winners).hasSize(1);
        StoredRecord winner = storage.read(store, "contested").orElseThrow();
        assertThat(winner.revision()).isEqualTo(written(winners.get(0)));
        results.stream().filter(r -> r instanceof WriteResult.Conflict)
                .forEach(r -> assertThat(conflict(r)).hasValueSatisfying(c -> assertThat(c.revision())
                        .isEqualTo(winner.revision())));
        assertThat(storage.keysByUserId(store, 1L)).containsExactly("contested");
    }

    @Test
    void renewingWithAShorterTtlReplacesTheLongerLease() {
        String s = store + "-server";
        storage.renewLease(s, Duration.ofHours(1));
        storage.renewLease(s, Duration.ofMillis(200));
        await().atMost(Duration.ofSeconds(5)).until(() -> !storage.isLeaseLive(s));
    }

    @Test
    void payloadArraysAreCopiesNeitherSideCanChangeTheStoredRecord() {
        byte[] payload = bytes("abc");
        written(storage.write(store, "copy", Storage.ABSENT, new RecordWrite(payload, Set.of(), Versioning.NONE)));
        payload[0] = 'z';
        storage.read(store, "copy").orElseThrow().payload()[1] = 'z';
        assertThat(storage.read(store, "copy").orElseThrow().payload()).isEqualTo(bytes("abc"));
    }
}
