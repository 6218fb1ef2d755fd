package dev.profilestore.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.CorruptProfileException;
import dev.profilestore.LastSaveReason;
import dev.profilestore.Overwrite;
import dev.profilestore.Profile;
import dev.profilestore.ProfileAlreadyLoadedException;
import dev.profilestore.ProfileMessage;
import dev.profilestore.ProfileView;
import dev.profilestore.SaveCause;
import dev.profilestore.SessionEndReason;
import dev.profilestore.SessionLostException;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.SortDirection;
import dev.profilestore.StoreError;
import dev.profilestore.UnsupportedFormatException;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static dev.profilestore.testkit.Cluster.STORE;
import static dev.profilestore.testkit.Cluster.done;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour scenarios every backend must pass: the original's test script (§18.7 of the behaviour
 * reference), ported, and the two-server timelines of the lock protocol, on a manual clock. A backend
 * runs them by subclassing with its storage.
 */
public abstract class SessionScenarios extends ClusterScenarios {

    // ---------------------------------------------------------------- the original's scenarios


    @Test
    void versionQuery_listsSessionEndSaves_andOverwritingAnOldVersionRollsBack() {
        Profile<PlayerData> p = start(a, "rollback");
        p.data().coins = 10;
        done(p.endSessionAsync());
        cluster.advance(Duration.ofMinutes(1));
        p = start(a, "rollback");
        p.data().coins = 20;
        done(p.endSessionAsync());

        var query = a.store().versionQuery("rollback", SortDirection.ASCENDING, null, null);
        List<Integer> coins = new ArrayList<>();
        List<ProfileView<PlayerData>> views = new ArrayList<>();
        for (Optional<ProfileView<PlayerData>> v = done(query.nextAsync()); v.isPresent(); v = done(query.nextAsync())) {
            coins.add(v.get().data().coins);
            views.add(v.get());
        }
        assertThat(coins).containsExactly(10, 20);

        var newestFirst = a.store().versionQuery("rollback", SortDirection.DESCENDING, null, null);
        assertThat(done(newestFirst.nextAsync()).orElseThrow().data().coins).isEqualTo(20);

        done(views.get(0).overwriteAsync());
        assertThat(stored("rollback").coins).isEqualTo(10);
        assertThat(start(a, "rollback").data().coins).isEqualTo(10);
    }

    @Test
    void versions_sayWhyTheyWereKept() {
        Profile<PlayerData> p = start(a, "causes");
        p.data().coins = 1;
        done(p.endSessionAsync());
        p = start(a, "causes");
        p.data().coins = 2;
        cluster.advance(Duration.ofMinutes(61)); // past the snapshot interval: the next save keeps a version
        done(p.saveAsync());
        p.data().coins = 3;
        done(p.endSessionAsync(SaveCause.ROLLBACK));
        done(done(a.store().getAsync("causes")).orElseThrow().overwriteAsync());

        assertThat(cluster.shared.versions(STORE, "causes", new VersionRange(null, null, true, 20)))
                .extracting(VersionInfo::cause).as("newest first")
                .containsExactly(SaveCause.OVERWRITE, SaveCause.ROLLBACK, SaveCause.PERIODIC, SaveCause.SESSION_END);
    }

    @Test
    void viewOverwrite_endsTheHoldersSession_andRoundTripsMessagesUserIdsAndMetadata() {
        Profile<PlayerData> held = start(a, "payload");
        List<SessionEndReason> ends = new ArrayList<>();
        List<LastSaveReason> lastSaves = new ArrayList<>();
        held.onSessionEnd().connect(ends::add);
        held.onLastSave().connect(lastSaves::add);
        done(a.store().messageAsync("payload", Map.of("gift", "sword")));
        done(a.store().messageAsync("payload", Map.of("gift", "shield")));

        ProfileView<PlayerData> view = done(a.store().getAsync("payload")).orElseThrow();
        assertThat(view.session()).map(s -> s.serverId()).contains("server-a");
        view.data().coins = 999;
        view.addUserId(42);
        view.metadata().put("note", "restored by support");
        List<String> seen = new ArrayList<>();
        view.messageHandler((m, processed) -> {
            seen.add(m.body().get("gift").asText());
            if (m.body().get("gift").asText().equals("sword")) {
                processed.run();
            }
        });
        assertThat(seen).containsExactly("sword", "shield");
        done(view.overwriteAsync());

        assertThat(held.isActive()).as("the holder finds its lock gone").isFalse();
        assertThat(ends).containsExactly(SessionEndReason.LOST);
        assertThat(lastSaves).as("a lost session makes no last save").isEmpty();

        ProfileView<PlayerData> after = done(a.store().getAsync("payload")).orElseThrow();
        assertThat(after.data().coins).isEqualTo(999);
        assertThat(after.userIds()).containsExactly(42L);
        assertThat(after.metadata()).containsEntry("note", "restored by support");
        assertThat(after.session()).isEmpty();
        List<String> remaining = new ArrayList<>();
        after.messageHandler((m, processed) -> remaining.add(m.body().get("gift").asText()));
        assertThat(remaining).containsExactly("shield");
    }

