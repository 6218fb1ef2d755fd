package dev.profilestore.minecraft;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The player-session policy over two servers sharing one store: logins, quits, both hop orders, losses. */
class PlayerSessionsTest {

    /** The profile: coins. */
    public static final class Coins {
        public long coins;
    }

    private final InMemoryStorage storage = new InMemoryStorage();
    private final InMemoryMessaging hub = new InMemoryMessaging();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private PlayerSessions<Coins> server(String id, PolicySettings settings) {
        ProfileStore<Coins> store = ProfileStore.builder("Players", Coins.class, Coins::new)
                .storage(storage).messaging(hub).serverId(id).build();
        var sessions = new PlayerSessions<>(store, settings);
        closing.add(sessions);
        return sessions;
    }

    private TestPlayer player(String name) {
        var p = new TestPlayer(name);
        closing.add(p);
        return p;
    }

    private static <T> Profile<T> allowed(LoginResult<T> result) {
        assertThat(result).isInstanceOf(LoginResult.Allowed.class);
        return ((LoginResult.Allowed<T>) result).profile();
    }

    private static boolean change(PlayerSessions<Coins> server, TestPlayer player, long coins) {
        return CompletableFuture.supplyAsync(() -> server.change(player, d -> d.coins += coins), player.executor()).join();
    }

    private static long stored(PlayerSessions<Coins> server, TestPlayer player) {
        return server.store().getAsync(PlayerSessions.keyOf(player.id())).join().orElseThrow().data().coins;
    }

    @Test
    void login_loadsTheProfile_andQuit_savesIt() {
        var a = server("a", PolicySettings.defaults());
        var steve = player("steve");
        allowed(a.loginAsync(steve).join());
        assertThat(change(a, steve, 5)).isTrue();
        a.quitAsync(steve).join();
        assertThat(stored(a, steve)).isEqualTo(5);
        assertThat(change(a, steve, 1)).as("no profile after quit: the change is refused").isFalse();
    }

    @Test
    void aProfileThatDoesNotLoadInTime_refusesTheLoginWithAReason() {
        var a = server("a", PolicySettings.defaults());
        // A holder that never answers: a store without messaging (no release request reaches it) on the same storage.
        ProfileStore<Coins> deaf = ProfileStore.builder("Players", Coins.class, Coins::new)
                .storage(storage).withoutMessaging().serverId("deaf").build();
        closing.add(deaf);
        var steve = player("steve");
        deaf.startSession(PlayerSessions.keyOf(steve.id()), SessionOptions.defaults()).orElseThrow();
        var b = server("b", PolicySettings.defaults().withLoginTimeout(Duration.ofMillis(300)));
        var result = b.loginAsync(steve).join();
        assertThat(result).isInstanceOf(LoginResult.Refused.class);
        assertThat(((LoginResult.Refused<Coins>) result).message()).isEqualTo(PolicySettings.Messages.defaults().notLoaded());
        assertThat(b.size()).isZero();
        a.close();
        assertThat(a.loginAsync(player("alex")).join()).isInstanceOf(LoginResult.Refused.class)
                .extracting(r -> ((LoginResult.Refused<Coins>) r).message()).isEqualTo(PolicySettings.Messages.defaults().closing());
    }

    @Test
    void hopLeavingFirst_savesBeforeTheTransfer_refusesLaterChanges_andTheNextServerLoadsIt() {
        var a = server("a", PolicySettings.defaults());
        var b = server("b", PolicySettings.defaults());
        var steve = player("steve");
        allowed(a.loginAsync(steve).join());
        change(a, steve, 7);
        a.hopAsync(steve).join();
        assertThat(change(a, steve, 100)).as("a change after the last save is refused, not silently dropped").isFalse();
        var onB = steve.onAnotherServer();
        closing.add(onB);
        Profile<Coins> there = allowed(b.loginAsync(onB).join());
        assertThat(CompletableFuture.supplyAsync(() -> there.data().coins, onB.executor()).join()).isEqualTo(7);
        steve.connected = false;
        a.quitAsync(steve).join();
        assertThat(steve.kicks).isEmpty();
    }

