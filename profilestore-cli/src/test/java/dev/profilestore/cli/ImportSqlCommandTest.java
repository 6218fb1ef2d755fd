package dev.profilestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.StoreConnection;
import dev.profilestore.mysql.EmbeddedMariaDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code profilestore import-sql} from another plugin's table (one JSON document per player) in a real SQLite file
 * and a real MariaDB server, into a store that a game server then loads.
 */
class ImportSqlCommandTest {

    @TempDir
    Path dir;

    /** The other plugin's table: uuid, numeric id, JSON stats, join time; with the kinds of bad rows found in the wild. */
    private static void createLegacyTable(Connection c, String table) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (uuid VARCHAR(64), account BIGINT, stats TEXT, joined VARCHAR(40))");
            s.execute("INSERT INTO " + table + " VALUES"
                    + " ('aaa', 1, '{\"coins\": 10, \"rank\": \"gold\"}', '2019-05-01T10:00:00Z'),"
                    + " ('bbb', 2, '{\"coins\": 20}', '2020-01-02T03:04:05Z'),"
                    + " ('ccc', 3, 'not json at all', '2020-01-02T03:04:05Z'),"
                    + " ('aaa', 4, '{\"coins\": 99}', '2021-01-01T00:00:00Z'),"
                    + " ('ddd', 5, '{\"blob\": \"" + "x".repeat(3000) + "\"}', '2021-01-01T00:00:00Z'),"
                    + " (NULL, 6, '{\"coins\": 1}', '2021-01-01T00:00:00Z'),"
                    + " ('eee', 7, '{\"coins\": 70}', 'yesterday')");
        }
    }

    private static CliRun importFrom(String jdbc, String table, String store, String... more) {
        String[] base = {"import-sql", "--from-jdbc", jdbc, "--query",
                "SELECT uuid, account, stats, joined FROM " + table + " ORDER BY account", "--key-column", "uuid",
                "--key-prefix", "player-", "--data-column", "stats", "--user-id-column", "account",
                "--first-session-column", "joined", "--max-bytes", "2000", "--store", store, "--store-name", "Players"};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliRun.of(args);
    }

    private static void assertImported(CliRun run, String store) throws Exception {
        assertThat(run.exit()).as(run.toString()).isEqualTo(CliException.EXIT_BAD_INPUT);
        assertThat(run.out()).contains("imported 2 profile(s)").contains("5 row(s) rejected");
        assertThat(run.err()).contains("row 3: does not map: column 'stats' is not JSON")
                .contains("row 4 (key 'player-aaa'): repeats the key of row 1")
                .contains("row 5 (key 'player-ddd'): its record would be")
                .contains("row 6: does not map: column 'uuid' is NULL")
                .contains("row 7: does not map: column 'joined' is not a time");
        try (StoreConnection c = StoreConnection.open(store);
             ProfileStore<JsonNode> game = MigrationFixtures.server(c, "Players", "game-server")) {
            assertThat(c.storage().listKeys("Players", null, 10)).containsExactly("player-aaa", "player-bbb");
            Profile<JsonNode> aaa = game.startSession("player-aaa").orElseThrow();
            assertThat(aaa.data().get("rank").asText()).isEqualTo("gold");
            assertThat(aaa.firstSessionTime()).isEqualTo(Instant.parse("2019-05-01T10:00:00Z"));
            aaa.endSession();
            assertThat(c.storage().keysByUserId("Players", 2L)).containsExactly("player-bbb");
        }
    }

    @Test
    void fromASqliteTable_importsTheGoodRows_reportsEachBadOne_andSkipsExistingProfilesWhenRunAgain() throws Exception {
        String jdbc = "jdbc:sqlite:" + dir.resolve("legacy.db");
        try (Connection c = DriverManager.getConnection(jdbc)) {
            createLegacyTable(c, "plugin_players");
        }
        String store = "sqlite:" + dir.resolve("profiles.db");

        assertImported(importFrom(jdbc, "plugin_players", store), store);

        CliRun again = importFrom(jdbc, "plugin_players", store, "--json");
        assertThat(Output.PLAIN.readTree(again.out()).at("/report/skipped").asLong()).isEqualTo(2);
        CliRun overwrite = importFrom(jdbc, "plugin_players", store, "--overwrite", "--json");
        assertThat(Output.PLAIN.readTree(overwrite.out()).at("/report/overwritten").asLong()).isEqualTo(2);
        try (StoreConnection c = StoreConnection.open(store)) {
            assertThat(c.storage().pinnedVersions("Players", "player-aaa")).as("the replaced record, kept").hasSize(1);
        }
    }

    @Test
    void fromAMariaDbTable() throws Exception {
        String uri = EmbeddedMariaDb.uri(); // mysql://root@localhost:PORT/profilestore
        String jdbc = "jdbc:mariadb://" + uri.substring(uri.indexOf('@') + 1) + "?user=root";
        String table = "legacy_players_" + System.nanoTime(); // the server is shared with other tests
        try (Connection c = DriverManager.getConnection(jdbc)) {
            createLegacyTable(c, table);
        }
        String store = "sqlite:" + dir.resolve("from-mariadb.db");
        assertImported(importFrom(jdbc, table, store), store);
    }
}