    @Test
    void keyInfo_metadataAndUserIds_areSavedAndReadBack() {
        Profile<PlayerData> p = start(a, "keyinfo");
        var created = p.keyInfo().createdAt();
        p.metadata().put("region", "eu");
        p.addUserId(7);
        p.addUserId(8);
        p.removeUserId(8);
        cluster.advance(Duration.ofSeconds(3));
        done(p.saveAsync());
        assertThat(p.keyInfo().createdAt()).isEqualTo(created);
        assertThat(p.keyInfo().updatedAt()).isAfterOrEqualTo(created);
        ProfileView<PlayerData> view = done(a.store().getAsync("keyinfo")).orElseThrow();
        assertThat(view.metadata()).containsEntry("region", "eu");
        assertThat(view.userIds()).containsExactly(7L);
        assertThat(view.keyInfo().version()).isEqualTo(p.keyInfo().version());
        assertThat(done(a.store().keysByUserIdAsync(7))).containsExactly("keyinfo");
        assertThat(done(a.store().keysByUserIdAsync(8))).isEmpty();
    }

    @Test
    void mock_isAnIsolatedTwinOfTheStore() {
        var mock = a.store().mock();
        assertThat(a.store().mock()).isSameAs(mock);
        Profile<PlayerData> inMock = done(mock.startSessionAsync("isolated")).orElseThrow();
        inMock.data().coins = 5;
        done(inMock.endSessionAsync());
        assertThat(done(a.store().getAsync("isolated"))).isEmpty();
        assertThat(done(mock.getAsync("isolated")).orElseThrow().data().coins).isEqualTo(5);

        Profile<PlayerData> real = start(a, "isolated");
        assertThat(real.data().coins).isZero();
        assertThat(mock.activeProfile("isolated")).isEmpty();
    }

    @Test
    void messages_arriveInOrder_processedStopsLaterHandlers_andUnprocessedOnesSurviveSessions() {
        done(a.store().messageAsync("inbox", Map.of("n", 1)));
        done(a.store().messageAsync("inbox", Map.of("n", 2)));
        Profile<PlayerData> p = start(a, "inbox");
        List<Long> first = new ArrayList<>();
        List<Long> second = new ArrayList<>();
        p.messageHandler((m, processed) -> {
            first.add(m.id());
            if (m.body().get("n").asInt() == 1) {
                p.data().coins += 100;
                processed.run();
            }
        });
        p.messageHandler((m, processed) -> second.add(m.id()));
        assertThat(first).containsExactly(1L, 2L);
        assertThat(second).as("message 1 was processed by the first handler").containsExactly(2L);

        done(b.store().messageAsync("inbox", Map.of("n", 3)));
        assertThat(first).as("a message sent while online arrives after the holder's save").containsExactly(1L, 2L, 3L);
        assertThat(second).containsExactly(2L, 3L);
        done(p.endSessionAsync());

        assertThat(stored("inbox").coins).isEqualTo(100);
        Profile<PlayerData> again = start(a, "inbox");
        List<Long> redelivered = new ArrayList<>();
        again.messageHandler((m, processed) -> redelivered.add(m.id()));
        assertThat(redelivered).as("processed messages are gone, the others stay").containsExactly(2L, 3L);
    }

    @Test
    void messageHandlerChangeAndRemoval_commitTogether_soACrashBeforeTheSaveRedelivers() {
        done(a.store().messageAsync("gift", Map.of("coins", 50)));
        Profile<PlayerData> p = start(a, "gift");
        a.storage().down = true; // the write that would commit the change and the removal never lands
        p.messageHandler((m, processed) -> {
            p.data().coins += m.body().get("coins").asInt();
            processed.run();
        });
        a.crash();
        letLeaseRunOut(a);

        Profile<PlayerData> taken = start(b, "gift");
        assertThat(taken.data().coins).as("the change was not committed").isZero();
        List<Integer> seen = new ArrayList<>();
        taken.messageHandler((m, processed) -> {
            seen.add(m.body().get("coins").asInt());
            taken.data().coins += m.body().get("coins").asInt();
            processed.run();
        });
        assertThat(seen).as("so the message was redelivered").containsExactly(50);
        done(taken.endSessionAsync());
        assertThat(done(b.store().getAsync("gift")).orElseThrow().data().coins).as("applied exactly once").isEqualTo(50);
    }

    @Test
    void aMessageWhoseWriteLandedButWhoseReplyWasLost_isRetriedWithoutADuplicate() {
        Profile<PlayerData> p = start(a, "lost-reply");
        List<Long> delivered = new ArrayList<>();
        p.messageHandler((m, processed) -> {
            delivered.add(m.id());
            p.data().coins += m.body().get("coins").asInt();
            processed.run();
        });
        b.storage().loseNextReplies(1);
        var sending = b.store().messageAsync("lost-reply", Map.of("coins", 10));
        assertThat(sending).isNotDone();
        cluster.advance(Duration.ofSeconds(1)); // the retry finds its own send already there
        done(sending);
        done(p.saveAsync());
        assertThat(delivered).hasSize(1);
        assertThat(stored("lost-reply").coins).isEqualTo(10);
    }

