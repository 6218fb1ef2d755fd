package dev.profilestore.examples;

import dev.profilestore.ProfileStore;
import dev.profilestore.ProfileView;
import dev.profilestore.StoreConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the example game server for a moment on a temporary SQLite file and reads back what it saved. */
class GameServerTest {

    @TempDir
    Path dir;

    private static ProfileView<PlayerData> read(Path file, String player) {
        try (StoreConnection connection = StoreConnection.open(Map.of("uri", "sqlite:" + file, "create", "false"));
             ProfileStore<PlayerData> store = ProfileStore.builder("PlayerStore", PlayerData.class, PlayerData::new)
                     .storage(connection.storage()).messaging(connection.messaging()).build()) {
            return store.getAsync(player).join().orElseThrow();
        }
    }

    @Test
    void theGameServer_savesEveryPlayersCoins_andReleasesTheirLocks() throws Exception {
        Path file = dir.resolve("game.db");
        GameServer.main(new String[] {"sqlite:" + file, "1.5"});

        for (String player : List.of("alice", "bob", "carol")) {
            ProfileView<PlayerData> view = read(file, player);
            assertThat(view.data().coins).as(player).isPositive();
            assertThat(view.session()).as(player + "'s lock was released").isEmpty();
        }

        // A second run continues from the saved coins: the profile is loaded, not made anew.
        int before = read(file, "alice").data().coins;
        GameServer.main(new String[] {"sqlite:" + file, "0.5"});
        assertThat(read(file, "alice").data().coins).isGreaterThan(before);
    }
}
