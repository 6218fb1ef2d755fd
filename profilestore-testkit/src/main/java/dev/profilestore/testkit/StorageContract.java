package dev.profilestore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.profilestore.SaveCause;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.RecordWrite.Versioning;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.VersionWrite;
import dev.profilestore.spi.WriteResult;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The specification of {@link Storage}, as tests. Every backend's test subclasses this class and supplies
 * {@link #createStorage()} and {@link #versionsPerKey()}; the suite then checks each SPI method: compare-and-set
 * writes, revisions that never repeat, versions and their retention, the user-id index, key listing, atomic
 * multi-key writes, server leases, exact payload round trips and concurrent writers.
 *
 * <p>Each test works in a store name of its own, so a backend may share one database between tests and need not
 * clear it. Leases use a fresh server id per test for the same reason.
 *
 * <p>Lease expiry is checked either by {@link #advanceLeaseClock(Duration) moving the store's clock} (backends
 * with an injectable clock) or by waiting, with Awaitility, for a lease of {@link #shortLease()} to run out on the
 * real clock. Nothing in the suite sleeps.
 *
 * <p>Subclasses must be thread-safe in {@link #createStorage()} only to the extent JUnit requires: it is called
 * once per test, on the test thread.
 */
public abstract class StorageContract {

    /** How long asynchronous expectations may take before a test fails. */
    protected static final Duration PATIENCE = Duration.ofSeconds(20);

    /** The storage under test, fresh for each test. */
    protected Storage storage;
    /** A store name no other test uses. */
    protected String store;

    /** Creates the storage under test; called before each test and closed after it. */
    protected abstract Storage createStorage() throws Exception;

    /** How many versions per key the storage from {@link #createStorage()} keeps (its retention). */
    protected abstract int versionsPerKey();

    /**
     * Moves the clock the storage measures leases on forward by {@code by}, if the test can.
     *
     * @return false (the default) when it cannot; lease expiry is then observed on the real clock
     */
    protected boolean advanceLeaseClock(Duration by) {
        return false;
    }

    /**
     * A second storage over the same backend that keeps no snapshots (retention 0), or null (the default) when the
     * backend cannot be configured so; the caller closes it.
     */
    protected Storage createStorageKeepingNoSnapshots() throws Exception {
        return null;
    }

    /** The lease length used when expiry has to be observed on the real clock; keep it short. */
    protected Duration shortLease() {
        return Duration.ofMillis(300);
    }

    @BeforeEach
    final void openStorage() throws Exception {
        store = "contract_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        storage = createStorage();
    }

    @AfterEach
    final void closeStorage() {
        if (storage != null) {
            storage.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A write of {@code text} as UTF-8, with the given versioning and user ids. */
    protected static RecordWrite text(String text, Versioning versioning, Long... userIds) {
        return new RecordWrite(text.getBytes(StandardCharsets.UTF_8), Set.of(userIds), versioning);
    }

    /** {@code text} as UTF-8. */
    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A write of {@code text} that keeps no version and indexes no user id. */
    protected static RecordWrite text(String text) {
        return text(text, Versioning.NONE);
    }

    /** The payload of {@code record} as UTF-8 text. */
    protected static String textOf(StoredRecord record) {
        return new String(record.payload(), StandardCharsets.UTF_8);
    }

    /** Writes and expects success, returning the new revision. */
    protected long written(String key, long expected, RecordWrite write) {
        WriteResult result = storage.write(store, key, expected, write);
        assertThat(result).as("write of %s expecting revision %d", key, expected).isInstanceOf(WriteResult.Written.class);
        return ((WriteResult.Written) result).revision();
    }

    private StoredRecord current(String key) {
        return storage.read(store, key).orElseThrow(() -> new AssertionError("no record at " + key));
    }

    /** Removes the key at whatever revision it has now, as the engine's removeAsync does. */
    private boolean removeCurrent(String key) {
        return storage.read(store, key).map(r -> storage.remove(store, key, r.revision())).orElse(false);
    }

    private boolean versionsSupported() {
        return storage.capabilities().versions();
    }

    private static String serverId() {
        return "server-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    // ------------------------------------------------------------------ read and write

    @Test
    void read_keyNeverWritten_isEmpty() {
        assertThat(storage.read(store, "nobody")).isEmpty();
    }

    @Test
    void write_absentOnMissingKey_createsRecordReadableWithSameRevisionAndTimes() {
        WriteResult result = storage.write(store, "k", Storage.ABSENT, text("hello"));

        assertThat(result).isInstanceOf(WriteResult.Written.class);
        WriteResult.Written written = (WriteResult.Written) result;
        assertThat(written.revision()).isPositive();
        StoredRecord read = current("k");
        assertThat(read.revision()).isEqualTo(written.revision());
        assertThat(textOf(read)).isEqualTo("hello");
        assertThat(read.updatedAt()).isEqualTo(written.updatedAt());
        assertThat(read.createdAt()).isEqualTo(read.updatedAt());
    }

    @Test
    void write_absentWhenRecordExists_conflictsWithCurrentRecordAndChangesNothing() {
        long revision = written("k", Storage.ABSENT, text("first"));

        WriteResult result = storage.write(store, "k", Storage.ABSENT, text("second"));

        assertThat(result).isInstanceOf(WriteResult.Conflict.class);
        Optional<StoredRecord> found = ((WriteResult.Conflict) result).current();
        assertThat(found).isPresent();
        assertThat(found.get().revision()).isEqualTo(revision);
        assertThat(textOf(found.get())).isEqualTo("first");
        assertThat(textOf(current("k"))).isEqualTo("first");
    }

    @Test
    void write_matchingRevision_replacesPayloadWithNewRevisionAndKeepsCreatedAt() {
        long first = written("k", Storage.ABSENT, text("v1"));
        StoredRecord before = current("k");

        WriteResult result = storage.write(store, "k", first, text("v2"));

        assertThat(result).isInstanceOf(WriteResult.Written.class);
        WriteResult.Written written = (WriteResult.Written) result;
        assertThat(written.revision()).isPositive().isNotEqualTo(first);
        StoredRecord after = current("k");
        assertThat(textOf(after)).isEqualTo("v2");
        assertThat(after.revision()).isEqualTo(written.revision());
        assertThat(after.createdAt()).isEqualTo(before.createdAt());
        assertThat(after.updatedAt()).isEqualTo(written.updatedAt()).isAfterOrEqualTo(before.updatedAt());
    }

    @Test
    void write_staleRevision_conflictsWithCurrentRecordAndChangesNothing() {
        long first = written("k", Storage.ABSENT, text("v1"));
        long second = written("k", first, text("v2"));

        WriteResult result = storage.write(store, "k", first, text("stale"));

        assertThat(result).isInstanceOf(WriteResult.Conflict.class);
        StoredRecord found = ((WriteResult.Conflict) result).current().orElseThrow();
        assertThat(found.revision()).isEqualTo(second);
        assertThat(textOf(found)).isEqualTo("v2");
        assertThat(textOf(current("k"))).isEqualTo("v2");
    }

    @Test
    void write_expectingRevisionOnMissingKey_conflictsWithNoRecordAndCreatesNothing() {
        WriteResult result = storage.write(store, "k", 12345L, text("ghost"));

        assertThat(result).isEqualTo(new WriteResult.Conflict(Optional.empty()));
        assertThat(storage.read(store, "k")).isEmpty();
    }

    // ------------------------------------------------------------------ the non-blocking twins

    /** Waits for a future of the storage's non-blocking calls, failing the test if it does not complete in time. */
    private static <R> R answer(CompletableFuture<R> future) {
        try {
            return future.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("the call did not answer normally within " + PATIENCE, e);
        }
    }

    @Test
    void readAsync_answersAsReadDoes() {
        ExecutorService blocking = Executors.newSingleThreadExecutor();
        try {
            assertThat(answer(storage.readAsync(store, "k", blocking))).isEmpty();
            long revision = written("k", Storage.ABSENT, text("hello"));

            StoredRecord read = answer(storage.readAsync(store, "k", blocking)).orElseThrow();

            assertThat(read.revision()).isEqualTo(revision);
            assertThat(textOf(read)).isEqualTo("hello");
            assertThat(read.createdAt()).isEqualTo(current("k").createdAt());
            assertThat(read.updatedAt()).isEqualTo(current("k").updatedAt());
        } finally {
            blocking.shutdown();
        }
    }

    @Test
    void writeAsync_createsReplacesAndConflictsAsWriteDoes() {
        ExecutorService blocking = Executors.newSingleThreadExecutor();
        try {
            WriteResult created = answer(storage.writeAsync(store, "k", Storage.ABSENT, text("v1"), blocking));
            assertThat(created).isInstanceOf(WriteResult.Written.class);
            long first = ((WriteResult.Written) created).revision();
            assertThat(current("k").revision()).isEqualTo(first);

            WriteResult replaced = answer(storage.writeAsync(store, "k", first, text("v2"), blocking));
            assertThat(replaced).isInstanceOf(WriteResult.Written.class);
            long second = ((WriteResult.Written) replaced).revision();
            assertThat(second).isGreaterThan(first);
            assertThat(textOf(current("k"))).isEqualTo("v2");
            assertThat(current("k").updatedAt()).isEqualTo(((WriteResult.Written) replaced).updatedAt());

            WriteResult stale = answer(storage.writeAsync(store, "k", first, text("stale"), blocking));
            StoredRecord found = ((WriteResult.Conflict) stale).current().orElseThrow();
            assertThat(found.revision()).isEqualTo(second);
            assertThat(textOf(found)).isEqualTo("v2");

            assertThat(answer(storage.writeAsync(store, "k", Storage.ABSENT, text("again"), blocking)))
                    .isInstanceOf(WriteResult.Conflict.class);
            assertThat(answer(storage.writeAsync(store, "missing", 12345L, text("ghost"), blocking)))
                    .isEqualTo(new WriteResult.Conflict(Optional.empty()));
            assertThat(storage.read(store, "missing")).isEmpty();
            assertThat(textOf(current("k"))).isEqualTo("v2");
        } finally {
            blocking.shutdown();
        }
    }

    @Test
    void writeAsync_thatAddsAUserId_makesTheKeyFindableByIt() {
        ExecutorService blocking = Executors.newSingleThreadExecutor();
        try {
            long first = written("k", Storage.ABSENT, text("v1", Versioning.NONE, 1L));

            assertThat(answer(storage.writeAsync(store, "k", first, text("v2", Versioning.NONE, 1L, 2L), blocking)))
                    .isInstanceOf(WriteResult.Written.class);

            assertThat(storage.keysByUserId(store, 2L)).containsExactly("k");
            assertThat(storage.keysByUserId(store, 1L)).containsExactly("k");
        } finally {
            blocking.shutdown();
        }
    }

    @Test
    void writeAsync_racingWritersOfOneRevision_exactlyOneWins() {
        ExecutorService blocking = Executors.newFixedThreadPool(4);
        try {
            long first = written("k", Storage.ABSENT, text("v1"));
            List<CompletableFuture<WriteResult>> racing = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                racing.add(storage.writeAsync(store, "k", first, text("writer " + i), blocking));
            }

            List<WriteResult> results = racing.stream().map(StorageContract::answer).toList();

            List<WriteResult.Written> winners = results.stream().filter(r -> r instanceof WriteResult.Written)
                    .map(r -> (WriteResult.Written) r).toList();
            assertThat(winners).hasSize(1);
            assertThat(current("k").revision()).isEqualTo(winners.getFirst().revision());
            assertThat(textOf(current("k"))).isEqualTo("writer " + results.indexOf(winners.getFirst()));
        } finally {
            blocking.shutdown();
        }
    }

    @Test
    void write_revisionsNeverRepeatForAKey_evenAfterRemoveAndRecreate() {
        Set<Long> seen = new HashSet<>();
        for (int cycle = 0; cycle < 10; cycle++) {
            long created = written("k", Storage.ABSENT, text("created " + cycle));
            long updated = written("k", created, text("updated " + cycle));
            assertThat(seen.add(created)).as("revision %d repeated in cycle %d", created, cycle).isTrue();
            assertThat(seen.add(updated)).as("revision %d repeated in cycle %d", updated, cycle).isTrue();
            assertThat(removeCurrent("k")).isTrue();
        }
        written("k", Storage.ABSENT, text("last"));
        for (long old : seen) {
            assertThat(storage.write(store, "k", old, text("stale holder"))).as("write expecting old revision %d", old)
                    .isInstanceOf(WriteResult.Conflict.class);
        }
        assertThat(textOf(current("k"))).isEqualTo("last");
    }

    @Test
    void write_sameKeyInTwoStores_areIndependentRecords() {
        String other = store + "_other";
        written("k", Storage.ABSENT, text("mine"));

        assertThat(storage.read(other, "k")).isEmpty();
        long theirs = ((WriteResult.Written) storage.write(other, "k", Storage.ABSENT, text("theirs"))).revision();

        assertThat(textOf(current("k"))).isEqualTo("mine");
        assertThat(textOf(storage.read(other, "k").orElseThrow())).isEqualTo("theirs");
        assertThat(storage.remove(other, "k", theirs)).isTrue();
        assertThat(storage.read(store, "k")).isPresent();
        assertThat(theirs).isNotEqualTo(current("k").revision());
    }

    @Test
    void write_keysDifferingOnlyInCase_areDistinctRecords() {
        written("Player", Storage.ABSENT, text("upper"));
        written("player", Storage.ABSENT, text("lower"));

        assertThat(textOf(current("Player"))).isEqualTo("upper");
        assertThat(textOf(current("player"))).isEqualTo("lower");
    }

    @Test
    void write_keysDifferingOnlyInTrailingSpacesOrCase_areDistinctRecordsEverywhere() {
        List<String> keys = List.of("bob", "bob ", "bob  ", "Bob", " bob");
        for (String key : keys) {
            written(key, Storage.ABSENT, text("value of [" + key + "]", Versioning.NONE, 42L));
        }

        for (String key : keys) {
            assertThat(textOf(current(key))).as("record at [%s]", key).isEqualTo("value of [" + key + "]");
        }
        List<String> ordered = keys.stream().sorted().toList(); // String order is code point order here (ASCII)
        assertThat(storage.listKeys(store, null, 10)).containsExactlyElementsOf(ordered);
        assertThat(storage.listKeys(store, "bob", 10)).containsExactly("bob ", "bob  ");
        assertThat(storage.keysByUserId(store, 42L)).containsExactlyInAnyOrderElementsOf(keys);
        assertThat(removeCurrent("bob")).isTrue();
        assertThat(storage.read(store, "bob ")).isPresent();
        assertThat(storage.listKeys(store, null, 10)).doesNotContain("bob").contains("bob ", "bob  ");
    }

    @Test
    void write_storeNamesDifferingOnlyInTrailingSpaces_areDistinctStores() {
        String spaced = store + " ";
        written("k", Storage.ABSENT, text("plain", Versioning.NONE, 5L));
        long theirs = ((WriteResult.Written) storage.write(spaced, "k", Storage.ABSENT, text("spaced", Versioning.NONE, 6L)))
                .revision();

        assertThat(textOf(current("k"))).isEqualTo("plain");
        assertThat(textOf(storage.read(spaced, "k").orElseThrow())).isEqualTo("spaced");
        assertThat(storage.listKeys(spaced, null, 10)).containsExactly("k");
        assertThat(storage.keysByUserId(store, 6L)).isEmpty();
        assertThat(storage.keysByUserId(spaced, 6L)).containsExactly("k");
        assertThat(theirs).isNotEqualTo(current("k").revision());
    }

    @Test
    void write_unicodeKeyAndStore_roundTrip() {
        String key = "玩家_ü_🎮_" + "x".repeat(80);
        written(key, Storage.ABSENT, text("unicode"));

        assertThat(textOf(current(key))).isEqualTo("unicode");
        assertThat(storage.listKeys(store, null, 10)).containsExactly(key);
    }

    // ------------------------------------------------------------------ revisions strictly increase per key

    /** Every revision {@code key} gets from writes that expect the previous one; asserts each exceeds the last. */
    private long increasingWrites(String key, long after, long expected, int count, Versioning versioning) {
        long last = after;
        long revision = expected;
        for (int i = 0; i < count; i++) {
            revision = written(key, revision, text("w" + i, versioning));
            assertThat(revision).as("write %d of %s after revision %d", i, key, last).isGreaterThan(last);
            last = revision;
        }
        return last;
    }

    @Test
    void revisions_increaseWithEveryWrite() {
        long first = written("k", Storage.ABSENT, text("created"));
        long last = increasingWrites("k", first, first, 20, Versioning.NONE);

        assertThat(current("k").revision()).isEqualTo(last);
    }

    @Test
    void revisions_afterRemove_exceedEveryEarlierRevision() {
        long highest = Storage.ABSENT;
        for (int cycle = 0; cycle < 5; cycle++) {
            long created = written("k", Storage.ABSENT, text("created " + cycle));
            assertThat(created).as("create in cycle %d after remove", cycle).isGreaterThan(highest);
            highest = increasingWrites("k", created, created, 3, Versioning.SNAPSHOT);
            assertThat(removeCurrent("k")).isTrue();
        }
    }

    @Test
    void revisions_afterPurge_exceedEveryEarlierRevision() {
        long highest = Storage.ABSENT;
        for (int cycle = 0; cycle < 5; cycle++) {
            long created = written("k", Storage.ABSENT, text("created " + cycle, Versioning.SNAPSHOT, 7L));
            assertThat(created).as("create in cycle %d after purge", cycle).isGreaterThan(highest);
            highest = increasingWrites("k", created, created, 3, Versioning.SNAPSHOT);
            storage.purge(store, "k");
            assertThat(storage.read(store, "k")).isEmpty();
        }
    }

    @Test
    void revisions_afterRemoveThenPurge_exceedEveryEarlierRevision() {
        long created = written("k", Storage.ABSENT, text("a"));
        long highest = increasingWrites("k", created, created, 3, Versioning.NONE);
        removeCurrent("k");
        storage.purge(store, "k");

        assertThat(written("k", Storage.ABSENT, text("again"))).isGreaterThan(highest);
    }

    @Test
    void revisions_afterPreservePreviousReplacement_increase() {
        long foreign = written("k", Storage.ABSENT, text("foreign value"));
        long replaced = written("k", foreign, text("replacement", Versioning.PRESERVE_PREVIOUS));

        assertThat(replaced).isGreaterThan(foreign);
        long last = increasingWrites("k", replaced, replaced, 3, Versioning.PRESERVE_PREVIOUS);
        removeCurrent("k");
        assertThat(written("k", Storage.ABSENT, text("re-created"))).isGreaterThan(last);
    }

    // ------------------------------------------------------------------ payload bytes

    @Test
    void payload_everyByteValue_roundTripsExactly() {
        byte[] all = new byte[512];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        long revision = written("bytes", Storage.ABSENT, new RecordWrite(all, Set.of(), Versioning.SNAPSHOT));

        assertThat(current("bytes").payload()).isEqualTo(all);
        WriteResult conflict = storage.write(store, "bytes", Storage.ABSENT, text("x"));
        assertThat(((WriteResult.Conflict) conflict).current().orElseThrow().payload()).isEqualTo(all);
        if (versionsSupported()) {
            String versionId = storage.versions(store, "bytes", VersionRange.all(10)).getFirst().versionId();
            StoredRecord version = storage.readVersion(store, "bytes", versionId).orElseThrow();
            assertThat(version.payload()).isEqualTo(all);
            assertThat(version.revision()).isEqualTo(revision);
        }
    }

    @Test
    void payload_empty_roundTripsAsEmpty() {
        written("empty", Storage.ABSENT, new RecordWrite(new byte[0], Set.of(), Versioning.NONE));

        assertThat(current("empty").payload()).isEmpty();
    }

    @Test
    void payload_ofOneMebibyte_roundTripsExactly() {
        byte[] big = new byte[1 << 20];
        long seed = System.nanoTime();
        new Random(seed).nextBytes(big);

        long first = written("big", Storage.ABSENT, new RecordWrite(big, Set.of(), Versioning.NONE));
        assertThat(current("big").payload()).as("1 MiB random payload, seed %d", seed).isEqualTo(big);

        byte[] bigger = Arrays.copyOf(big, big.length + 4096);
        written("big", first, new RecordWrite(bigger, Set.of(), Versioning.PRESERVE_PREVIOUS));
        assertThat(current("big").payload()).as("seed %d", seed).isEqualTo(bigger);
        if (versionsSupported()) {
            String versionId = storage.versions(store, "big", VersionRange.all(10)).getFirst().versionId();
            assertThat(storage.readVersion(store, "big", versionId).orElseThrow().payload()).as("seed %d", seed)
                    .isEqualTo(big);
        }
    }

    @Test
    void payload_returnedArray_isACopyTheCallerMayChange() {
        byte[] payload = "abc".getBytes(StandardCharsets.UTF_8);
        written("copy", Storage.ABSENT, new RecordWrite(payload, Set.of(), Versioning.NONE));
        payload[0] = 'z';
        current("copy").payload()[1] = 'z';

        assertThat(textOf(current("copy"))).isEqualTo("abc");
    }

    // ------------------------------------------------------------------ remove and purge

    @Test
    void remove_existingRecord_returnsTrueAndLeavesNoRecord() {
        written("k", Storage.ABSENT, text("x"));

        assertThat(removeCurrent("k")).isTrue();
        assertThat(storage.read(store, "k")).isEmpty();
        assertThat(removeCurrent("k")).isFalse();
    }

    @Test
    void remove_missingRecord_returnsFalse() {
        assertThat(removeCurrent("never")).isFalse();
        assertThat(storage.remove(store, "never", 1L)).isFalse();
    }

    @Test
    void remove_atAnOlderRevision_deletesNothing() {
        long first = written("k", Storage.ABSENT, text("first"));
        written("k", first, text("second"));

        // A removal that read "first" and lands after "second" was written must not delete it.
        assertThat(storage.remove(store, "k", first)).isFalse();
        assertThat(textOf(current("k"))).isEqualTo("second");
    }

    @Test
    void remove_atTheCurrentRevision_onlyOnce() {
        long revision = written("k", Storage.ABSENT, text("x"));

        assertThat(storage.remove(store, "k", revision)).isTrue();
        assertThat(storage.remove(store, "k", revision)).isFalse();
        assertThat(storage.read(store, "k")).isEmpty();
    }

    @Test
    void remove_keepsSavedVersionsReadable() {
        assumeThat(versionsSupported()).as("backend keeps versions").isTrue();
        long revision = written("k", Storage.ABSENT, text("kept", Versioning.SNAPSHOT));

        removeCurrent("k");

        List<VersionInfo> versions = storage.versions(store, "k", VersionRange.all(10));
        assertThat(versions).extracting(VersionInfo::revision).containsExactly(revision);
        assertThat(textOf(storage.readVersion(store, "k", versions.getFirst().versionId()).orElseThrow()))
                .isEqualTo("kept");
    }

    @Test
    void purge_deletesRecordVersionsAndUserIdIndex() {
        long first = written("k", Storage.ABSENT, text("a", Versioning.SNAPSHOT, 42L));
        written("k", first, text("b", Versioning.SNAPSHOT, 42L));
        written("other", Storage.ABSENT, text("c", Versioning.SNAPSHOT, 42L));
        List<VersionInfo> before = storage.versions(store, "k", VersionRange.all(10));

        storage.purge(store, "k");

        assertThat(storage.read(store, "k")).isEmpty();
        assertThat(storage.versions(store, "k", VersionRange.all(10))).isEmpty();
        for (VersionInfo v : before) {
            assertThat(storage.readVersion(store, "k", v.versionId())).isEmpty();
        }
        assertThat(storage.keysByUserId(store, 42L)).containsExactly("other");
        assertThat(storage.listKeys(store, null, 10)).containsExactly("other");
    }

    @Test
    void purge_missingKey_doesNothing() {
        written("k", Storage.ABSENT, text("x"));

        storage.purge(store, "missing");

        assertThat(storage.read(store, "k")).isPresent();
    }

    // ------------------------------------------------------------------ versions

    @Test
    void versions_ordinaryWrites_keepNoVersion() {
        long first = written("k", Storage.ABSENT, text("a"));
        written("k", first, text("b"));

        assertThat(storage.versions(store, "k", VersionRange.all(10))).isEmpty();
    }

    @Test
    void versions_snapshot_keepsTheWrittenRecord() {
        assumeThat(versionsSupported()).as("backend keeps versions").isTrue();
        long first = written("k", Storage.ABSENT, text("a"));
        long second = written("k", first, text("b", Versioning.SNAPSHOT));
        written("k", second, text("c"));

        List<VersionInfo> versions = storage.versions(store, "k", VersionRange.all(10));

        assertThat(versions).extracting(VersionInfo::revision).containsExactly(second);
        StoredRecord version = storage.readVersion(store, "k", versions.getFirst().versionId()).orElseThrow();
        assertThat(textOf(version)).isEqualTo("b");
        assertThat(version.revision()).isEqualTo(second);
    }

    @Test
    void versions_preservePrevious_keepsTheReplacedRecord() {
        assumeThat(versionsSupported()).as("backend keeps versions").isTrue();
        long first = written("k", Storage.ABSENT, text("foreign value"));
        written("k", first, text("replacement", Versioning.PRESERVE_PREVIOUS));

        List<VersionInfo> versions = storage.versions(store, "k", VersionRange.all(10));

        assertThat(versions).extracting(VersionInfo::revision).containsExactly(first);
        assertThat(textOf(storage.readVersion(store, "k", versions.getFirst().versionId()).orElseThrow()))
                .isEqualTo("foreign value");
        assertThat(textOf(current("k"))).isEqualTo("replacement");
    }

    @Test
    void versions_preservePreviousOnCreate_keepsNothing() {
        written("k", Storage.ABSENT, text("new", Versioning.PRESERVE_PREVIOUS));

        assertThat(storage.versions(store, "k", VersionRange.all(10))).isEmpty();
    }

    @Test
    void versions_conflictingWrite_keepsNoVersion() {
        long first = written("k", Storage.ABSENT, text("a"));
        written("k", first, text("b"));

        storage.write(store, "k", first, text("stale", Versioning.SNAPSHOT));
        storage.write(store, "k", first, text("stale", Versioning.PRESERVE_PREVIOUS));

        assertThat(storage.versions(store, "k", VersionRange.all(10))).isEmpty();
    }

    @Test
    void versions_beyondRetention_dropsTheOldestFirst() {
        assumeThat(versionsSupported()).as("backend keeps versions").isTrue();
        int keep = versionsPerKey();
        List<Long> revisions = new ArrayList<>();
        long revision = Storage.ABSENT;
        String oldestId = null;
        for (int i = 0; i < keep + 3; i++) {
            revision = written("k", revision, text("v" + i, Versioning.SNAPSHOT));
            revisions.add(revision);
            if (i == 0) {
                oldestId = storage.versions(store, "k", VersionRange.all(1)).getFirst().versionId();
            }
        }

        List<VersionInfo> versions = storage.versions(store, "k", VersionRange.all(keep + 10));

        assertThat(versions).extracting(VersionInfo::revision)
                .containsExactlyElementsOf(revisions.subList(3, revisions.size()));
        assertThat(storage.readVersion(store, "k", oldestId)).as("the oldest version, dropped").isEmpty();
    }

    @Test
    void versions_orderAndLimit_areOldestFirstOrNewestFirstAsAsked() {
        assumeThat(versionsSupported()).as("backend keeps versions").isTrue();
        List<Long> revisions = new ArrayList<>();
        long revision = Storage.ABSENT;
        for (int i = 0; i < 5; i++) {
            revision = written("k", revision, text("v" + i, Versioning.SNAPSHOT));
            revisions.add(revision);
        }

        assertThat(storage.versions(store, "k", VersionRange.all(10))).extracting(VersionInfo::revision)
                .containsExactlyElementsOf(revisions);
        assertThat(storage.versions(store, "k", VersionRange.all(2))).extracting(VersionInfo::revision)
                .containsExactly(revisions.get(0), revisions.get(1));
        assertThat(storage.versions(store, "k", new VersionRange(null, null, true, 2))).extracting(VersionInfo::revision)
                .containsExactly(revisions.get(4), revisions.get(3));
        List<VersionInfo> all = storage.versions(store, "k", VersionRange.all(10));
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).savedAt()).isAfterOrEqualTo(all.get(i - 1).savedAt());
        }
    }

    @Test
    void versions_timeRange_returnsExactlyTheVersionsSavedWithinIt() {
        assumeThat(versionsSupported()).as("backend keeps versions").isTrue();
        long revision = Storage.ABSENT;
        for (int i = 0; i < 6; i++) {
            revision = written("k", revision, text("v" + i, Versioning.SNAPSHOT));
            advanceLeaseClock(Duration.ofSeconds(1));
        }
        List<VersionInfo> all = storage.versions(store, "k", VersionRange.all(100));
        Instant from = all.get(1).savedAt();
        Instant to = all.get(4).savedAt();

        for (VersionRange range : List.of(new VersionRange(from, null, false, 100), new VersionRange(null, to, false, 100),
                new VersionRange(from, to, false, 100), new VersionRange(from, to, true, 100))) {
            List<Long> expected = all.stream().filter(v -> range.contains(v.savedAt())).map(VersionInfo::revision)
                    .collect(Collectors.toCollection(ArrayList::new));
            if (range.newestFirst()) {
                expected = expected.reversed();
            }
            assertThat(storage.versions(store, "k", range)).as("range %s", range).extracting(VersionInfo::revision)
                    .containsExactlyElementsOf(expected);
        }
        Instant afterAll = all.getLast().savedAt().plusSeconds(3600);
        assertThat(storage.versions(store, "k", new VersionRange(afterAll, null, false, 10))).isEmpty();
    }

    @Test
    void versions_preservedValue_survivesRetentionOfLaterSnapshots() {
        long foreign = written("k", Storage.ABSENT, text("foreign value", Versioning.NONE, 77L));
        long revision = written("k", foreign, text("replacement", Versioning.PRESERVE_PREVIOUS));
        List<Long> snapshots = new ArrayList<>();
        for (int i = 0; i < versionsPerKey() + 3; i++) {
            revision = written("k", revision, text("snapshot " + i, Versioning.SNAPSHOT));
            snapshots.add(revision);
        }

        List<VersionInfo> versions = storage.versions(store, "k", VersionRange.all(versionsPerKey() + 10));
        assertThat(versions).extracting(VersionInfo::revision).contains(foreign);
        VersionInfo kept = versions.stream().filter(v -> v.revision() == foreign).findFirst().orElseThrow();
        assertThat(textOf(storage.readVersion(store, "k", kept.versionId()).orElseThrow())).isEqualTo("foreign value");
        assertThat(storage.keysByUserId(store, 77L)).as("user ids of the preserved value").containsExactly("k");
        if (versionsSupported()) {
            assertThat(versions).extracting(VersionInfo::revision).as("retention drops only snapshots")
                    .containsExactlyElementsOf(concat(foreign,
                            snapshots.subList(snapshots.size() - versionsPerKey(), snapshots.size())));
        }
    }

    private static List<Long> concat(long first, List<Long> rest) {
        List<Long> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    @Test
    void versions_preservedValue_isKeptWhenTheBackendKeepsNoSnapshots() throws Exception {
        try (Storage none = createStorageKeepingNoSnapshots()) {
            assumeThat(none).as("backend can be configured to keep no snapshots").isNotNull();
            long foreign = ((WriteResult.Written) none.write(store, "k", Storage.ABSENT, text("foreign value")))
                    .revision();
            WriteResult replaced = none.write(store, "k", foreign, text("replacement", Versioning.PRESERVE_PREVIOUS));
            assertThat(replaced).isInstanceOf(WriteResult.Written.class);
            long revision = ((WriteResult.Written) replaced).revision();
            none.write(store, "k", revision, text("snapshot", Versioning.SNAPSHOT));

            List<VersionInfo> versions = none.versions(store, "k", VersionRange.all(10));
            assertThat(versions).extracting(VersionInfo::revision).containsExactly(foreign);
            assertThat(textOf(none.readVersion(store, "k", versions.getFirst().versionId()).orElseThrow()))
                    .isEqualTo("foreign value");
        }
    }

    @Test
    void versions_recordTheCauseTheyWereKeptFor() {
        assumeThat(versionsSupported() && versionsPerKey() >= 3).as("backend keeps three versions").isTrue();
        long ended = written("k", Storage.ABSENT, new RecordWrite(bytes("ended"), Set.of(), Versioning.SNAPSHOT,
                SaveCause.SESSION_END));
        long periodic = written("k", ended, new RecordWrite(bytes("periodic"), Set.of(), Versioning.SNAPSHOT,
                SaveCause.PERIODIC));
        long plain = written("k", periodic, text("plain save"));
        long replacing = written("k", plain, new RecordWrite(bytes("rolled back"), Set.of(), Versioning.PRESERVE_PREVIOUS,
                SaveCause.ROLLBACK));
        long again = written("k", replacing, new RecordWrite(bytes("rolled back again"), Set.of(),
                Versioning.PRESERVE_PREVIOUS));
        written("k", again, text("no cause given", Versioning.SNAPSHOT));

        List<VersionInfo> versions = storage.versions(store, "k", new VersionRange(null, null, true, 20));
        assertThat(versions).extracting(VersionInfo::revision, VersionInfo::cause).as("newest first")
                .containsExactly(
                        tuple(versions.getFirst().revision(), SaveCause.UNKNOWN),
                        tuple(replacing, SaveCause.REPLACED),
                        tuple(plain, SaveCause.REPLACED),
                        tuple(periodic, SaveCause.PERIODIC),
                        tuple(ended, SaveCause.SESSION_END));
    }

    @Test
    void pinVersion_keepsTheCauseAVersionWasKeptFor() {
        assumeThat(versionsSupported()).as("backend keeps versions").isTrue();
        written("k", Storage.ABSENT, new RecordWrite(bytes("v"), Set.of(), Versioning.SNAPSHOT, SaveCause.OPERATOR));
        String id = storage.versions(store, "k", VersionRange.all(1)).getFirst().versionId();

        assertThat(storage.pinVersion(store, "k", id)).isTrue();

        assertThat(storage.versions(store, "k", VersionRange.all(1)).getFirst().cause()).isEqualTo(SaveCause.OPERATOR);
    }

        @Test
    void pinVersion_keepsThatVersionThroughRetention() {
        assumeThat(versionsSupported()).as("backend keeps versions").isTrue();
        long first = written("k", Storage.ABSENT, text("pinned", Versioning.SNAPSHOT));
        String pinnedId = storage.versions(store, "k", VersionRange.all(1)).getFirst().versionId();

        assertThat(storage.pinVersion(store, "k", pinnedId)).as("pin of an existing version").isTrue();
        assertThat(storage.pinVersion(store, "k", pinnedId)).as("pinning twice").isTrue();
        long revision = first;
        List<Long> snapshots = new ArrayList<>();
        for (int i = 0; i < versionsPerKey() + 3; i++) {
            revision = written("k", revision, text("snapshot " + i, Versioning.SNAPSHOT));
            snapshots.add(revision);
        }

        List<VersionInfo> versions = storage.versions(store, "k", VersionRange.all(versionsPerKey() + 10));
        assertThat(versions).extracting(VersionInfo::revision).as("the pinned version and the newest snapshots")
                .containsExactlyElementsOf(concat(first, snapshots.subList(snapshots.size() - versionsPerKey(),
                        snapshots.size())));
        assertThat(textOf(storage.readVersion(store, "k", pinnedId).orElseThrow())).isEqualTo("pinned");
        assertThat(storage.read(store, "k").orElseThrow().revision()).as("the current record is untouched")
                .isEqualTo(revision);
    }

    @Test
    void pinVersion_unknownVersionOrKey_isFalse() {
        written("k", Storage.ABSENT, text("v", Versioning.NONE));
        assertThat(storage.pinVersion(store, "k", "999999")).isFalse();
        assertThat(storage.pinVersion(store, "k", "not-an-id")).isFalse();
        assertThat(storage.pinVersion(store, "never", "1")).isFalse();
    }

    // ------------------------------------------------------------------ versions carried over (writeVersion)

    /** A time with microsecond precision, what every backend stores exactly. */
    private static final Instant LONG_AGO = Instant.parse("2021-03-04T05:06:07.123456Z");

    private VersionInfo carriedOver(String key, String text, Instant savedAt, boolean pinned, Long... userIds) {
        VersionInfo source = new VersionInfo("source-id", savedAt, 7L, SaveCause.ROLLBACK);
        return storage.writeVersion(store, key, new VersionWrite(source, text.getBytes(StandardCharsets.UTF_8),
                savedAt.minusSeconds(3600), savedAt.minusSeconds(1), Set.of(userIds), pinned));
    }

    @Test
    void writeVersion_keepsPayloadTimesAndSaveTime_andLeavesTheRecordAlone() {
        long revision = written("k", Storage.ABSENT, text("current", Versioning.NONE, 5L));

        VersionInfo v = carriedOver("k", "old value", LONG_AGO, false);

        assertThat(v.savedAt()).isEqualTo(LONG_AGO);
        assertThat(v.cause()).as("the source's cause, carried").isEqualTo(SaveCause.ROLLBACK);
        assertThat(storage.versions(store, "k", VersionRange.all(10))).containsExactly(v);
        StoredRecord read = storage.readVersion(store, "k", v.versionId()).orElseThrow();
        assertThat(textOf(read)).isEqualTo("old value");
        assertThat(read.createdAt()).isEqualTo(LONG_AGO.minusSeconds(3600));
        assertThat(read.updatedAt()).isEqualTo(LONG_AGO.minusSeconds(1));
        StoredRecord cur = current("k");
        assertThat(cur.revision()).isEqualTo(revision);
        assertThat(textOf(cur)).isEqualTo("current");
        assertThat(storage.keysByUserId(store, 5L)).containsExactly("k");
    }

    @Test
    void writeVersion_revisionExceedsEveryEarlierOne_andTheNextWriteExceedsIt() {
        long first = written("k", Storage.ABSENT, text("a"));
        long second = written("k", first, text("b"));

        VersionInfo v = carriedOver("k", "old", LONG_AGO, false);
        long next = written("k", second, text("c"));

        assertThat(v.revision()).isGreaterThan(second);
        assertThat(next).isGreaterThan(v.revision());
    }

    @Test
    void writeVersion_onAKeyWithoutRecord_keepsTheVersionAndTheFirstWriteExceedsIt() {
        VersionInfo v = carriedOver("k", "old", LONG_AGO, false);

        assertThat(storage.read(store, "k")).isEmpty();
        assertThat(storage.listKeys(store, null, 10)).as("a key with versions only is not listed").isEmpty();
        assertThat(storage.versions(store, "k", VersionRange.all(10))).containsExactly(v);
        assertThat(written("k", Storage.ABSENT, text("now"))).isGreaterThan(v.revision());
    }

    @Test
    void writeVersion_severalInOrder_listInThatOrderWithAscendingRevisions() {
        List<VersionInfo> written = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            written.add(carriedOver("k", "v" + i, LONG_AGO.plusSeconds(60L * i), false));
        }

        assertThat(storage.versions(store, "k", VersionRange.all(10))).containsExactlyElementsOf(written);
        assertThat(storage.versions(store, "k", new VersionRange(null, null, true, 10)))
                .containsExactlyElementsOf(written.reversed());
        assertThat(written).extracting(VersionInfo::revision).isSorted().doesNotHaveDuplicates();
        for (int i = 0; i < 4; i++) {
            assertThat(textOf(storage.readVersion(store, "k", written.get(i).versionId()).orElseThrow()))
                    .isEqualTo("v" + i);
        }
    }

    @Test
    void writeVersion_pinned_isListedAsPinnedAndSurvivesRetention() {
        assumeThat(versionsSupported()).as("backend keeps versions").isTrue();
        VersionInfo pinned = carriedOver("k", "pinned", LONG_AGO, true);
        VersionInfo plain = carriedOver("k", "plain", LONG_AGO.plusSeconds(1), false);
        assertThat(storage.pinnedVersions(store, "k")).containsExactly(pinned.versionId());

        long revision = Storage.ABSENT;
        for (int i = 0; i < versionsPerKey() + 2; i++) {
            revision = written("k", revision, text("snapshot " + i, Versioning.SNAPSHOT));
        }

        List<String> ids = storage.versions(store, "k", VersionRange.all(versionsPerKey() + 10)).stream()
                .map(VersionInfo::versionId).toList();
        assertThat(ids).contains(pinned.versionId()).doesNotContain(plain.versionId());
        assertThat(ids).hasSize(versionsPerKey() + 1);
        assertThat(storage.pinnedVersions(store, "k")).containsExactly(pinned.versionId());
    }

    @Test
    void pinnedVersions_listPinsAndPreservedValues_andNothingForAnUnknownKey() {
        long foreign = written("k", Storage.ABSENT, text("foreign"));
        long revision = written("k", foreign, text("replacement", Versioning.PRESERVE_PREVIOUS));
        String preserved = storage.versions(store, "k", VersionRange.all(10)).getFirst().versionId();
        assertThat(storage.pinnedVersions(store, "k")).containsExactly(preserved);
        if (versionsSupported()) {
            written("k", revision, text("snap", Versioning.SNAPSHOT));
            String snapshot = storage.versions(store, "k", new VersionRange(null, null, true, 1)).getFirst()
                    .versionId();
            assertThat(storage.pinnedVersions(store, "k")).as("a snapshot is not pinned").containsExactly(preserved);
            storage.pinVersion(store, "k", snapshot);
            assertThat(storage.pinnedVersions(store, "k")).containsExactlyInAnyOrder(preserved, snapshot);
        }
        assertThat(storage.pinnedVersions(store, "never")).isEmpty();
    }

    @Test
    void writeVersion_userIds_areFoundByUserId_andPurgeErasesEverything() {
        written("k", Storage.ABSENT, text("current", Versioning.NONE, 1L));
        VersionInfo v = carriedOver("k", "old", LONG_AGO, true, 2L, 3L);

        assertThat(storage.keysByUserId(store, 2L)).containsExactly("k");
        assertThat(storage.keysByUserId(store, 3L)).containsExactly("k");
        storage.purge(store, "k");

        assertThat(storage.readVersion(store, "k", v.versionId())).isEmpty();
        assertThat(storage.versions(store, "k", VersionRange.all(10))).isEmpty();
        assertThat(storage.pinnedVersions(store, "k")).isEmpty();
        assertThat(storage.keysByUserId(store, 2L)).isEmpty();
        assertThat(written("k", Storage.ABSENT, text("again"))).isGreaterThan(v.revision());
    }

    @Test
    void versions_ofMissingKey_isEmpty() {
        assertThat(storage.versions(store, "never", VersionRange.all(10))).isEmpty();
    }

    @Test
    void readVersion_unknownOrMalformedIdOrOtherKey_isEmpty() {
        long revision = written("k", Storage.ABSENT, text("a", Versioning.SNAPSHOT));
        written("other", Storage.ABSENT, text("b"));

        assertThat(storage.readVersion(store, "k", "999999999")).isEmpty();
        assertThat(storage.readVersion(store, "k", "not a version id")).isEmpty();
        assertThat(storage.readVersion(store, "k", "")).isEmpty();
        assertThat(storage.readVersion(store, "other", Long.toString(revision))).isEmpty();
        if (versionsSupported()) {
            String id = storage.versions(store, "k", VersionRange.all(1)).getFirst().versionId();
            assertThat(storage.readVersion(store, "other", id)).isEmpty();
            assertThat(storage.readVersion(store + "_elsewhere", "k", id)).isEmpty();
        }
    }

    // ------------------------------------------------------------------ user ids

    @Test
    void keysByUserId_findsKeysWhoseCurrentRecordHasTheId() {
        written("a", Storage.ABSENT, text("a", Versioning.NONE, 1L, 2L));
        written("b", Storage.ABSENT, text("b", Versioning.NONE, 2L));
        written("c", Storage.ABSENT, text("c"));

        assertThat(storage.keysByUserId(store, 2L)).containsExactlyInAnyOrder("a", "b");
        assertThat(storage.keysByUserId(store, 1L)).containsExactly("a");
        assertThat(storage.keysByUserId(store, 3L)).isEmpty();
        assertThat(storage.keysByUserId(store + "_elsewhere", 2L)).isEmpty();
    }

    @Test
    void keysByUserId_idReplacedWithoutVersion_isNoLongerFound() {
        long first = written("a", Storage.ABSENT, text("a", Versioning.NONE, 7L));
        written("a", first, text("a", Versioning.NONE, 8L));

        assertThat(storage.keysByUserId(store, 7L)).isEmpty();
        assertThat(storage.keysByUserId(store, 8L)).containsExactly("a");
    }

    @Test
    void keysByUserId_idKeptOnlyInASavedVersion_isStillFound() {
        assumeThat(versionsSupported()).as("backend keeps versions").isTrue();
        long first = written("a", Storage.ABSENT, text("a", Versioning.SNAPSHOT, 7L));
        long second = written("b", Storage.ABSENT, text("b", Versioning.NONE, 7L));
        written("a", first, text("a", Versioning.NONE, 8L));
        written("b", second, text("b", Versioning.PRESERVE_PREVIOUS, 9L));

        assertThat(storage.keysByUserId(store, 7L)).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void keysByUserId_afterRemove_findsTheKeyOnlyThroughVersions() {
        written("gone", Storage.ABSENT, text("x", Versioning.NONE, 5L));
        written("kept", Storage.ABSENT, text("y", Versioning.SNAPSHOT, 5L));

        removeCurrent("gone");
        removeCurrent("kept");

        List<String> expected = versionsSupported() ? List.of("kept") : List.of();
        assertThat(storage.keysByUserId(store, 5L)).containsExactlyElementsOf(expected);
    }

    // ------------------------------------------------------------------ listKeys

    @Test
    void listKeys_returnsCurrentKeysAscendingAfterTheGivenKeyUpToTheLimit() {
        List<String> keys = List.of("k07", "k02", "k10", "k01", "k05", "k03", "k09", "k04", "k08", "k06");
        for (String key : keys) {
            written(key, Storage.ABSENT, text(key));
        }
        written("removed", Storage.ABSENT, text("x", Versioning.SNAPSHOT));
        removeCurrent("removed");
        storage.write(store + "_elsewhere", "k00", Storage.ABSENT, text("other store"));
        List<String> sorted = keys.stream().sorted().toList();

        assertThat(storage.listKeys(store, null, 100)).containsExactlyElementsOf(sorted);
        assertThat(storage.listKeys(store, null, 3)).containsExactly("k01", "k02", "k03");
        assertThat(storage.listKeys(store, "k03", 3)).containsExactly("k04", "k05", "k06");
        assertThat(storage.listKeys(store, "k035", 2)).containsExactly("k04", "k05");
        assertThat(storage.listKeys(store, "k10", 3)).isEmpty();
        assertThat(storage.listKeys(store + "_nothing", null, 3)).isEmpty();
    }

    @Test
    void listKeys_pagingThroughEveryPage_visitsEachKeyOnce() {
        List<String> keys = IntStream.range(0, 23).mapToObj(i -> "key-" + (char) ('a' + i)).toList();
        for (String key : keys) {
            written(key, Storage.ABSENT, text(key));
        }

        List<String> visited = new ArrayList<>();
        String after = null;
        while (true) {
            List<String> page = storage.listKeys(store, after, 5);
            assertThat(page.size()).isLessThanOrEqualTo(5);
            if (page.isEmpty()) {
                break;
            }
            visited.addAll(page);
            after = page.getLast();
        }
        assertThat(visited).containsExactlyElementsOf(keys);
    }

    // ------------------------------------------------------------------ writeAll

    @Test
    void writeAll_everyRevisionMatching_appliesEveryWrite() {
        assumeThat(storage.capabilities().atomicMultiWrite()).as("backend writes several keys atomically").isTrue();
        long a = written("a", Storage.ABSENT, text("a1"));

        List<WriteResult> results = storage.writeAll(List.of(
                new KeyedWrite(store, "a", a, text("a2", Versioning.SNAPSHOT, 1L)),
                new KeyedWrite(store, "b", Storage.ABSENT, text("b1", Versioning.NONE, 1L))));

        assertThat(results).hasSize(2).allMatch(r -> r instanceof WriteResult.Written);
        assertThat(current("a").revision()).isEqualTo(((WriteResult.Written) results.get(0)).revision());
        assertThat(current("b").revision()).isEqualTo(((WriteResult.Written) results.get(1)).revision());
        assertThat(textOf(current("a"))).isEqualTo("a2");
        assertThat(textOf(current("b"))).isEqualTo("b1");
        assertThat(storage.keysByUserId(store, 1L)).containsExactlyInAnyOrder("a", "b");
        if (versionsSupported()) {
            assertThat(storage.versions(store, "a", VersionRange.all(10))).hasSize(1);
        }
    }

    @Test
    void writeAll_oneRevisionStale_appliesNothingAndReportsConflicts() {
        assumeThat(storage.capabilities().atomicMultiWrite()).as("backend writes several keys atomically").isTrue();
        long a = written("a", Storage.ABSENT, text("a1"));
        long b = written("b", Storage.ABSENT, text("b1"));
        long b2 = written("b", b, text("b2"));

        List<WriteResult> results = storage.writeAll(List.of(
                new KeyedWrite(store, "a", a, text("a-new", Versioning.SNAPSHOT, 3L)),
                new KeyedWrite(store, "c", Storage.ABSENT, text("c-new", Versioning.NONE, 3L)),
                new KeyedWrite(store, "b", b, text("b-stale"))));

        assertThat(results).hasSize(3).allMatch(r -> r instanceof WriteResult.Conflict);
        assertThat(((WriteResult.Conflict) results.get(2)).current().orElseThrow().revision()).isEqualTo(b2);
        assertThat(textOf(current("a"))).isEqualTo("a1");
        assertThat(current("a").revision()).isEqualTo(a);
        assertThat(storage.read(store, "c")).isEmpty();
        assertThat(textOf(current("b"))).isEqualTo("b2");
        assertThat(storage.keysByUserId(store, 3L)).isEmpty();
        assertThat(storage.versions(store, "a", VersionRange.all(10))).isEmpty();
    }

    @Test
    void writeAll_acrossTwoStores_appliesBoth() {
        assumeThat(storage.capabilities().atomicMultiWrite()).as("backend writes several keys atomically").isTrue();
        String other = store + "_trade";

        List<WriteResult> results = storage.writeAll(List.of(
                new KeyedWrite(store, "a", Storage.ABSENT, text("mine")),
                new KeyedWrite(other, "a", Storage.ABSENT, text("theirs"))));

        assertThat(results).allMatch(r -> r instanceof WriteResult.Written);
        assertThat(textOf(current("a"))).isEqualTo("mine");
        assertThat(textOf(storage.read(other, "a").orElseThrow())).isEqualTo("theirs");
    }

    // ------------------------------------------------------------------ leases

    @Test
    void lease_unknownServer_isNotLive() {
        assertThat(storage.isLeaseLive(serverId())).isFalse();
    }

    @Test
    void lease_renewed_isLiveAndOnlyForThatServer() {
        String server = serverId();

        storage.renewLease(server, Duration.ofMinutes(5));

        assertThat(storage.isLeaseLive(server)).isTrue();
        assertThat(storage.isLeaseLive(serverId())).isFalse();
    }

    @Test
    void leaseRemaining_isAtMostTheTtl_andZeroOnceDroppedOrUnknown() {
        String server = serverId();
        assertThat(storage.leaseRemaining(server)).isZero();
        storage.renewLease(server, Duration.ofMinutes(5));
        Duration left = storage.leaseRemaining(server);
        assertThat(left).isPositive();
        if (!left.equals(Storage.UNKNOWN_REMAINING)) {
            assertThat(left).isLessThanOrEqualTo(Duration.ofMinutes(5)).isGreaterThan(Duration.ofMinutes(4));
        }
        storage.dropLease(server);
        assertThat(storage.leaseRemaining(server)).isZero();
    }

    @Test
    void lease_dropped_isNotLive() {
        String server = serverId();
        storage.renewLease(server, Duration.ofMinutes(5));

        storage.dropLease(server);

        assertThat(storage.isLeaseLive(server)).isFalse();
        storage.dropLease(server);
    }

    @Test
    void lease_afterItsTtl_isNotLive() {
        String server = serverId();
        Duration ttl = shortLease();
        storage.renewLease(server, ttl);
        assertThat(storage.isLeaseLive(server)).as("right after renewal with ttl %s", ttl).isTrue();

        if (!advanceLeaseClock(ttl.plusMillis(1))) {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> !storage.isLeaseLive(server));
        }

        assertThat(storage.isLeaseLive(server)).isFalse();
    }

    @Test
    void lease_renewedAfterExpiry_isLiveAgainForTheNewTtl() {
        String server = serverId();
        storage.renewLease(server, shortLease());
        if (!advanceLeaseClock(shortLease().plusMillis(1))) {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> !storage.isLeaseLive(server));
        }

        storage.renewLease(server, Duration.ofHours(1));

        assertThat(storage.isLeaseLive(server)).isTrue();
        advanceLeaseClock(Duration.ofMinutes(59));
        assertThat(storage.isLeaseLive(server)).isTrue();
    }

    @Test
    void lease_renewedWithShorterTtl_replacesTheLongerOne() {
        String server = serverId();
        storage.renewLease(server, Duration.ofHours(1));

        storage.renewLease(server, shortLease());

        if (!advanceLeaseClock(shortLease().plusMillis(1))) {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> !storage.isLeaseLive(server));
        }
        assertThat(storage.isLeaseLive(server)).isFalse();
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void concurrency_twoPreservePreviousWritesOnOneRevision_oneIsWrittenTheOtherConflicts() throws Exception {
        // Many rounds: the race (both writers past the revision check, then both keeping the same version) is
        // short, and each round is another chance to hit it.
        int rounds = 40;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < rounds; round++) {
                String key = "pp" + round;
                long foreign = written(key, Storage.ABSENT, text("foreign " + round));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<WriteResult>> futures = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    String text = "replacement " + t;
                    futures.add(pool.submit(() -> {
                        start.await();
                        return storage.write(store, key, foreign, text(text, Versioning.PRESERVE_PREVIOUS));
                    }));
                }
                start.countDown();
                List<WriteResult> results = new ArrayList<>();
                for (Future<WriteResult> f : futures) {
                    results.add(f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)); // an exception fails the test here
                }
                assertThat(results).as("round %d", round).filteredOn(r -> r instanceof WriteResult.Written).hasSize(1);
                WriteResult.Conflict lost = results.stream().filter(r -> r instanceof WriteResult.Conflict)
                        .map(r -> (WriteResult.Conflict) r).findFirst().orElseThrow();
                long winner = results.stream().filter(r -> r instanceof WriteResult.Written)
                        .mapToLong(r -> ((WriteResult.Written) r).revision()).findFirst().orElseThrow();
                assertThat(lost.current()).as("round %d: the loser sees the winner's record", round)
                        .hasValueSatisfying(r -> assertThat(r.revision()).isEqualTo(winner));
                assertThat(storage.versions(store, key, VersionRange.all(10))).extracting(VersionInfo::revision)
                        .as("round %d: the foreign value kept once", round).containsExactly(foreign);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrency_severalThreadsIncrementingOneKey_loseNoUpdate() throws Exception {
        int threads = 4;
        int incrementsEach = 25;
        written("counter", Storage.ABSENT, text("0"));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> conflicts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                conflicts.add(pool.submit(() -> {
                    start.await();
                    int seenConflicts = 0;
                    StoredRecord record = current("counter");
                    for (int i = 0; i < incrementsEach; ) {
                        long next = Long.parseLong(textOf(record)) + 1;
                        WriteResult result = storage.write(store, "counter", record.revision(), text(Long.toString(next)));
                        switch (result) {
                            case WriteResult.Written w -> {
                                i++;
                                record = current("counter");
                            }
                            case WriteResult.Conflict c -> {
                                seenConflicts++;
                                record = c.current().orElseThrow(() -> new AssertionError("counter vanished"));
                            }
                        }
                    }
                    return seenConflicts;
                }));
            }
            start.countDown();
            for (Future<Integer> f : conflicts) {
                f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(textOf(current("counter"))).isEqualTo(Integer.toString(threads * incrementsEach));
    }

    @Test
    void concurrency_severalThreadsCreatingOneKey_exactlyOneWins() throws Exception {
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<WriteResult> results = new ArrayList<>();
        try {
            List<Future<WriteResult>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String text = "creator " + t;
                futures.add(pool.submit(() -> {
                    start.await();
                    return storage.write(store, "contested", Storage.ABSENT, text(text));
                }));
            }
            start.countDown();
            for (Future<WriteResult> f : futures) {
                results.add(f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        List<WriteResult.Written> winners = results.stream().filter(r -> r instanceof WriteResult.Written)
                .map(r -> (WriteResult.Written) r).toList();
        assertThat(winners).hasSize(1);
        assertThat(current("contested").revision()).isEqualTo(winners.getFirst().revision());
        for (WriteResult r : results) {
            if (r instanceof WriteResult.Conflict c && c.current().isEmpty()) {
                fail("a losing create must see the winner's record, saw none");
            }
        }
    }
}