    @Test
    void aSaveWhoseReplyWasLost_failsOnlyThatCall_andTheNextSaveLands() {
        Profile<PlayerData> p = start(a, "lost-save");
        p.data().coins = 1;
        a.storage().loseNextReplies(1);
        assertThat(p.saveAsync()).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(dev.profilestore.StorageException.class);
        assertThat(p.isActive()).isTrue();
        p.data().coins = 2;
        done(p.saveAsync());
        assertThat(stored("lost-save").coins).isEqualTo(2);
    }

    @Test
    void lastSavedData_isACopyOfWhatTheLastSuccessfulSaveWrote() {
        Profile<PlayerData> p = start(a, "receipts");
        p.data().coins = 5;
        List<Integer> afterSave = new ArrayList<>();
        p.onAfterSave().connect(saved -> afterSave.add(saved.coins));
        done(p.saveAsync());
        p.data().coins = 6;
        assertThat(p.lastSavedData().coins).isEqualTo(5);
        assertThat(p.lastSavedData()).isNotSameAs(p.data());
        assertThat(afterSave).containsExactly(5);
    }

    @Test
    void corruptValue_isKeptAsAVersionAndReported_thenReplacedBySessionStart() {
        byte[] foreign = "{\"legacy\":true}".getBytes(StandardCharsets.UTF_8);
        cluster.shared.write(STORE, "corrupt", Storage.ABSENT, new RecordWrite(foreign, Set.of(), RecordWrite.Versioning.NONE));
        List<Overwrite> overwrites = new ArrayList<>();
        a.store().onOverwrite().connect(overwrites::add);

        assertThat(a.store().getAsync("corrupt")).failsWithin(Duration.ZERO)
                .withThrowableThat().withCauseInstanceOf(CorruptProfileException.class);
        assertThat(overwrites).as("a read does not overwrite").isEmpty();

        Profile<PlayerData> p = start(a, "corrupt");
        assertThat(p.data().coins).isZero();
        assertThat(overwrites).singleElement().satisfies(o -> assertThat(o.problem()).contains("format"));
        if (cluster.shared.capabilities().versions()) {
            var versions = cluster.shared.versions(STORE, "corrupt", VersionRange.all(10));
            assertThat(versions).isNotEmpty();
            assertThat(cluster.shared.readVersion(STORE, "corrupt", versions.get(0).versionId()).orElseThrow().payload())
                    .isEqualTo(foreign);
        }
    }

    @Test
    void endThenStartOnOneServer_seesTheRelease_andRemoveDeletesTheProfile() {
        Profile<PlayerData> p = start(a, "rapid");
        p.data().coins = 3;
        p.endSessionAsync();
        Profile<PlayerData> again = start(a, "rapid");
        assertThat(again.data().coins).isEqualTo(3);
        assertThat(again.epoch()).isGreaterThan(p.epoch());
        again.endSessionAsync();
        assertThat(done(a.store().removeAsync("rapid"))).isTrue();
        assertThat(done(a.store().getAsync("rapid"))).isEmpty();
        assertThat(done(a.store().removeAsync("rapid"))).isFalse();
    }

    @Test
    void aStartWhileThisServersLastSaveIsRetrying_waitsForIt_andLoadsTheLastSavedData() {
        Profile<PlayerData> p = start(a, "retrying");
        p.data().coins = 5;
        a.storage().failNext(1);
        var ending = p.endSessionAsync();
        var again = a.store().startSessionAsync("retrying");
        assertThat(again).isNotDone();
        cluster.advance(Duration.ofSeconds(1)); // the last save's first retry
        assertThat(ending).isDone();
        assertThat(done(again).orElseThrow().data().coins).isEqualTo(5);
    }

    @Test
    void startingAKeyActiveOnThisServer_throws_andStartingAfterItsEndWorks() {
        Profile<PlayerData> p = start(a, "double");
        assertThatThrownBy(() -> a.store().startSessionAsync("double").join())
                .hasCauseInstanceOf(ProfileAlreadyLoadedException.class)
                .hasMessageContaining("double");
        done(p.endSessionAsync());
        assertThat(start(a, "double").isActive()).isTrue();
    }

    @Test
    void concurrentStartsOfOneKey_coalesce_andTheLastCallerGetsTheProfile() {
        start(a, "rejoin");
        b.messaging().dropNext(1); // keep the first start waiting
        var first = b.store().startSessionAsync("rejoin");
        var second = b.store().startSessionAsync("rejoin");
        var third = b.store().startSessionAsync("rejoin");
        assertThat(done(first)).isEqualTo(new SessionStart.NotStarted<>(SessionStart.Reason.SUPERSEDED,
                ((SessionStart.NotStarted<PlayerData>) first.join()).detail()));
        assertThat(((SessionStart.NotStarted<PlayerData>) done(second)).reason()).isEqualTo(SessionStart.Reason.SUPERSEDED);
        assertThat(third).isNotDone();
        cluster.advance(Duration.ofMillis(100));
        assertThat(done(third).isStarted()).isTrue();
    }

