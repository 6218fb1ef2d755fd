package dev.profilestore.admin;

import dev.profilestore.CorruptProfileException;
import dev.profilestore.Profile;
import dev.profilestore.ProfileMessage;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionLostException;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What an operator tool reads from a record is what the sessions that wrote it did: records here are written by real
 * stores on one in-memory storage, on a manual clock and with every executor inline, so each call has finished when
 * it returns.
 */
class ProfileRecordsTest {

    /** The document. */
    public static final class Wallet {
        public int coins;
    }

    private static final String STORE = "Players";

    private final ManualScheduler clock = new ManualScheduler();
    private final InMemoryStorage storage = new InMemoryStorage(clock, 10);
    private final InMemoryMessaging hub = new InMemoryMessaging();
    private final List<ProfileStore<Wallet>> servers = new ArrayList<>();

    @AfterEach
    void closeServers() {
        for (ProfileStore<Wallet> s : servers) {
            var closing = s.closeAsync();
            clock.advance(Duration.ofMinutes(1));
            assertThat(closing).isDone();
        }
    }

    /** A server on the shared storage; {@code messaging} decides whom its hints reach. */
    private ProfileStore<Wallet> server(String id, InMemoryMessaging messaging) {
        ProfileStore<Wallet> store = ProfileStore.builder(STORE, Wallet.class, Wallet::new)
                .storage(storage).messaging(messaging).appId("game").serverId(id).scheduler(clock)
                .callbackExecutor(Runnable::run).ioExecutor(Runnable::run).build();
        servers.add(store);
        return store;
    }

    private static <R> R done(CompletableFuture<R> future) {
        assertThat(future).as("finished without waiting for time").isDone();
        return future.join();
    }

    private StoredRecord stored(String key) {
        return storage.read(STORE, key).orElseThrow();
    }

    /** Alice after one finished session (10 coins, user 42, a tier) and a second one game-1 still holds. */
    private Profile<Wallet> aliceHeldByGame1(ProfileStore<Wallet> game1) {
        Profile<Wallet> first = game1.startSession("alice", SessionOptions.defaults()).orElseThrow();
        first.data().coins = 10;
        first.addUserId(42);
        first.metadata().put("tier", "gold");
        first.endSession();
        clock.advance(Duration.ofSeconds(1));
        return game1.startSession("alice", SessionOptions.defaults()).orElseThrow();
    }

    @Test
    void aRecordWrittenByASession_decodesToThatSessionsLockEpochMessagesAndUserIds() {
        ProfileStore<Wallet> game1 = server("game-1", hub);
        Profile<Wallet> held = aliceHeldByGame1(game1);
        done(game1.messageAsync("alice", Map.of("gift", "sword")));

        StoredProfile p = ProfileRecords.decode(stored("alice").payload());

        assertThat(p.messageBox()).isFalse();
        assertThat(p.lock()).as("the holder, as the session knows itself").contains(held.sessionInfo());
        assertThat(p.lock().orElseThrow().epoch()).isEqualTo(held.epoch());
        assertThat(p.loadCount()).isEqualTo(2);
        assertThat(p.takeover()).isEmpty();
        assertThat(p.data().path("coins").asInt()).as("the last saved data").isEqualTo(10);
        assertThat(p.dataVersion()).isEqualTo(1);
        assertThat(p.userIds()).containsExactly(42L);
        assertThat(p.metadata().path("tier").asText()).isEqualTo("gold");
        assertThat(p.messages()).extracting(ProfileMessage::id).containsExactly(1L);
        assertThat(p.messages().getFirst().body().path("gift").asText()).isEqualTo("sword");
        assertThat(p.createdAt()).isEqualTo(clock.instant().minusSeconds(1));
        assertThat(p.lastUpdateAt()).as("its latest write: the second session's start").isEqualTo(clock.instant());
    }

