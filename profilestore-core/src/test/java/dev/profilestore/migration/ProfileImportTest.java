package dev.profilestore.migration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SaveCause;
import dev.profilestore.admin.ProfileRecords;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ProfileImport} from a JSON-lines file into a store, read back by a real {@link ProfileStore} with the
 * caller's data class: bad rows reported by line, good ones imported whole, existing and held profiles respected.
 */
class ProfileImportTest {

    /** The data class of the game, as a user would write it. */
    public record Player(String name, int coins) {}

    @TempDir
    Path dir;

    private final InMemoryStorage storage = new InMemoryStorage();
    private final ProfileStore<Player> game = ProfileStore.builder("Players", Player.class, () -> new Player("", 0))
            .storage(storage).withoutMessaging().serverId("game-server").build();

    @AfterEach
    void close() {
        game.close();
    }

    /** Rows of the other plugin's export: {"id", "name", "coins", "joined"}. */
    private static final RowMapper<JsonNode, Player> MAPPER = row -> new ImportedProfile<>(
            "player-" + row.required("id").asLong(),
            new Player(row.required("name").asText(), row.required("coins").asInt()),
            Set.of(row.required("id").asLong()), Instant.parse(row.required("joined").asText()));

    private Path file(String... lines) throws Exception {
        return Files.write(dir.resolve("export.jsonl"), List.of(lines));
    }

    @Test
    void rowsBecomeProfilesAServerLoads_andEachBadRowIsReportedByLine_withNothingOfItWritten() throws Exception {
        Path file = file(
                "{\"id\": 1, \"name\": \"Ann\", \"coins\": 10, \"joined\": \"2019-05-01T10:00:00Z\"}",
                "{\"id\": 2, \"name\": \"Bob\", \"coins\": 20, \"joined\": \"2020-01-02T03:04:05Z\"}",
                "this is not json",
                "",
                "{\"id\": 3, \"coins\": 5, \"joined\": \"2021-01-01T00:00:00Z\"}",
                "{\"id\": 1, \"name\": \"Ann again\", \"coins\": 99, \"joined\": \"2019-05-01T10:00:00Z\"}",
                "{\"id\": 4, \"name\": \"" + "x".repeat(5000) + "\", \"coins\": 1, \"joined\": \"2021-01-01T00:00:00Z\"}",
                "{\"id\": 5, \"name\": \"Eve\", \"coins\": 50, \"joined\": \"2022-07-08T09:10:11Z\"}");

        ImportReport report = ProfileImport.into(storage, "Players", MAPPER).maxRecordBytes(2000)
                .run(JsonLines.open(file));

        assertThat(report.created()).isEqualTo(3);
        assertThat(report.rejected()).extracting(RowProblem::row).containsExactly(3L, 5L, 6L, 7L);
        assertThat(report.rejected().get(0).problem()).startsWith("not JSON");
        assertThat(report.rejected().get(1).problem()).startsWith("does not map").contains("name");
        assertThat(report.rejected().get(2).problem()).isEqualTo("repeats the key of row 1; only the first row of a"
                + " key is considered");
        assertThat(report.rejected().get(3).key()).isEqualTo("player-4");
        assertThat(report.rejected().get(3).problem()).contains("over the limit of 2000");
        assertThat(storage.listKeys("Players", null, 10)).containsExactly("player-1", "player-2", "player-5");

        Profile<Player> ann = game.startSession("player-1").orElseThrow();
        assertThat(ann.data()).isEqualTo(new Player("Ann", 10));
        assertThat(ann.firstSessionTime()).isEqualTo(Instant.parse("2019-05-01T10:00:00Z"));
        assertThat(ann.userIds()).containsExactly(1L);
        ann.endSession();
        assertThat(storage.keysByUserId("Players", 5L)).containsExactly("player-5");
        assertThat(storage.versions("Players", "player-5", VersionRange.all(10))).singleElement()
                .satisfies(v -> assertThat(v.cause()).as("the imported value's version").isEqualTo(SaveCause.OPERATOR));
    }

    @Test
    void anExistingProfile_isSkipped_orOverwrittenKeepingTheOldValueAsAPinnedVersionAndItsMessages() throws Exception {
        Profile<Player> p = game.startSession("player-1").orElseThrow();
        game.callbackExecutor().execute(() -> p.setData(new Player("Ann (played here)", 500)));
        p.endSession();
        game.messageAsync("player-1", "a gift").join();
        byte[] before = storage.read("Players", "player-1").orElseThrow().payload();
        Path file = file("{\"id\": 1, \"name\": \"Ann\", \"coins\": 10, \"joined\": \"2019-05-01T10:00:00Z\"}");

        ImportReport skip = ProfileImport.into(storage, "Players", MAPPER).run(JsonLines.open(file));
        assertThat(skip.skipped()).isEqualTo(1);
        assertThat(storage.read("Players", "player-1").orElseThrow().payload()).isEqualTo(before);

        ImportReport overwrite = ProfileImport.into(storage, "Players", MAPPER)
                .existing(ProfileImport.Existing.OVERWRITE).run(JsonLines.open(file));
        assertThat(overwrite.overwritten()).isEqualTo(1);
        StoredRecord now = storage.read("Players", "player-1").orElseThrow();
        assertThat(ProfileRecords.decode(now.payload()).data().get("name").asText()).isEqualTo("Ann");
        assertThat(ProfileRecords.decode(now.payload()).messages()).as("the pending message stays").hasSize(1);
        String kept = storage.pinnedVersions("Players", "player-1").iterator().next();
        assertThat(storage.readVersion("Players", "player-1", kept).orElseThrow().payload()).isEqualTo(before);
        assertThat(storage.versions("Players", "player-1", VersionRange.all(10)))
                .filteredOn(v -> v.versionId().equals(kept)).singleElement()
                .satisfies(v -> assertThat(v.cause()).isEqualTo(SaveCause.REPLACED));
    }

    @Test
    void aProfileALiveServerHolds_isRejectedAndLeftAsItIs() throws Exception {
        Profile<Player> held = game.startSession("player-1").orElseThrow();
        byte[] before = storage.read("Players", "player-1").orElseThrow().payload();
        Path file = file("{\"id\": 1, \"name\": \"Ann\", \"coins\": 10, \"joined\": \"2019-05-01T10:00:00Z\"}",
                "{\"id\": 2, \"name\": \"Bob\", \"coins\": 20, \"joined\": \"2020-01-02T03:04:05Z\"}");

        ImportReport report = ProfileImport.into(storage, "Players", MAPPER)
                .existing(ProfileImport.Existing.OVERWRITE).run(JsonLines.open(file));

        assertThat(report.rejected()).singleElement().satisfies(r -> {
            assertThat(r.row()).isEqualTo(1);
            assertThat(r.problem()).contains("held by live server game-server");
        });
        assertThat(report.created()).isEqualTo(1);
        assertThat(storage.read("Players", "player-1").orElseThrow().payload()).isEqualTo(before);
        assertThat(held.isActive()).isTrue();
        held.endSession();
    }
}