    @Test
    void aStealByAnotherServer_endsTheHoldersSessionAtOnce_withoutALastSave() {
        Profile<PlayerData> p = start(a, "stolen");
        List<SessionEndReason> ends = new ArrayList<>();
        List<LastSaveReason> lastSaves = new ArrayList<>();
        p.onSessionEnd().connect(ends::add);
        p.onLastSave().connect(lastSaves::add);
        Profile<PlayerData> thief = done(b.store().startSessionAsync("stolen", SessionOptions.stealing())).orElseThrow();
        assertThat(thief.epoch()).isGreaterThan(p.epoch());
        assertThat(p.isActive()).as("told by the thief at once, not at its next auto-save").isFalse();
        assertThat(ends).containsExactly(SessionEndReason.LOST);
        assertThat(lastSaves).isEmpty();
    }

    @Test
    void savesAfterASteal_allFail_noneIsReportedDone() {
        Profile<PlayerData> p = start(a, "stolen");
        b.messaging().dropNext(1); // the holder is not told: it finds out at its own writes
        done(b.store().startSessionAsync("stolen", SessionOptions.stealing()));
        assertThat(p.isActive()).isTrue();

        p.data().coins = 99;
        List<CompletableFuture<Void>> saves = List.of(p.saveAsync(), p.saveAsync(), p.saveAsync());

        for (CompletableFuture<Void> save : saves) {
            assertThat(save).failsWithin(Duration.ZERO).withThrowableThat().withCauseInstanceOf(SessionLostException.class);
        }
        assertThat(p.endSessionAsync()).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(SessionLostException.class);
        assertThat(stored("stolen").coins).as("the stale holder's write was rejected").isZero();
    }

    /** A save whose turn in the key's queue comes after its session began ending: it is in the last save. */
    private List<CompletableFuture<Void>> aSaveQueuedBehindACommitThenTheEnd(Profile<PlayerData> p) {
        p.data().coins = 5;
        a.storage().failNext(1);
        var commit = a.store().commitAsync(List.of(p), () -> p.data().coins += 1); // retries, holding the key's queue
        var save = p.saveAsync();
        p.data().coins += 10;
        var ending = p.endSessionAsync();
        assertThat(List.of(commit, save, ending)).noneMatch(CompletableFuture::isDone);
        return List.of(commit, save, ending);
    }

    @Test
    void aSaveQueuedBehindTheLastSave_isDoneWhenTheLastSaveLands() {
        org.junit.jupiter.api.Assumptions.assumeTrue(cluster.shared.capabilities().atomicMultiWrite());
        Profile<PlayerData> p = start(a, "queued");
        List<SessionEndReason> ends = new ArrayList<>();
        p.onSessionEnd().connect(ends::add);
        var futures = aSaveQueuedBehindACommitThenTheEnd(p);
        assertThat(ends).as("no end reason before the last save's outcome is known").isEmpty();

        cluster.advance(Duration.ofSeconds(1));

        assertThat(futures).allSatisfy(f -> assertThat(f).succeedsWithin(Duration.ZERO));
        assertThat(ends).containsExactly(SessionEndReason.MANUAL);
        assertThat(stored("queued").coins).as("the last save carried the queued save's change").isEqualTo(16);
    }

    @Test
    void aSaveQueuedBehindALastSaveThatFindsTheLockLost_fails() {
        org.junit.jupiter.api.Assumptions.assumeTrue(cluster.shared.capabilities().atomicMultiWrite());
        Profile<PlayerData> p = start(a, "queued");
        var futures = aSaveQueuedBehindACommitThenTheEnd(p);
        done(b.store().startSessionAsync("queued", SessionOptions.stealing()));

        cluster.advance(Duration.ofSeconds(1));

        assertThat(futures).allSatisfy(f -> assertThat(f).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(SessionLostException.class));
        assertThat(stored("queued").coins).isZero();
    }

    @Test
    void aTakeoverRequestFoundAtASave_releasesTheProfile() {
        Profile<PlayerData> p = start(a, "request");
        List<LastSaveReason> lastSaves = new ArrayList<>();
        p.onLastSave().connect(lastSaves::add);
        b.messaging().dropNext(1_000); // the holder never hears of the request
        var waiting = b.store().startSessionAsync("request");
        // Its ask by message is lost; at its first poll the requester writes the request into the record.
        cluster.advance(Duration.ofMillis(100));
        assertThat(waiting).isNotDone();

        done(p.saveAsync()); // the save's write shows the request
        assertThat(lastSaves).containsExactly(LastSaveReason.EXTERNAL);
        assertThat(done(waiting).isStarted()).as("the release notice wakes the requester").isTrue();
    }

    @Test
    void reconcile_fillsMissingFieldsFromTheTemplate_andKeepsExistingValues() {
        Profile<PlayerData> p = start(a, "reconcile");
        p.data().coins = 12;
        p.data().settings = null;
        done(p.endSessionAsync());
        Profile<PlayerData> again = start(a, "reconcile");
        assertThat(again.data().settings).isNull();
        PlayerData sameObject = again.data();
        again.reconcile();
        assertThat(again.data()).as("mutable data is updated in place").isSameAs(sameObject);
        assertThat(again.data().settings.language).isEqualTo("en");
        assertThat(again.data().coins).isEqualTo(12);
    }

    // ---------------------------------------------------------------- two servers, one store



