package dev.profilestore.testkit;

import dev.profilestore.CorruptProfileException;
import dev.profilestore.DataTooLargeException;
import dev.profilestore.Profile;
import dev.profilestore.SessionEndReason;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.UnsupportedFormatException;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.profilestore.testkit.Cluster.STORE;
import static dev.profilestore.testkit.Cluster.done;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every acknowledgement is true, on every path: what a review found acknowledged, hung or lost, each as a
 * timeline on two servers. A future that completes normally means the thing is durable; anything else
 * fails it, and nothing waits forever.
 */
public abstract class AcknowledgementScenarios extends ClusterScenarios {

    private static final String NULL_DATA = "{\"format\":\"profilestore/1\",\"dataVersion\":1,\"data\":null,"
            + "\"meta\":{\"createdMs\":1,\"loadCount\":1,\"lastUpdateMs\":1,\"lastSnapshotMs\":1},\"metadata\":{},"
            + "\"userIds\":[],\"messages\":{\"lastId\":0,\"items\":[]}}";
    private static final String NEWER_FORMAT = "{\"format\":\"profilestore/2\",\"profile\":{\"coins\":12},"
            + "\"messages\":{\"lastId\":0,\"items\":[]}}";

    private StoredRecord raw(String key) {
        return cluster.shared.read(STORE, key).orElseThrow();
    }

    /** Writes {@code payload} at {@code key} straight to the storage, as another program or an import would. */
    private void writeRaw(String key, String payload) {
        long expected = cluster.shared.read(STORE, key).map(StoredRecord::revision).orElse(Storage.ABSENT);
        WriteResult result = cluster.shared.write(STORE, key, expected, new RecordWrite(
                payload.getBytes(StandardCharsets.UTF_8), Set.of(), RecordWrite.Versioning.NONE));
        assertThat(result).isInstanceOf(WriteResult.Written.class);
    }

    private long sessionOnce(Cluster.Server server, String key) {
        Profile<PlayerData> p = start(server, key);
        done(p.endSessionAsync());
        return p.epoch();
    }

    // ---------------------------------------------------------------- records the engine cannot load

    @Test
    void aRecordWithNullData_isKeptAsAVersionAndReported_thenStartsFromTheTemplate_keepingItsMessages() {
        writeRaw("null-data", NULL_DATA);
        done(b.store().messageAsync("null-data", Map.of("gift", 1)));
        byte[] before = raw("null-data").payload();
        List<dev.profilestore.Overwrite> overwrites = new ArrayList<>();
        a.store().onOverwrite().connect(overwrites::add);

        Profile<PlayerData> p = start(a, "null-data");
        List<Integer> gifts = new ArrayList<>();
        p.messageHandler((m, processed) -> gifts.add(m.body().get("gift").asInt()));

        assertThat(p.data().coins).isZero();
        assertThat(gifts).as("the message waiting in the record survived").containsExactly(1);
        assertThat(overwrites).singleElement().satisfies(o -> assertThat(o.problem()).contains("null"));
        if (cluster.shared.capabilities().versions()) {
            var versions = cluster.shared.versions(STORE, "null-data", dev.profilestore.spi.VersionRange.all(10));
            assertThat(versions).extracting(v -> cluster.shared.readVersion(STORE, "null-data", v.versionId())
                    .orElseThrow().payload()).anySatisfy(payload -> assertThat(payload).isEqualTo(before));
        }
        assertThat(a.store().closeAsync()).succeedsWithin(Duration.ZERO);
    }

    @Test
    void aMigrationThatReturnsNull_failsTheStart_andTakesNoLock() {
        Profile<PlayerData> p = start(a, "migrated");
        p.data().coins = 4;
        done(p.endSessionAsync());
        Cluster.Server upgraded = cluster.server("server-upgraded", builder -> builder.formatVersion(2)
                .migration(1, old -> null));

        assertThat(upgraded.store().startSessionAsync("migrated")).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(CorruptProfileException.class).withMessageContaining("returned null");
        assertThat(start(b, "migrated").data().coins).as("no lock was left behind").isEqualTo(4);
    }

    @Test
    void aRecordOfANewerLayout_isRefusedAndLeftUntouched_byStartsMessagesAndReads() {
        writeRaw("newer", NEWER_FORMAT);
        StoredRecord before = raw("newer");

        SessionStart<PlayerData> start = done(a.store().startSessionAsync("newer"));

        assertThat(start).isInstanceOfSatisfying(SessionStart.NotStarted.class,
                n -> assertThat(n.reason()).isEqualTo(SessionStart.Reason.UNSUPPORTED_FORMAT));
        assertThat(a.store().messageAsync("newer", Map.of("gift", 1))).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(UnsupportedFormatException.class);
        assertThat(a.store().getAsync("newer")).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(UnsupportedFormatException.class);
        assertThat(raw("newer").revision()).isEqualTo(before.revision());
        assertThat(raw("newer").payload()).isEqualTo(before.payload());
    }

    // ---------------------------------------------------------------- the fencing epoch

