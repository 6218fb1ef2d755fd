package dev.profilestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionEndReason;
import dev.profilestore.SessionLostException;
import dev.profilestore.SessionOptions;
import dev.profilestore.console.AuditEntry;
import dev.profilestore.console.AuditLog;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.sqlite.SqliteStorage;
import dev.profilestore.testkit.PlayerData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Every operator command and every bad input, on real SQLite files. A game server ("game-1", a real ProfileStore on
 * the same file) holds one profile during each test, so the lock protocol is exercised for real.
 */
class OperatorCommandsTest {

    @TempDir
    Path dir;

    private Path db;
    private String uri;
    private SqliteStorage storage;
    private Messaging messaging;
    private ProfileStore<PlayerData> game;
    private Profile<PlayerData> held;
    private final List<SessionEndReason> heldEnds = new CopyOnWriteArrayList<>();

    @BeforeEach
    void createStore() {
        db = dir.resolve("ops.db");
        uri = "sqlite:" + db;
        storage = SqliteStorage.open(db);
        messaging = storage.openMessaging();
        game = ProfileStore.builder("PlayerStore", PlayerData.class, PlayerData::new)
                .storage(storage).messaging(messaging).serverId("game-1").build();
        session("alice", 10, null);
        session("alice", 20, null);
        session("bob", 5, 42L);
        game.messageAsync("bob", Map.of("gift", "sword")).join();
        game.messageAsync("bob", Map.of("gift", "shield")).join();
        session("held", 1, null);
        held = game.startSession("held", SessionOptions.defaults()).orElseThrow();
        onLoop(() -> held.data().coins = 2);
        held.onSessionEnd().connect(heldEnds::add);
    }

    @AfterEach
    void closeStore() {
        game.close();
        messaging.close();
        storage.close();
    }

    private void session(String key, int coins, Long userId) {
        Profile<PlayerData> p = game.startSession(key, SessionOptions.defaults()).orElseThrow();
        onLoop(() -> {
            p.data().coins = coins;
            if (userId != null) {
                p.addUserId(userId);
            }
        });
        p.endSession();
    }

    private void onLoop(Runnable r) {
        CompletableFuture.runAsync(r, game.callbackExecutor()).join();
    }

    private int storedCoins(String key) {
        return game.getAsync(key).join().orElseThrow().data().coins;
    }

    private String versionWithCoins(String key, int coins) {
        for (VersionInfo v : storage.versions("PlayerStore", key, VersionRange.all(100))) {
            if (game.getAsync(key, v.versionId()).join().orElseThrow().data().coins == coins) {
                return v.versionId();
            }
        }
        throw new AssertionError("no version of " + key + " with " + coins + " coins");
    }

    private static JsonNode json(CliRun run) throws Exception {
        assertThat(run.exit()).as(run.toString()).isZero();
        return Output.PLAIN.readTree(run.out());
    }