    @Test
    void handoffFromALiveHolder_completesWithoutWaitingForAnyTimer() {
        Profile<PlayerData> held = start(a, "hop");
        held.data().coins = 50;
        List<LastSaveReason> lastSaves = new ArrayList<>();
        held.onLastSave().connect(lastSaves::add);

        Profile<PlayerData> moved = start(b, "hop");

        assertThat(cluster.clock.elapsed()).isZero();
        assertThat(moved.data().coins).isEqualTo(50);
        assertThat(moved.epoch()).isGreaterThan(held.epoch());
        assertThat(held.isActive()).isFalse();
        assertThat(lastSaves).containsExactly(LastSaveReason.EXTERNAL);
        assertThat(cluster.clock.pendingTimers()).as("no poll left behind").isLessThanOrEqualTo(4);
    }

    @Test
    void aHoldersRelease_isOneWriteWithoutARead_whenTheRequestSaysWhatItChanged() {
        start(a, "hop").data().coins = 7;
        long readsBefore = a.storage().reads.get();
        long writesBefore = a.storage().writes.get();

        Profile<PlayerData> moved = start(b, "hop");

        assertThat(moved.data().coins).isEqualTo(7);
        assertThat(a.storage().reads.get() - readsBefore).as("holder reads during the handoff").isZero();
        assertThat(a.storage().writes.get() - writesBefore).as("holder writes: the release, first time").isEqualTo(1);
    }

    @Test
    void aLiveHandoff_isOneStoreWrite_theHoldersLastSaveHandsTheLockToTheRequester() {
        Profile<PlayerData> held = start(a, "hop");
        held.data().coins = 7;
        long holderReads = a.storage().reads.get();
        long holderWrites = a.storage().writes.get();
        long requesterReads = b.storage().reads.get();
        long requesterWrites = b.storage().writes.get();

        Profile<PlayerData> moved = start(b, "hop");

        assertThat(held.isActive()).isFalse();
        assertThat(moved.data().coins).as("the holder's last save").isEqualTo(7);
        assertThat(moved.epoch()).as("a new epoch").isGreaterThan(held.epoch());
        assertThat(a.storage().writes.get() - holderWrites).as("holder writes: its last save, which hands over")
                .isEqualTo(1);
        assertThat(a.storage().reads.get() - holderReads).as("holder reads").isZero();
        assertThat(b.storage().writes.get() - requesterWrites).as("requester writes: none, the lock came with the save")
                .isZero();
        assertThat(b.storage().reads.get() - requesterReads).as("requester reads: the one that found the holder")
                .isEqualTo(1);
        assertThat(done(a.store().getAsync("hop")).orElseThrow().session()).as("the stored lock")
                .contains(moved.sessionInfo());
        moved.data().coins = 8;
        done(moved.endSessionAsync());
        assertThat(stored("hop").coins).as("the new holder writes on the record it was handed").isEqualTo(8);
    }

    @Test
    void aHandoffOfARecordTooLargeForTheNotice_hasTheRequesterReadIt() {
        // Over what the transport carries, or over the 64 KiB the engine ever sends with a notice.
        String big = "x".repeat(Math.min(a.messaging().maxPayload(), 64 * 1024) + 1_000);
        Profile<PlayerData> held = start(a, "big");
        held.data().items.add(big);
        long requesterReads = b.storage().reads.get();
        long requesterWrites = b.storage().writes.get();

        Profile<PlayerData> moved = start(b, "big");

        assertThat(moved.data().items).containsExactly(big);
        assertThat(b.storage().reads.get() - requesterReads).as("the read that found the holder, and the handed record")
                .isEqualTo(2);
        assertThat(b.storage().writes.get() - requesterWrites).as("still no write of the requester's own").isZero();
    }

    @Test
    void aHandoffOfA20KbRecord_onATransportThatCarriesIt_comesWithTheNotice() {
        org.junit.jupiter.api.Assumptions.assumeTrue(a.messaging().maxPayload() >= 40 * 1024,
                "the transport carries " + a.messaging().maxPayload() + " bytes (PostgreSQL's NOTIFY: 5,900)");
        String inventory = "x".repeat(20_000);
        Profile<PlayerData> held = start(a, "big");
        held.data().items.add(inventory);
        long requesterReads = b.storage().reads.get();

        Profile<PlayerData> moved = start(b, "big");

        assertThat(moved.data().items).containsExactly(inventory);
        assertThat(b.storage().reads.get() - requesterReads).as("requester reads: the one that found the holder")
                .isEqualTo(1);
    }

    @Test
    void aLockHandedToAStartThatGaveUp_isFreedWhenTheNoticeArrives() {
        Profile<PlayerData> held = start(a, "gone");
        boolean[] left = {false};
        a.messaging().delayNext(1); // the HANDED notice
        var moving = b.store().startSessionAsync("gone", SessionOptions.cancelWhen(() -> left[0]));
        assertThat(held.isActive()).as("the holder handed the lock over").isFalse();
        left[0] = true;
        cluster.advance(Duration.ofMillis(100)); // the requester's next check sees the cancel
        assertThat(((SessionStart.NotStarted<PlayerData>) done(moving)).reason()).isEqualTo(SessionStart.Reason.CANCELLED);
        assertThat(done(a.store().getAsync("gone")).orElseThrow().session()).as("handed, not yet freed").isPresent();

        a.messaging().deliverDelayed();

        assertThat(done(a.store().getAsync("gone")).orElseThrow().session()).as("freed on the notice").isEmpty();
        assertThat(start(cluster.server("server-c"), "gone").isActive()).isTrue();
    }