    @Test
    void hopJoiningFirst_releasesOnA_withoutKickingThePlayerOnTheWayOut() {
        var a = server("a", PolicySettings.defaults().withHandoffGrace(Duration.ofSeconds(30)));
        var b = server("b", PolicySettings.defaults());
        var steve = player("steve");
        allowed(a.loginAsync(steve).join());
        change(a, steve, 3);
        var onB = steve.onAnotherServer();
        closing.add(onB);
        // The proxy connects to B while the player is still on A: B asks, A saves and releases (EXTERNAL).
        Profile<Coins> there = allowed(b.loginAsync(onB).join());
        assertThat(CompletableFuture.supplyAsync(() -> there.data().coins, onB.executor()).join()).isEqualTo(3);
        assertThat(change(a, steve, 1)).as("A no longer has the profile").isFalse();
        steve.connected = false; // the proxy disconnects the player from A
        a.quitAsync(steve).join();
        assertThat(steve.kicks).isEmpty();
    }

    @Test
    void aPlayerWhoStaysAfterTheProfileWasTakenOver_isKickedAfterTheGrace() {
        var a = server("a", PolicySettings.defaults().withHandoffGrace(Duration.ofMillis(200)));
        var b = server("b", PolicySettings.defaults());
        var steve = player("steve");
        allowed(a.loginAsync(steve).join());
        var onB = steve.onAnotherServer();
        closing.add(onB);
        allowed(b.loginAsync(onB).join());
        await().atMost(Duration.ofSeconds(10)).until(() -> !steve.kicks.isEmpty());
        assertThat(steve.kicks).containsExactly(PolicySettings.Messages.defaults().movedAway());
    }

    @Test
    void aLostSession_kicksAtOnce_withTheLostMessage() {
        var a = server("a", PolicySettings.defaults().withHandoffGrace(Duration.ofMinutes(5)));
        var steve = player("steve");
        Profile<Coins> profile = allowed(a.loginAsync(steve).join());
        ProfileStore<Coins> thief = ProfileStore.builder("Players", Coins.class, Coins::new)
                .storage(storage).messaging(hub).serverId("thief").build();
        closing.add(thief);
        thief.startSession(PlayerSessions.keyOf(steve.id()), SessionOptions.stealing()).orElseThrow();
        assertThat(profile.saveAsync()).failsWithin(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> !steve.kicks.isEmpty());
        assertThat(steve.kicks).containsExactly(PolicySettings.Messages.defaults().lost());
        assertThat(change(a, steve, 1)).isFalse();
    }

    @Test
    void theQuitOfAnOldConnection_doesNotEndTheSessionOfThePlayersNewOne() {
        var a = server("a", PolicySettings.defaults());
        var steve = player("steve");
        allowed(a.loginAsync(steve).join());
        var again = steve.onAnotherServer(); // the same player reconnecting to this server before its quit arrived
        closing.add(again);
        allowed(a.loginAsync(again).join());
        steve.connected = false;
        a.quitAsync(steve).join();
        assertThat(change(a, again, 2)).as("the new connection still has its profile").isTrue();
        assertThat(change(a, steve, 2)).as("the old one has none").isFalse();
        a.quitAsync(again).join();
        assertThat(stored(a, steve)).isEqualTo(2);
    }

    @Test
    void messagesReachTheOnlinePlayer_onItsThread_once() {
        var a = server("a", PolicySettings.defaults());
        List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        a.onMessage((player, profile, message, processed) -> {
            threads.add(Thread.currentThread().getName());
            profile.data().coins += message.body().asLong();
            processed.run();
        });
        var steve = player("steve");
        allowed(a.loginAsync(steve).join());
        a.store().messageAsync(PlayerSessions.keyOf(steve.id()), 40L).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> !threads.isEmpty());
        a.quitAsync(steve).join();
        assertThat(threads).containsExactly("steve-thread");
        assertThat(stored(a, steve)).isEqualTo(40);
    }
}