    private static void assertOneLineError(CliRun run, String... fragments) {
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.errorLine().lines()).as(run.toString()).hasSize(1);
        for (String f : fragments) {
            assertThat(run.errorLine()).contains(f);
        }
    }

    // ---------------------------------------------------------------- inspect, versions, sessions

    @Test
    void inspect_showsTheDocumentLockHolderEpochAndLiveness() throws Exception {
        JsonNode r = json(CliRun.of("inspect", "held", "--store", uri, "--json"));
        assertThat(r.path("key").asText()).isEqualTo("held");
        assertThat(r.path("lock").path("server_id").asText()).isEqualTo("game-1");
        assertThat(r.path("lock").path("epoch").asLong()).isEqualTo(held.epoch());
        assertThat(r.path("lock").path("lease_live").asBoolean()).isTrue();
        assertThat(r.path("data").path("coins").asInt()).as("the last saved data, not the holder's memory").isEqualTo(1);
        assertThat(r.path("updated_at").asText()).isNotBlank();

        CliRun table = CliRun.of("inspect", "held", "--store", uri);
        assertThat(table.exit()).isZero();
        assertThat(table.out()).contains("held by server game-1, epoch " + held.epoch()).contains("(server alive)");
    }

    @Test
    void inspect_listsPendingMessagesAndUserIds() throws Exception {
        JsonNode r = json(CliRun.of("inspect", "bob", "--store", uri, "--json"));
        assertThat(r.path("pending_messages")).hasSize(2);
        assertThat(r.path("pending_messages").get(0).path("body").path("gift").asText()).isEqualTo("sword");
        assertThat(r.path("user_ids").get(0).asLong()).isEqualTo(42);
        assertThat(r.path("lock").isNull()).isTrue();
    }

    @Test
    void versions_listsSessionEndSaves_newestFirst() throws Exception {
        JsonNode r = json(CliRun.of("versions", "alice", "--store", uri, "--json"));
        assertThat(r.path("versions")).hasSize(2);
        long newest = r.path("versions").get(0).path("revision").asLong();
        long older = r.path("versions").get(1).path("revision").asLong();
        assertThat(newest).isGreaterThan(older);
        assertThat(CliRun.of("versions", "alice", "--store", uri).out()).contains("VERSION").contains("SAVED AT");
    }

    @Test
    void sessions_showsWhoHoldsWhat_andAllIncludesFreeProfiles() throws Exception {
        JsonNode r = json(CliRun.of("sessions", "--store", uri, "--json"));
        assertThat(r.path("sessions")).hasSize(1);
        assertThat(r.path("sessions").get(0).path("key").asText()).isEqualTo("held");
        assertThat(r.path("sessions").get(0).path("server_id").asText()).isEqualTo("game-1");
        assertThat(r.path("sessions").get(0).path("lease_live").asBoolean()).isTrue();
        assertThat(json(CliRun.of("sessions", "--store", uri, "--json", "--all")).path("sessions")).hasSize(3);
    }

    // ---------------------------------------------------------------- rollback

    @Test
    void rollback_ofAFreeProfile_restoresTheVersionsData() {
        String v = versionWithCoins("alice", 10);
        CliRun run = CliRun.of("rollback", "alice", v, "--store", uri);
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("rolled back 'alice'");
        assertThat(storedCoins("alice")).isEqualTo(10);
    }

    @Test
    void rollback_ofAHeldProfile_asksTheLiveHolderToSaveAndReleaseFirst() {
        String v = versionWithCoins("held", 1);
        CliRun run = CliRun.of("rollback", "held", v, "--store", uri, "--timeout", "20s");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(heldEnds).as("the holder released it through the protocol").containsExactly(SessionEndReason.EXTERNAL);
        assertThat(storedCoins("held")).isEqualTo(1);
        assertThat(game.getAsync("held").join().orElseThrow().session()).as("the CLI ended its session").isEmpty();
    }

    @Test
    void rollback_toAnUnknownVersion_failsAndChangesNothing() {
        String before = game.getAsync("alice").join().orElseThrow().keyInfo().version();
        assertOneLineError(CliRun.of("rollback", "alice", "999999", "--store", uri), "no version '999999'", "alice");
        assertThat(game.getAsync("alice").join().orElseThrow().keyInfo().version()).isEqualTo(before);
    }

    // ---------------------------------------------------------------- erase, release

    @Test
    void erase_byUserId_purgesTheProfileAndEveryVersion() {
        assertThat(storage.versions("PlayerStore", "bob", VersionRange.all(10))).isNotEmpty();
        CliRun run = CliRun.of("erase", "--user-id", "42", "--store", uri);
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("erased 1 profile(s)").contains("bob");
        assertThat(storage.read("PlayerStore", "bob")).isEmpty();
        assertThat(storage.versions("PlayerStore", "bob", VersionRange.all(10))).isEmpty();
        assertThat(storage.keysByUserId("PlayerStore", 42)).isEmpty();
        assertThat(storage.read("PlayerStore", "alice")).as("other users' profiles stay").isPresent();
    }

    @Test
    void erase_dryRun_changesNothing() {
        CliRun run = CliRun.of("erase", "--user-id", "42", "--dry-run", "--store", uri);
        assertThat(run.out()).contains("would erase");
        assertThat(storage.read("PlayerStore", "bob")).isPresent();
    }

    @Test
    void release_withoutForce_isRefused_andTheLockStays() throws Exception {
        assertOneLineError(CliRun.of("release", "held", "--store", uri), "--force");
        assertThat(json(CliRun.of("inspect", "held", "--store", uri, "--json")).path("lock").isNull()).isFalse();
    }

    @Test
    void changingCommands_recordWhoDidWhatInTheStoresAuditLog() {
        String v = versionWithCoins("alice", 10);
        assertThat(CliRun.of("rollback", "alice", v, "--store", uri, "--operator", "grace").exit()).isZero();
        assertThat(CliRun.of("release", "held", "--force", "--store", uri, "--operator", "grace").exit()).isZero();
        assertThat(CliRun.of("erase", "--user-id", "42", "--store", uri, "--operator", "grace").exit()).isZero();
        assertThat(CliRun.of("erase", "--user-id", "42", "--dry-run", "--store", uri).exit()).isZero();
        assertThat(CliRun.of("inspect", "alice", "--store", uri).exit()).isZero();

        List<AuditEntry> log = new AuditLog(storage).newest(10);
        assertThat(log).extracting(AuditEntry::action).as("newest first; read-only commands and dry runs write none")
                .containsExactly("erase", "release", "rollback");
        assertThat(log).allSatisfy(e -> {
            assertThat(e.operator()).isEqualTo("grace");
            assertThat(e.tool()).isEqualTo("cli");
            assertThat(e.ok()).isTrue();
        });
        assertThat(log.get(0).target()).isEqualTo("bob");
        assertThat(log.get(0).revisionAfter()).as("erased").isZero();
        assertThat(log.get(1).detail()).contains("held by server game-1");
        assertThat(log.get(2).revisionAfter()).isGreaterThan(log.get(2).revisionBefore());
    }

    @Test
    void console_withABadBindAddress_failsWithOneLine() {
        assertOneLineError(CliRun.of("console", "--store", uri, "--bind", "localhost"), "--bind must be HOST:PORT");
        assertOneLineError(CliRun.of("console", "--store", uri, "--bind", "127.0.0.1:99999"), "out of range");
    }

    @Test
    void release_force_clearsTheLock_andTheHoldersNextSaveFails() throws Exception {
        CliRun run = CliRun.of("release", "held", "--force", "--store", uri);
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("held by server game-1, epoch " + held.epoch());
        assertThat(json(CliRun.of("inspect", "held", "--store", uri, "--json")).path("lock").isNull()).isTrue();
        assertThat(held.saveAsync()).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                .withCauseInstanceOf(SessionLostException.class);
        assertThat(storedCoins("held")).as("the stale holder's write was rejected").isEqualTo(1);
    }

    // ---------------------------------------------------------------- export, import

    @Test
    void exportThenImport_intoANewFile_copiesEveryProfileWithoutLocks() throws Exception {
        Path file = dir.resolve("export.jsonl");
        CliRun export = CliRun.of("export", "--store", uri, "--output", file.toString());
        assertThat(export.exit()).as(export.toString()).isZero();
        assertThat(Files.readAllLines(file)).hasSize(3);

        String copy = "sqlite:" + dir.resolve("copy.db");
        CliRun imported = CliRun.of("import", file.toString(), "--store", copy);
        assertThat(imported.exit()).as(imported.toString()).isZero();
        assertThat(imported.out()).contains("imported 3 profile(s)");
        JsonNode heldCopy = json(CliRun.of("inspect", "held", "--store", copy, "--json"));
        assertThat(heldCopy.path("lock").isNull()).as("locks are not imported").isTrue();
        assertThat(heldCopy.path("data").path("coins").asInt()).isEqualTo(1);
        assertThat(json(CliRun.of("inspect", "bob", "--store", copy, "--json")).path("pending_messages")).hasSize(2);
        assertThat(json(CliRun.of("inspect", "bob", "--store", copy, "--json")).path("user_ids").get(0).asLong())
                .isEqualTo(42);

        assertOneLineError(CliRun.of("import", file.toString(), "--store", copy), "exists", "--overwrite");
    }

    @Test
    void exportToStdout_writesOneJsonObjectPerLine() throws Exception {
        CliRun export = CliRun.of("export", "--store", uri);
        assertThat(export.exit()).isZero();
        for (String line : export.out().strip().lines().toList()) {
            JsonNode n = Output.PLAIN.readTree(line);
            assertThat(n.path("store").asText()).isEqualTo("PlayerStore");
            assertThat(n.path("record").path("format").asText()).isEqualTo("profilestore/1");
        }
    }

    /** The export of one profile, as its JSON line, with {@code edit} applied to the record. */
    private String exportedLine(String key, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit)
            throws Exception {
        for (String line : CliRun.of("export", "--store", uri).out().lines().toList()) {
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) Output.PLAIN.readTree(line);
            if (node.path("key").asText().equals(key)) {
                edit.accept((com.fasterxml.jackson.databind.node.ObjectNode) node.get("record"));
                return Output.PLAIN.writeValueAsString(node);
            }
        }
        throw new AssertionError("no exported line for " + key);
    }

    private static void assertRejected(CliRun run, String... fragments) {
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.errorLine()).as(run.toString()).contains(fragments);
    }

    @Test
    void import_withAMalformedLine_rejectsThatLineNamingIt_andImportsTheRest() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, exportedLine("alice", r -> { }) + "\n{not json\n");
        Path target = dir.resolve("target.db");

        CliRun run = CliRun.of("import", file.toString(), "--store", "sqlite:" + target);

        assertRejected(run, "line 2", "not JSON", "not imported");
        assertThat(run.out()).contains("imported 1 profile(s)", "rejected 1 line(s)");
        assertThat(json(CliRun.of("inspect", "alice", "--store", "sqlite:" + target, "--json")).path("data")
                .path("coins").asInt()).isEqualTo(20);
    }

    @Test
    void import_recordsTheEngineCannotLoad_areRejectedPerLine_andTheOthersImported() throws Exception {
        Path file = dir.resolve("mixed.jsonl");
        Files.writeString(file, String.join("\n",
                exportedLine("alice", r -> r.putNull("data")),                       // line 1: data null
                exportedLine("bob", r -> { }),                                         // line 2: good
                exportedLine("held", r -> r.remove("data")),                          // line 3: data missing
                exportedLine("alice", r -> r.put("format", "profilestore/2")),        // line 4: unknown format
                exportedLine("alice", r -> r.put("dataVersion", "one")),              // line 5: malformed envelope
                "{\"store\": \"PlayerStore\", \"key\": \"carol\"}",                 // line 6: no record
                "[1, 2]",                                                               // line 7: not an object
                exportedLine("bob", r -> { }))                                          // line 8: repeated key
                + "\n");
        String target = "sqlite:" + dir.resolve("target.db");

        CliRun run = CliRun.of("import", file.toString(), "--store", target, "--json");

        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        JsonNode summary = Output.PLAIN.readTree(run.out());
        assertThat(summary.path("imported").asInt()).isEqualTo(1);
        Map<Integer, String> errors = new java.util.TreeMap<>();
        summary.path("rejected").forEach(r -> errors.put(r.path("line").asInt(), r.path("error").asText()));
        assertThat(errors).containsOnlyKeys(1, 3, 4, 5, 6, 7, 8);
        assertThat(errors.get(1)).contains("alice", "\"data\": null");
        assertThat(errors.get(3)).contains("held", "\"data\"");
        assertThat(errors.get(4)).contains("format");
        assertThat(errors.get(5)).contains("dataVersion");
        assertThat(errors.get(6)).contains("carol", "record");
        assertThat(errors.get(7)).contains("not a JSON object");
        assertThat(errors.get(8)).contains("repeats key 'bob'");
        assertThat(run.errorLine().lines()).as("one error line per rejected line").hasSize(7)
                .allMatch(l -> l.contains("mixed.jsonl line "));
        assertThat(json(CliRun.of("inspect", "bob", "--store", target, "--json")).path("user_ids").get(0).asLong())
                .isEqualTo(42);
        assertOneLineError(CliRun.of("inspect", "alice", "--store", target), "no profile 'alice'");
        assertOneLineError(CliRun.of("inspect", "held", "--store", target), "no profile 'held'");
    }

    @Test
    void import_withNoImportableLine_createsNoFile() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, exportedLine("alice", r -> r.putNull("data")) + "\n");
        Path target = dir.resolve("target.db");

        CliRun run = CliRun.of("import", file.toString(), "--store", "sqlite:" + target);

        assertRejected(run, "line 1", "\"data\": null");
        assertThat(run.out()).contains("imported 0 profile(s)");
        assertThat(target).doesNotExist();
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void unknownKey_isOneLineError() {
        assertOneLineError(CliRun.of("inspect", "nobody", "--store", uri), "no profile 'nobody'", "PlayerStore");
        assertOneLineError(CliRun.of("versions", "nobody", "--store", uri), "no profile 'nobody'");
        assertOneLineError(CliRun.of("release", "nobody", "--force", "--store", uri), "no profile 'nobody'");
    }

    @Test
    void invalidKey_isOneLineError() {
        assertOneLineError(CliRun.of("inspect", "bad\u0001key", "--store", uri), "invalid key");
    }

    @Test
    void malformedUri_isOneLineError() {
        assertOneLineError(CliRun.of("inspect", "alice", "--store", "foo:bar"), "unknown scheme 'foo'");
        assertOneLineError(CliRun.of("sessions", "--store", "profiles.db"), "no scheme");
        assertOneLineError(CliRun.of("demo", "--store", "sqlite:"), "no file path");
    }

    @Test
    void missingDatabase_isOneLineError_andIsNotCreated() {
        Path missing = dir.resolve("missing.db");
        assertOneLineError(CliRun.of("sessions", "--store", "sqlite:" + missing), "does not exist");
        assertThat(missing).doesNotExist();
    }

    @Test
    void aFileThatIsNotSqlite_isOneLineError_andIsNotModified() throws Exception {
        Path text = dir.resolve("notes.db");
        Files.writeString(text, "these are my notes, not a database\n");
        byte[] before = Files.readAllBytes(text);
        assertOneLineError(CliRun.of("inspect", "alice", "--store", "sqlite:" + text), "not a SQLite database");
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
        assertOneLineError(CliRun.of("import", empty.toString(), "--store", "sqlite:" + text), "not a SQLite database");
        assertThat(Files.readAllBytes(text)).isEqualTo(before);
    }

    @Test
    void anotherProgramsSqliteDatabase_isOneLineError_andGetsNoTables() throws Exception {
        Path theirs = dir.resolve("theirs.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + theirs); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE accounts (id INTEGER)");
        }
        assertOneLineError(CliRun.of("sessions", "--store", "sqlite:" + theirs), "no ProfileStore tables");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + theirs); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("accounts");
        }
    }

    @Test
    void aDatabaseLockedByAnotherProgram_isOneLineErrorAfterTheLockTimeout() throws Exception {
        Path locked = dir.resolve("locked.db");
        SqliteStorage.open(locked).close();
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + locked); Statement s = other.createStatement()) {
            s.execute("PRAGMA locking_mode = EXCLUSIVE");
            s.execute("BEGIN EXCLUSIVE");
            s.execute("CREATE TABLE theirs (x)");
            assertOneLineError(CliRun.of("sessions", "--store", "sqlite:" + locked, "--lock-timeout", "0.2"),
                    "locked by another program");
            s.execute("ROLLBACK");
        }
    }

    @Test
    void aReadOnlyDirectory_isOneLineError() throws Exception {
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Path file = ro.resolve("p.db");
        SqliteStorage.open(file).close();
        try (var readOnly = dev.profilestore.testkit.faults.ReadOnlyDirectory.of(ro)) {
            assumeThat(readOnly.effective()).as("neither permissions nor chattr +i could make a read-only directory"
                    + " here; NOT TESTED").isTrue();
            assertOneLineError(CliRun.of("sessions", "--store", "sqlite:" + file), "read-only");
            Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
            assertOneLineError(CliRun.of("import", empty.toString(), "--store", "sqlite:" + ro.resolve("new.db")),
                    "not writable");
        }
    }

    @Test
    void invalidStoreName_isOneLineError() {
        assertOneLineError(CliRun.of("sessions", "--store", uri, "--store-name", ""), "--store-name");
    }
}