    @Test
    void theEpochNeverRepeats_acrossRemovalCorruptReplacementAndAnOlderImport() {
        List<Long> epochs = new ArrayList<>();
        epochs.add(sessionOnce(a, "epoch"));
        byte[] oldExport = raw("epoch").payload();
        epochs.add(sessionOnce(a, "epoch"));

        assertThat(done(a.store().removeAsync("epoch"))).isTrue();
        epochs.add(sessionOnce(a, "epoch"));
        writeRaw("epoch", "{\"not\":\"ours\"}");
        epochs.add(sessionOnce(b, "epoch"));
        writeRaw("epoch", new String(oldExport, StandardCharsets.UTF_8));
        epochs.add(sessionOnce(a, "epoch"));

        assertThat(epochs).as("each session's epoch is above every earlier one").isSorted().doesNotHaveDuplicates();
    }

    // ---------------------------------------------------------------- oversize data

    @Test
    void oversizeDataAtTheEnd_releasesTheLockWithTheLastGoodData_andSaysItWasNotSaved() {
        Cluster.Server small = cluster.server("server-small", builder -> builder.maxDataBytes(4_000));
        Profile<PlayerData> p = start(small, "big");
        List<SessionEndReason> ends = new ArrayList<>();
        p.onSessionEnd().connect(ends::add);
        p.data().coins = 1;
        done(p.saveAsync());
        p.data().items.add("x".repeat(19_000));

        assertThat(p.endSessionAsync()).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(DataTooLargeException.class);
        assertThat(ends).containsExactly(SessionEndReason.UNSAVED);

        Profile<PlayerData> next = start(b, "big");
        assertThat(cluster.clock.elapsed()).as("the next server did not wait for stealAfter").isZero();
        assertThat(next.data().coins).isEqualTo(1);
        assertThat(next.data().items).isEmpty();
    }

    @Test
    void aSenderCannotPushAProfileOverTheLimitWithMessages() {
        Cluster.Server small = cluster.server("server-small", builder -> builder.maxDataBytes(4_000));
        Profile<PlayerData> p = start(small, "inbox");
        long revision = raw("inbox").revision();

        assertThat(small.store().messageAsync("inbox", Map.of("note", "y".repeat(5_000)))).failsWithin(Duration.ZERO)
                .withThrowableThat().withCauseInstanceOf(DataTooLargeException.class);

        assertThat(raw("inbox").revision()).as("nothing was appended").isEqualTo(revision);
        p.data().coins = 2;
        assertThat(p.saveAsync()).succeedsWithin(Duration.ZERO);
    }

    // ---------------------------------------------------------------- leases and lost replies

    @Test
    void twoStoresSharingAServerId_keepLeasesOfTheirOwn_soClosingOneHandsNothingOver() {
        Cluster.Server twin = cluster.server("server-a");
        Profile<PlayerData> p = start(a, "shared");
        List<SessionEndReason> ends = new ArrayList<>();
        p.onSessionEnd().connect(ends::add);
        p.data().coins = 7;
        assertThat(twin.store().leaseId()).isNotEqualTo(a.store().leaseId());
        done(twin.store().closeAsync());

        Profile<PlayerData> moved = start(b, "shared");

        assertThat(ends).as("released with a last save, not taken over").containsExactly(SessionEndReason.EXTERNAL);
        assertThat(moved.data().coins).isEqualTo(7);
    }

    @Test
    void aServerRestartedUnderTheSameId_asksItsLivePredecessor_ratherThanTakingTheLock() {
        Profile<PlayerData> p = start(a, "restart");
        p.data().coins = 9;
        Cluster.Server restarted = cluster.server("server-a");

        Profile<PlayerData> taken = start(restarted, "restart");

        assertThat(p.isActive()).isFalse();
        assertThat(taken.data().coins).as("the predecessor's last save landed first").isEqualTo(9);
    }

    @Test
    void aReleaseWhoseReplyWasLost_isReportedDone_notLost() {
        Profile<PlayerData> p = start(a, "reply");
        List<SessionEndReason> ends = new ArrayList<>();
        p.onSessionEnd().connect(ends::add);
        p.data().coins = 3;
        a.storage().loseNextReplies(1);

        var ending = p.endSessionAsync();
        cluster.advance(Duration.ofSeconds(1));

        assertThat(ending).succeedsWithin(Duration.ZERO);
        assertThat(ends).containsExactly(SessionEndReason.MANUAL);
        assertThat(start(b, "reply").data().coins).isEqualTo(3);
    }

    @Test
    void aLockTakenByAStartThatGaveUp_isClearedAsSoonAsAnotherServerAsks() {
        sessionOnce(b, "orphan");
        AtomicBoolean gone = new AtomicBoolean();
        a.storage().loseNextReplies(1); // the acquire lands, but the start hears only an error
        var starting = a.store().startSessionAsync("orphan", SessionOptions.cancelWhen(gone::get));
        gone.set(true);
        cluster.advance(Duration.ofSeconds(1));
        assertThat(done(starting)).isInstanceOfSatisfying(SessionStart.NotStarted.class,
                n -> assertThat(n.reason()).isEqualTo(SessionStart.Reason.CANCELLED));
        long before = cluster.clock.elapsed().toMillis();

        Profile<PlayerData> taken = start(b, "orphan");

        assertThat(cluster.clock.elapsed().toMillis()).as("no wait for stealAfter").isEqualTo(before);
        assertThat(taken.isActive()).isTrue();
    }
}