    @Test
    void messagesToAKeyThatNeverHadASession_decodeAsAMessageBox_holdingOnlyThem() {
        ProfileStore<Wallet> game1 = server("game-1", hub);
        done(game1.messageAsync("newcomer", Map.of("gift", "sword")));
        done(game1.messageAsync("newcomer", Map.of("gift", "shield")));
        byte[] payload = stored("newcomer").payload();

        StoredProfile box = ProfileRecords.decode(payload);

        assertThat(box.messageBox()).isTrue();
        assertThat(box.messages()).extracting(m -> m.body().path("gift").asText()).containsExactly("sword", "shield");
        assertThat(box.data().isMissingNode()).isTrue();
        assertThat(box.lock()).isEmpty();
        assertThat(box.loadCount()).isZero();
        assertThat(box.userIds()).isEmpty();
        assertThat(ProfileRecords.decode(ProfileRecords.withoutLock(payload))).as("nothing to clear").isEqualTo(box);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "not json at all;not JSON",
            "[1,2,3];not a JSON object",
            "{\"Data\":{},\"MetaData\":{}};not written by this library",
            "{\"format\":\"profilestore/1\",\"messages\":{\"lastId\":0,\"items\":[]},\"meta\":{}};\"data\"",
            "{\"format\":\"profilestore/1\",\"messages\":{\"lastId\":0,\"items\":[]},\"data\":{},\"dataVersion\":1,"
                    + "\"meta\":{\"createdMs\":0,\"loadCount\":1},\"userIds\":[\"x\"]};userIds"})
    void aForeignOrCorruptPayload_isCorruptProfileException_namingTheProblem(String payload, String problem) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ProfileRecords.decode(bytes))
                .isInstanceOf(CorruptProfileException.class).hasMessageContaining(problem);
        assertThatThrownBy(() -> ProfileRecords.withoutLock(bytes))
                .isInstanceOf(CorruptProfileException.class).hasMessageContaining(problem);
    }

    @Test
    void withoutLock_clearsTheLockAndTakeoverRequest_keepsEverythingElse_andANewSessionStartsOnIt() {
        ProfileStore<Wallet> game1 = server("game-1", hub);
        Profile<Wallet> held = aliceHeldByGame1(game1);
        done(game1.messageAsync("alice", Map.of("gift", "sword")));
        // game-2's hints go to a hub game-1 does not listen on, so its request stays pending in the record.
        var waiting = server("game-2", new InMemoryMessaging()).startSessionAsync("alice");
        assertThat(waiting).isNotDone();
        // Its first ask is a message alone; unanswered by the first poll, the request is written into the record.
        clock.advance(Duration.ofMillis(100));
        assertThat(waiting).isNotDone();
        StoredRecord before = stored("alice");
        StoredProfile locked = ProfileRecords.decode(before.payload());
        assertThat(locked.lock()).isPresent();
        assertThat(locked.takeover()).hasValueSatisfying(t -> assertThat(t.serverId()).isEqualTo("game-2"));

        byte[] cleared = ProfileRecords.withoutLock(before.payload());
        WriteResult written = storage.write(STORE, "alice", before.revision(),
                new RecordWrite(cleared, Set.copyOf(locked.userIds()), RecordWrite.Versioning.NONE));
        assertThat(written).isInstanceOf(WriteResult.Written.class);

        assertThat(ProfileRecords.decode(stored("alice").payload())).isEqualTo(new StoredProfile(false, locked.data(),
                locked.dataVersion(), locked.loadCount(), locked.createdAt(), locked.lastUpdateAt(), Optional.empty(),
                Optional.empty(), locked.messages(), locked.userIds(), locked.metadata()));
        SessionStart<Wallet> start = server("game-3", hub).startSession("alice", SessionOptions.defaults());
        Profile<Wallet> taken = ((SessionStart.Started<Wallet>) start).profile();
        assertThat(taken.epoch()).isGreaterThan(locked.lock().orElseThrow().epoch());
        assertThat(taken.data().coins).isEqualTo(10);
        Throwable oldHoldersSave = done(held.saveAsync().handle((ok, e) -> e));
        assertThat(oldHoldersSave).as("the old holder is fenced out").isInstanceOf(SessionLostException.class);
    }
}