    @Test
    void aReleaseWhoseRequestHintIsStale_readsAndStillKeepsWhatChangedMeanwhile() {
        Profile<PlayerData> held = start(a, "hop");
        held.data().coins = 7;
        Cluster.Server c = cluster.server("server-c");
        // The holder is told only after a message lands on the record: the hint's revision is no longer current.
        b.messaging().delayNext(1);
        var moving = b.store().startSessionAsync("hop");
        c.messaging().dropNext(1); // so only the late TAKEOVER makes the holder write
        done(c.store().messageAsync("hop", Map.of("n", 1)));
        assertThat(held.isActive()).as("nothing told the holder yet").isTrue();
        b.messaging().deliverDelayed();

        Profile<PlayerData> moved = done(moving).orElseThrow();
        List<Integer> delivered = new ArrayList<>();
        moved.messageHandler((m, processed) -> delivered.add(m.body().get("n").asInt()));

        assertThat(held.isActive()).isFalse();
        assertThat(moved.data().coins).as("the holder's last save landed").isEqualTo(7);
        assertThat(delivered).as("the message written after the request survived the release").containsExactly(1);
    }

    @Test
    void handoffWithTheRequestLost_isCompletedByTheFirstFallbackPoll() {
        start(a, "hop");
        b.messaging().dropNext(1);
        var moving = b.store().startSessionAsync("hop");
        assertThat(moving).isNotDone();
        cluster.advance(Duration.ofMillis(99));
        assertThat(moving).isNotDone();
        cluster.advance(Duration.ofMillis(1));
        assertThat(done(moving).isStarted()).isTrue();
    }

    @Test
    void aLiveHolderThatNeverAnswers_isStolenFromAfterStealAfter() {
        Profile<PlayerData> held = start(a, "stuck");
        a.messaging().down = true; // alive and renewing its lease, but deaf
        var moving = b.store().startSessionAsync("stuck");
        cluster.advance(Duration.ofSeconds(39));
        assertThat(moving).isNotDone();
        cluster.advance(Duration.ofSeconds(1));
        Profile<PlayerData> stolen = done(moving).orElseThrow();
        assertThat(stolen.epoch()).isGreaterThan(held.epoch());
        assertThat(held.saveAsync()).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(SessionLostException.class);
    }

    @Test
    void aCrashedHoldersProfile_isTakenOverWithinTheLease() {
        Profile<PlayerData> held = start(a, "crash");
        held.data().coins = 7;
        done(held.saveAsync());
        held.data().coins = 8; // never saved: lost with the crash
        a.crash();
        var moving = b.store().startSessionAsync("crash");
        if (leasesOnManualClock()) {
            cluster.advance(lease().minusSeconds(1));
            assertThat(moving).as("the lease still runs").isNotDone();
            cluster.advance(Duration.ofSeconds(1)); // the requester looks again the moment the store's lease ends
            assertThat(moving).as("taken over within the lease of the last renewal").isDone();
        } else {
            assertThat(moving).as("the lease still runs").isNotDone();
            letLeaseRunOut(a);
            cluster.advance(Duration.ofSeconds(2)); // at most one fallback poll
        }
        Profile<PlayerData> taken = done(moving).orElseThrow();
        assertThat(taken.data().coins).as("the last acknowledged save survives").isEqualTo(7);
    }

    @Test
    void aStaleHoldersWriteAfterATakeover_isRejectedByTheStore() {
        Profile<PlayerData> held = start(a, "fenced");
        a.crash(); // a GC pause longer than the lease looks like this from outside
        var moving = b.store().startSessionAsync("fenced");
        letLeaseRunOut(a);
        cluster.advance(Duration.ofSeconds(2));
        Profile<PlayerData> taken = done(moving).orElseThrow();
        taken.data().coins = 1;
        done(taken.saveAsync());

        a.storage().down = false; // the paused server wakes up and saves
        held.data().coins = 1_000_000;
        assertThat(held.saveAsync()).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(SessionLostException.class);
        assertThat(stored("fenced").coins).isEqualTo(1);
        assertThat(held.isActive()).isFalse();
    }

    @Test
    void aProfileReleasedForARequester_isNotTakenByANewcomerFirst() {
        Profile<PlayerData> held = start(a, "reserved");
        a.messaging().dropNext(1); // the "released" notice to B is lost: B will find out at its next poll
        var requester = b.store().startSessionAsync("reserved");
        assertThat(held.isActive()).isFalse();
        assertThat(requester).isNotDone();
        var newcomer = a.store().startSessionAsync("reserved"); // the old holder wants it back at once
        cluster.advance(Duration.ofMillis(100));
        assertThat(done(requester).isStarted()).as("the requester the profile was released for gets it").isTrue();
        cluster.advance(Duration.ofSeconds(1));
        assertThat(done(newcomer).isStarted()).as("the newcomer then asks and gets it in turn").isTrue();
    }

