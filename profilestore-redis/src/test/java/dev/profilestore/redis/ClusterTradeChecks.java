package dev.profilestore.redis;

import dev.profilestore.redis.internal.RedisKeys;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.WriteResult;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trades across Cluster slots ({@link ClusterCommit}) on a real Redis Cluster: a coordinator that dies after its
 * prewrite or after its commit point, and what readers and writers then see; conflicts; trades within one slot.
 * The randomized run with crashes is {@link ClusterTradeTorture}. Run by {@link RedisClusterTest}, on its cluster.
 */
abstract class ClusterTradeChecks {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    /** Short, so an abandoned intent's deadline (two command timeouts) comes within the test's patience. */
    static final Duration COMMAND_TIMEOUT = Duration.ofMillis(250);

    /** The cluster's shared client. */
    protected abstract RedisBackend backend();

    /** The cluster, to look at its nodes. */
    protected abstract TestRedisCluster cluster();

    private String namespace;
    private RedisStorage storage;

    @BeforeEach
    void open() {
        namespace = "trade" + NAMESPACES.incrementAndGet();
        storage = backend().newStorage(RedisOptions.defaults().withNamespace(namespace).withVersionsPerKey(5)
                .withCommandTimeout(COMMAND_TIMEOUT), null);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    static RecordWrite text(String s, RecordWrite.Versioning versioning, Long... userIds) {
        return new RecordWrite(s.getBytes(StandardCharsets.UTF_8), Set.of(userIds), versioning);
    }

    static String textOf(StoredRecord r) {
        return new String(r.payload(), StandardCharsets.UTF_8);
    }

    private long create(String key, String text) {
        return ((WriteResult.Written) storage.write("s", key, Storage.ABSENT, text(text, RecordWrite.Versioning.NONE)))
                .revision();
    }

    private boolean held(String key) {
        byte[] intent = new RedisKeys(namespace).profile("s", key)[RedisKeys.INTENT];
        return storage.await("test", () -> storage.redis().exists(intent)) > 0;
    }

    /** Commit records of this test's trades, on every primary. */
    private long commitRecords() {
        long n = 0;
        for (int port : cluster().ports()) {
            if (cluster().admin(port).info("replication").contains("role:master")) {
                n += cluster().admin(port).keys(namespace + ":txn:*").size();
            }
        }
        return n;
    }

    @Test
    void theProfilesOfTheseChecksLiveInDifferentSlots() {
        RedisKeys k = new RedisKeys(namespace);
        assertThat(List.of("a", "b", "c").stream().map(key -> SlotHash.getSlot(k.profile("s", key)[RedisKeys.RECORD]))
                .distinct()).hasSize(3);
        assertThat(SlotHash.getSlot("{PlayerStore:alice}")).as("the session scenarios' trade runs across slots")
                .isNotEqualTo(SlotHash.getSlot("{PlayerStore:bob}"));
    }

    @Test
    void aTradeAcrossSlots_writesEveryProfile_withVersionsAndIndexes_andLeavesNothingBehind() {
        long a = create("a", "a1");
        List<WriteResult> results = storage.writeAll(List.of(
                new KeyedWrite("s", "a", a, text("a2", RecordWrite.Versioning.SNAPSHOT, 7L)),
                new KeyedWrite("s", "b", Storage.ABSENT, text("b1", RecordWrite.Versioning.NONE, 7L)),
                new KeyedWrite("s", "c", Storage.ABSENT, text("c1", RecordWrite.Versioning.SNAPSHOT))));

        assertThat(results).allMatch(r -> r instanceof WriteResult.Written);
        for (int i = 0; i < 3; i++) {
            String key = List.of("a", "b", "c").get(i);
            assertThat(storage.read("s", key).orElseThrow().revision()).isEqualTo(((WriteResult.Written) results.get(i)).revision());
            assertThat(held(key)).isFalse();
        }
        assertThat(textOf(storage.read("s", "b").orElseThrow())).isEqualTo("b1");
        assertThat(storage.versions("s", "a", VersionRange.all(10))).hasSize(1);
        assertThat(storage.versions("s", "c", VersionRange.all(10))).hasSize(1);
        assertThat(storage.keysByUserId("s", 7L)).containsExactlyInAnyOrder("a", "b");
        assertThat(storage.listKeys("s", null, 10)).containsExactly("a", "b", "c");
        assertThat(commitRecords()).as("commit records left").isZero();
    }

    @Test
    void aStaleSecondary_abortsTheTrade_nothingWritten_noIntentLeft() {
        long a = create("a", "a1");
        long b = create("b", "b1");
        List<WriteResult> results = storage.writeAll(List.of(
                new KeyedWrite("s", "a", a, text("a2", RecordWrite.Versioning.NONE)),
                new KeyedWrite("s", "b", b - 1, text("b2", RecordWrite.Versioning.NONE)),
                new KeyedWrite("s", "c", Storage.ABSENT, text("c1", RecordWrite.Versioning.NONE))));

        assertThat(results).allMatch(r -> r instanceof WriteResult.Conflict);
        assertThat(((WriteResult.Conflict) results.get(1)).current().orElseThrow().revision()).isEqualTo(b);
        assertThat(textOf(storage.read("s", "a").orElseThrow())).isEqualTo("a1");
        assertThat(storage.read("s", "c")).isEmpty();
        assertThat(List.of("a", "b", "c")).noneMatch(this::held);
        long b2 = ((WriteResult.Written) storage.write("s", "b", b, text("b2", RecordWrite.Versioning.NONE))).revision();
        assertThat(b2).isGreaterThan(b);
    }

    @Test
    void aStalePrimary_abortsTheTrade_andDropsTheSecondariesIntents() {
        long a = create("a", "a1");
        long b = create("b", "b1");
        List<WriteResult> results = storage.writeAll(List.of(
                new KeyedWrite("s", "a", a + 1, text("a2", RecordWrite.Versioning.NONE)),
                new KeyedWrite("s", "b", b, text("b2", RecordWrite.Versioning.NONE))));

        assertThat(results).allMatch(r -> r instanceof WriteResult.Conflict);
        assertThat(((WriteResult.Conflict) results.get(0)).current().orElseThrow().revision()).isEqualTo(a);
        assertThat(textOf(storage.read("s", "b").orElseThrow())).isEqualTo("b1");
        assertThat(held("b")).isFalse();
    }

    @Test
    void aCoordinatorDeadAfterItsPrewrite_isAbortedByTheNextReader_atTheDeadline() {
        long a = create("a", "a1");
        long b = create("b", "b1");
        assertThat(storage.writeAllStopping(List.of(
                new KeyedWrite("s", "a", a, text("a2", RecordWrite.Versioning.NONE)),
                new KeyedWrite("s", "b", b, text("b2", RecordWrite.Versioning.NONE))), ClusterCommit.Stop.AFTER_PREWRITE))
                .isNull();
        assertThat(held("b")).as("the intent stays until someone resolves it").isTrue();
        assertThat(textOf(storage.read("s", "a").orElseThrow())).as("the primary was never touched").isEqualTo("a1");

        StoredRecord seen = storage.read("s", "b").orElseThrow(); // waits for the deadline, then aborts

        assertThat(textOf(seen)).isEqualTo("b1");
        assertThat(seen.revision()).isEqualTo(b);
        assertThat(held("b")).isFalse();
        long b2 = ((WriteResult.Written) storage.write("s", "b", b, text("b2", RecordWrite.Versioning.NONE))).revision();
        assertThat(b2).isGreaterThan(b);
    }

    @Test
    void aCoordinatorDeadAfterItsPrewrite_blocksAWriter_untilTheDeadline_thenTheWriteLands() {
        long a = create("a", "a1");
        long b = create("b", "b1");
        storage.writeAllStopping(List.of(
                new KeyedWrite("s", "a", a, text("a2", RecordWrite.Versioning.NONE)),
                new KeyedWrite("s", "b", b, text("b2", RecordWrite.Versioning.NONE))), ClusterCommit.Stop.AFTER_PREWRITE);

        assertThat(storage.write("s", "b", b, text("b3", RecordWrite.Versioning.NONE))).isInstanceOf(WriteResult.Written.class);
        assertThat(storage.remove("s", "a", a)).isTrue();
        assertThat(textOf(storage.read("s", "b").orElseThrow())).isEqualTo("b3");
    }

    @Test
    void aCoordinatorDeadAfterItsCommitPoint_isRolledForwardByTheNextReader() {
        long a = create("a", "a1");
        List<WriteResult> none = storage.writeAllStopping(List.of(
                new KeyedWrite("s", "a", a, text("a2", RecordWrite.Versioning.NONE)),
                new KeyedWrite("s", "b", Storage.ABSENT, text("b1", RecordWrite.Versioning.SNAPSHOT, 9L)),
                new KeyedWrite("s", "c", Storage.ABSENT, text("c1", RecordWrite.Versioning.NONE))),
                ClusterCommit.Stop.AFTER_COMMIT_POINT);
        assertThat(none).isNull();
        assertThat(textOf(storage.read("s", "a").orElseThrow())).as("the commit point wrote the primary").isEqualTo("a2");
        assertThat(held("b")).isTrue();
        assertThat(commitRecords()).isOne();

        assertThat(textOf(storage.read("s", "b").orElseThrow())).isEqualTo("b1");

        assertThat(held("c")).as("resolving one intent rolled every participant forward").isFalse();
        assertThat(textOf(storage.read("s", "c").orElseThrow())).isEqualTo("c1");
        assertThat(storage.versions("s", "b", VersionRange.all(10))).hasSize(1);
        assertThat(storage.keysByUserId("s", 9L)).containsExactly("b");
        assertThat(commitRecords()).isZero();
    }

    @Test
    void theNonBlockingReadAndWrite_resolveAnIntentFirst_asTheBlockingOnesDo() throws Exception {
        long a = create("a", "a1");
        long b = create("b", "b1");
        ExecutorService blocking = Executors.newSingleThreadExecutor();
        try {
            storage.writeAllStopping(List.of(
                    new KeyedWrite("s", "a", a, text("a2", RecordWrite.Versioning.NONE)),
                    new KeyedWrite("s", "b", b, text("b2", RecordWrite.Versioning.NONE))), ClusterCommit.Stop.AFTER_COMMIT_POINT);
            assertThat(held("b")).isTrue();
            WriteResult stale = storage.writeAsync("s", "b", b, text("b3", RecordWrite.Versioning.NONE), blocking)
                    .get(30, TimeUnit.SECONDS);
            assertThat(textOf(((WriteResult.Conflict) stale).current().orElseThrow()))
                    .as("the write rolled the trade forward first, then found b2").isEqualTo("b2");
            assertThat(held("b")).isFalse();

            long a2 = storage.read("s", "a").orElseThrow().revision();
            long b2 = storage.read("s", "b").orElseThrow().revision();
            storage.writeAllStopping(List.of(
                    new KeyedWrite("s", "a", a2, text("a3", RecordWrite.Versioning.NONE)),
                    new KeyedWrite("s", "b", b2, text("b3", RecordWrite.Versioning.NONE))), ClusterCommit.Stop.AFTER_COMMIT_POINT);
            assertThat(held("b")).isTrue();
            StoredRecord b3 = storage.readAsync("s", "b", blocking).get(30, TimeUnit.SECONDS).orElseThrow();
            assertThat(textOf(b3)).as("rolled forward, never the intent").isEqualTo("b3");
            assertThat(held("b")).isFalse();
        } finally {
            blocking.shutdown();
        }
    }

    @Test
    void aPurgeOfAProfileMidTrade_waitsForTheTrade() {
        long a = create("a", "a1");
        storage.writeAllStopping(List.of(
                new KeyedWrite("s", "a", a, text("a2", RecordWrite.Versioning.NONE)),
                new KeyedWrite("s", "b", Storage.ABSENT, text("b1", RecordWrite.Versioning.NONE))),
                ClusterCommit.Stop.AFTER_COMMIT_POINT);

        storage.purge("s", "b");

        assertThat(held("b")).isFalse();
        assertThat(storage.read("s", "b")).isEmpty();
        assertThat(textOf(storage.read("s", "a").orElseThrow())).isEqualTo("a2");
    }

    /** The commit point and a reader's abort race in the primary's slot: whichever runs first wins, for good. */
    @Test
    void theCommitPointAndAnAbort_excludeEachOther() {
        long a = create("a", "a1");
        byte[][] pk = new RedisKeys(namespace).profile("s", "a");
        byte[] abortedFirst = new RedisKeys(namespace).commitRecord(pk[RedisKeys.RECORD], "t-aborted");
        byte[] committedFirst = new RedisKeys(namespace).commitRecord(pk[RedisKeys.RECORD], "t-committed");

        assertThat(status(abortedFirst, 0)).as("absent past its deadline: aborted").isEqualTo("ABORTED");
        assertThat(commitPoint(abortedFirst, pk, a).get(0)).as("a late commit point finds it aborted").isEqualTo(4L);
        assertThat(textOf(storage.read("s", "a").orElseThrow())).isEqualTo("a1");

        assertThat(commitPoint(committedFirst, pk, a).get(0)).isEqualTo(1L);
        assertThat(status(committedFirst, 0)).as("a reader past the deadline finds it committed").isEqualTo("COMMITTED");
        assertThat(textOf(storage.read("s", "a").orElseThrow())).isEqualTo("a2");
    }

    private String status(byte[] commitRecord, long deadline) {
        List<Object> r = storage.await("test", () -> storage.evalAsync(Intents.STATUS, new byte[][] {commitRecord},
                new byte[][] {bytes(Long.toString(deadline)), bytes("60000"), bytes("0")}, "test"));
        return new String((byte[]) r.get(0), StandardCharsets.UTF_8);
    }

    private List<Object> commitPoint(byte[] commitRecord, byte[][] primary, long expected) {
        byte[][] k = new byte[1 + primary.length][];
        k[0] = commitRecord;
        System.arraycopy(primary, 0, k, 1, primary.length);
        return storage.await("test", () -> storage.evalAsync(ClusterCommit.COMMIT, k, new byte[][] {bytes(""),
            bytes(Long.toString(Long.MAX_VALUE / 2)), bytes("60000"), bytes("mark"), bytes("5"),
            bytes(Long.toString(expected)), bytes("a2"), bytes("N"), bytes("")}, "test"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void profilesSharingASlot_tradeInOneScript() {
        RedisKeys k = new RedisKeys(namespace);
        int slot = SlotHash.getSlot(k.profile("s", "a")[RedisKeys.RECORD]);
        String twin = null;
        for (int i = 0; twin == null; i++) {
            if (SlotHash.getSlot(k.profile("s", "t" + i)[RedisKeys.RECORD]) == slot) {
                twin = "t" + i;
            }
        }
        List<WriteResult> results = storage.writeAll(List.of(
                new KeyedWrite("s", "a", Storage.ABSENT, text("a1", RecordWrite.Versioning.NONE)),
                new KeyedWrite("s", twin, Storage.ABSENT, text("t1", RecordWrite.Versioning.NONE))));
        assertThat(results).allMatch(r -> r instanceof WriteResult.Written);
        assertThat(commitRecords()).isZero();
    }
}