    @Test
    void lastRequesterWins_andTheEarlierOneIsToldWhy() {
        start(a, "contested");
        a.messaging().down = true;
        var first = b.store().startSessionAsync("contested");
        Cluster.Server c = cluster.server("server-c");
        var second = c.store().startSessionAsync("contested");
        // Both asks by message are lost; both requests are written at the first poll, server-c's last, and
        // server-b learns it lost at its next poll.
        cluster.advance(Duration.ofMillis(500));
        var lost = (SessionStart.NotStarted<PlayerData>) done(first);
        assertThat(lost.reason()).isEqualTo(SessionStart.Reason.LOST_TO_ANOTHER_REQUEST);
        assertThat(lost.detail()).contains("server-c");
        cluster.advance(Duration.ofSeconds(40));
        assertThat(done(second).isStarted()).isTrue();
    }

    @Test
    void cancelledStart_givesUpAtTheNextCheck_andLeavesNoLock() {
        start(a, "cancel");
        a.messaging().down = true;
        boolean[] left = {false};
        var moving = b.store().startSessionAsync("cancel", SessionOptions.cancelWhen(() -> left[0]));
        left[0] = true;
        cluster.advance(Duration.ofSeconds(2));
        assertThat(((SessionStart.NotStarted<PlayerData>) done(moving)).reason()).isEqualTo(SessionStart.Reason.CANCELLED);
        assertThat(done(a.store().getAsync("cancel")).orElseThrow().session()).map(s -> s.serverId()).contains("server-a");
        a.messaging().down = false;
        Profile<PlayerData> held = a.store().activeProfile("cancel").orElseThrow();
        done(held.saveAsync());
        assertThat(held.isActive()).as("the withdrawn request does not make the holder release").isTrue();
    }

    @Test
    void shutdown_endsEverySessionWithALastSave_andDropsTheLease() {
        List<LastSaveReason> reasons = new ArrayList<>();
        for (String key : List.of("s1", "s2", "s3")) {
            Profile<PlayerData> p = start(a, key);
            p.data().coins = key.hashCode();
            p.onLastSave().connect(reasons::add);
        }
        CompletableFuture<Void> closing = a.store().closeAsync();
        assertThat(a.store().isClosing()).isTrue();
        done(closing);
        assertThat(reasons).containsExactly(LastSaveReason.SHUTDOWN, LastSaveReason.SHUTDOWN, LastSaveReason.SHUTDOWN);
        for (String key : List.of("s1", "s2", "s3")) {
            ProfileView<PlayerData> view = done(b.store().getAsync(key)).orElseThrow();
            assertThat(view.data().coins).isEqualTo(key.hashCode());
            assertThat(view.session()).isEmpty();
        }
        assertThat(cluster.shared.isLeaseLive(a.store().leaseId())).isFalse();
        assertThat(((SessionStart.NotStarted<PlayerData>) done(a.store().startSessionAsync("s4"))).reason())
                .isEqualTo(SessionStart.Reason.CLOSING);
    }

    // ---------------------------------------------------------------- auto-save and cost


    @Test
    void unchangedProfiles_costNoWrites_andChangedOnesAreSavedOncePerPeriod() {
        List<Profile<PlayerData>> profiles = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            profiles.add(start(a, "idle-" + i));
        }
        long before = a.storage().writes.get();
        cluster.advance(Duration.ofHours(1));
        assertThat(a.storage().writes.get() - before).as("idle profiles cost no writes in an hour").isZero();

        profiles.get(0).data().coins = 1;
        before = a.storage().writes.get();
        cluster.advance(Duration.ofSeconds(300));
        assertThat(a.storage().writes.get() - before).isEqualTo(1);
        assertThat(stored("idle-0").coins).isEqualTo(1);
    }

    @Test
    void autoSaves_areSpreadEvenlyOverThePeriod() {
        for (int i = 0; i < 10; i++) {
            start(a, "spread-" + i).data().coins = 1;
        }
        cluster.advance(Duration.ofSeconds(300)); // past the fresh-profile skip
        List<Long> writesPerStep = new ArrayList<>();
        for (int step = 0; step < 10; step++) {
            long before = a.storage().writes.get();
            // change everything so each turn writes
            cluster.advance(Duration.ofSeconds(30));
            writesPerStep.add(a.storage().writes.get() - before);
            for (int i = 0; i < 10; i++) {
                a.store().activeProfile("spread-" + i).orElseThrow().data().coins++;
            }
        }
        assertThat(writesPerStep).as("one save every period / n").allMatch(n -> n <= 1);
        assertThat(writesPerStep.stream().mapToLong(Long::longValue).sum()).isGreaterThanOrEqualTo(9);
    }

    // ---------------------------------------------------------------- bad input


    @Test
    void oversizeData_failsTheSaveWithDataTooLarge_andKeepsTheSessionAndTheLastSave() {
        Cluster.Server small = cluster.server("server-small", b -> b.maxDataBytes(2_000));
        Profile<PlayerData> p = start(small, "big");
        p.data().coins = 1;
        done(p.saveAsync());
        List<StoreError> errors = new ArrayList<>();
        small.store().onError().connect(errors::add);
        p.data().items.add("x".repeat(5_000));
        assertThat(p.saveAsync()).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(dev.profilestore.DataTooLargeException.class)
                .withMessageContaining("big").withMessageContaining("2000");
        assertThat(p.isActive()).isTrue();
        assertThat(errors).isNotEmpty();
        assertThat(stored("big").items).isEmpty();
        assertThat(stored("big").coins).isEqualTo(1);
        p.data().items.clear();
        p.data().coins = 2;
        done(p.saveAsync());
        assertThat(stored("big").coins).isEqualTo(2);
    }

    @Test
    void anUnreachableStore_failsSavesWithoutEndingTheSession_andEntersCriticalState() {
        Profile<PlayerData> p = start(a, "outage");
        List<Boolean> toggles = new ArrayList<>();
        a.store().onCriticalToggle().connect(toggles::add);
        a.storage().down = true;
        for (int i = 0; i < 5; i++) {
            p.data().coins = i + 1;
            assertThat(p.saveAsync()).failsWithin(Duration.ZERO).withThrowableThat()
                    .withCauseInstanceOf(dev.profilestore.StorageException.class);
        }
        assertThat(p.isActive()).isTrue();
        assertThat(a.store().isCriticalState()).isTrue();
        assertThat(toggles).containsExactly(true);
        a.storage().down = false;
        done(p.saveAsync());
        assertThat(stored("outage").coins).isEqualTo(5);
        cluster.advance(Duration.ofSeconds(250));
        assertThat(toggles).containsExactly(true, false);
    }

    @Test
    void aStartThatCannotReachTheStore_timesOutWithAReason() {
        Cluster.Server down = cluster.server("server-down");
        down.storage().down = true;
        var starting = down.store().startSessionAsync("unreachable");
        cluster.advance(Duration.ofSeconds(119));
        assertThat(starting).isNotDone();
        cluster.advance(Duration.ofSeconds(21));
        assertThat(((SessionStart.NotStarted<PlayerData>) done(starting)).reason()).isEqualTo(SessionStart.Reason.TIMED_OUT);
    }

    @Test
    void aNewerDataFormat_isRefusedAndLeftUntouched() {
        Cluster.Server newer = cluster.server("server-new", b -> b.formatVersion(2).migration(1, n -> n));
        Profile<PlayerData> p = start(newer, "format");
        p.data().coins = 9;
        done(p.endSessionAsync());
        long revision = cluster.shared.read(STORE, "format").orElseThrow().revision();

        var outcome = (SessionStart.NotStarted<PlayerData>) done(a.store().startSessionAsync("format"));
        assertThat(outcome.reason()).isEqualTo(SessionStart.Reason.UNSUPPORTED_FORMAT);
        assertThat(outcome.detail()).contains("2").contains("1");
        assertThat(cluster.shared.read(STORE, "format").orElseThrow().revision()).isEqualTo(revision);
        assertThat(a.store().getAsync("format")).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(UnsupportedFormatException.class);
    }

    @Test
    void olderDataFormats_areMigratedOnLoad() {
        Profile<PlayerData> p = start(a, "migrate");
        p.data().coins = 10;
        done(p.endSessionAsync());
        Cluster.Server newer = cluster.server("server-new", b -> b.formatVersion(2)
                .migration(1, n -> ((ObjectNode) n).put("coins", n.get("coins").asInt() * 100)));
        assertThat(start(newer, "migrate").data().coins).isEqualTo(1_000);
    }

    // ---------------------------------------------------------------- beyond the original


    @Test
    void aTradeSavesBothProfilesOrNeither() {
        org.junit.jupiter.api.Assumptions.assumeTrue(cluster.shared.capabilities().atomicMultiWrite());
        Profile<PlayerData> alice = start(a, "alice");
        Profile<PlayerData> bob = start(a, "bob");
        alice.data().items.add("sword");
        done(a.store().saveAllAsync(List.of(alice, bob)));
        bob.data().items.add(alice.data().items.remove(0));
        bob.data().coins -= 10;
        alice.data().coins += 10;
        done(a.store().saveAllAsync(List.of(alice, bob)));
        assertThat(stored("alice").items).isEmpty();
        assertThat(stored("bob").items).containsExactly("sword");

        done(b.store().startSessionAsync("bob", SessionOptions.stealing()));
        alice.data().coins += 500;
        bob.data().coins -= 500;
        assertThat(a.store().saveAllAsync(List.of(alice, bob))).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(SessionLostException.class);
        assertThat(stored("alice").coins).as("nothing of the failed trade was written").isEqualTo(10);
    }

    // ---------------------------------------------------------------- messages cap

    @Test
    void messagesBeyondTheCap_dropTheOldest_andSayHowMany() {
        Cluster.Server capped = cluster.server("server-capped", b -> b.maxMessages(3));
        List<Integer> dropped = new ArrayList<>();
        capped.store().onMessagesDropped().connect(d -> dropped.add(d.count()));
        for (int i = 1; i <= 5; i++) {
            done(capped.store().messageAsync("cap", Map.of("n", i)));
        }
        assertThat(dropped).containsExactly(1, 1);
        Profile<PlayerData> p = start(capped, "cap");
        List<Integer> seen = new ArrayList<>();
        p.messageHandler((ProfileMessage m, Runnable processed) -> seen.add(m.body().get("n").asInt()));
        assertThat(seen).containsExactly(3, 4, 5);
    }
}
