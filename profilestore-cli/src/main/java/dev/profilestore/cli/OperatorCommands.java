package dev.profilestore.cli;

import dev.profilestore.StoreConnection;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.CorruptProfileException;
import dev.profilestore.Names;
import dev.profilestore.Profile;
import dev.profilestore.ProfileMessage;
import dev.profilestore.ProfileStore;
import dev.profilestore.ProfileView;
import dev.profilestore.SaveCause;
import dev.profilestore.SessionInfo;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.admin.ProfileRecords;
import dev.profilestore.admin.StoredProfile;
import dev.profilestore.console.OperatorActions;
import dev.profilestore.console.ReleaseOutcome;
import dev.profilestore.console.RollbackOutcome;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.WriteResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;

/**
 * The operator commands: look at profiles and repair them on any store. Read-only commands never open the store
 * through a {@link ProfileStore} (which would write a server lease); they read records through the storage SPI.
 * Commands that change a profile say so in their help.
 */
public final class OperatorCommands {

    private OperatorCommands() {}

    /** What every operator command shares. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        StoreOptions opts;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Output out() {
            return Main.output(spec);
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        String name() {
            return opts.storeName;
        }

        static String key(String key) {
            try {
                return Names.key(key);
            } catch (IllegalArgumentException e) {
                throw new CliException("invalid key: " + e.getMessage());
            }
        }

        /** Checks a record is ours: of this library's layout, or of a newer one (exported as it is). */
        static void decodeOrNewer(byte[] payload) {
            try {
                ProfileRecords.decode(payload);
            } catch (dev.profilestore.UnsupportedFormatException e) {
                // Written by a newer version of the library: still a record, not a foreign value.
            }
        }

        /**
         * Decodes a record with the library's own codec, so these commands read the layout the engine writes.
         *
         * @param what names the record in the error, e.g. "profile 'alice'"
         * @throws CliException when it is not a record of this library, naming what is wrong
         */
        static StoredProfile decode(String what, byte[] payload) {
            try {
                return ProfileRecords.decode(payload);
            } catch (CorruptProfileException e) {
                throw new CliException(what + " is not a readable ProfileStore record (a foreign or corrupt value): "
                        + CliStore.firstLine(e.getMessage()));
            }
        }

        StoredRecord requireRecord(StoreConnection s, String key) {
            return s.storage().read(name(), key).orElseThrow(() -> new CliException("no profile '" + key
                    + "' in store '" + name() + "' of " + s.description()));
        }

        /** The shared operator actions, which record what they do in the store's audit log. */
        static OperatorActions actions(StoreConnection s) {
            return new OperatorActions(s.storage(), s.messaging(), "cli");
        }

        ProfileStore<JsonNode> profileStore(StoreConnection s, String role) {
            var builder = ProfileStore.builder(name(), JsonNode.class, JsonNodeFactory.instance::objectNode)
                    .storage(s.storage())
                    .serverId("cli-" + role + "-" + UUID.randomUUID().toString().substring(0, 8))
                    .appId("profilestore-cli");
            if (s.messaging() != null) {
                builder.messaging(s.messaging());
            } else {
                builder.withoutMessaging(); // a holder is then reached by its next auto-save, or stolen from
            }
            return builder.build();
        }
    }

    // ---------------------------------------------------------------- inspect

    /**
     * The result of {@code inspect}.
     *
     * @param key the key
     * @param storeName the store name
     * @param revision the record's revision
     * @param createdAt when the key was first written (store clock)
     * @param updatedAt when it was last written (store clock)
     * @param dataVersion the data format version, or null for a message box
     * @param sessionLoadCount sessions started on it so far (the last epoch)
     * @param lock the session lock, or null when free
     * @param takeoverRequestedBy the server waiting for it, or null
     * @param userIds user ids tied to it
     * @param metadata user metadata
     * @param pendingMessages unprocessed messages
     * @param data the document
     */
    public record InspectResult(String key, String storeName, long revision, Instant createdAt, Instant updatedAt,
                                Integer dataVersion, Long sessionLoadCount, LockInfo lock, String takeoverRequestedBy,
                                List<Long> userIds, JsonNode metadata, List<ProfileMessage> pendingMessages,
                                JsonNode data) {}

    /**
     * A lock, with whether its holder's server lease is still running.
     *
     * @param serverId holder server
     * @param sessionId holder session
     * @param epoch fencing epoch
     * @param since when the session started, by the holder's clock
     * @param leaseLive whether the holder's server is alive by the store's clock
     */
    public record LockInfo(String serverId, String sessionId, long epoch, Instant since, boolean leaseLive) {}

    /** {@code inspect KEY}. */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Show a profile: document, lock holder, epoch, last update, pending messages. Read-only.")
    public static final class Inspect extends Base {
        @Parameters(index = "0", paramLabel = "KEY", description = "The profile key.")
        String key;

        @Override
        public Integer call() {
            String k = key(key);
            try (StoreConnection s = opts.open(CliStore.OpenMode.EXISTING)) {
                StoredRecord rec = requireRecord(s, k);
                StoredProfile p = decode("profile '" + k + "'", rec.payload());
                LockInfo lock = p.lock().map(l -> new LockInfo(l.serverId(), l.sessionId(), l.epoch(), l.since(),
                        s.storage().isLeaseLive(l.leaseId()))).orElse(null);
                boolean box = p.messageBox();
                // A message box stores no metadata: shown as absent, as before, rather than as an empty object.
                var result = new InspectResult(k, name(), rec.revision(), rec.createdAt(), rec.updatedAt(),
                        box ? null : p.dataVersion(), box ? null : p.loadCount(), lock,
                        p.takeover().map(StoredProfile.TakeoverRequest::serverId).orElse(null), p.userIds(),
                        box ? MissingNode.getInstance() : p.metadata(), p.messages(), box ? null : p.data());
                if (opts.json) {
                    out().json(result);
                } else {
                    print(result);
                }
            }
            return 0;
        }

        private void print(InspectResult r) {
            Output o = out();
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("key", r.key() + " (store " + r.storeName() + ")"));
            rows.add(List.of("revision", Long.toString(r.revision())));
            rows.add(List.of("created", r.createdAt().toString()));
            rows.add(List.of("last update", r.updatedAt().toString()));
            rows.add(List.of("sessions so far", r.sessionLoadCount() == null ? "none (only messages were sent to it)"
                    : r.sessionLoadCount().toString()));
            rows.add(List.of("lock", r.lock() == null ? "free"
                    : "held by server " + r.lock().serverId() + ", epoch " + r.lock().epoch() + ", since " + r.lock().since()
                    + (r.lock().leaseLive() ? " (server alive)" : " (server lease expired: the next start takes it over)")));
            if (r.takeoverRequestedBy() != null) {
                rows.add(List.of("takeover requested by", r.takeoverRequestedBy()));
            }
            rows.add(List.of("user ids", r.userIds().toString()));
            rows.add(List.of("metadata", r.metadata().toString()));
            rows.add(List.of("pending messages", Integer.toString(r.pendingMessages().size())));
            o.pairs(rows);
            for (ProfileMessage p : r.pendingMessages()) {
                o.line("  #" + p.id() + " " + p.body());
            }
            o.line("data:");
            o.line(r.data() == null ? "  (none)" : r.data().toPrettyString());
        }
    }

    // ---------------------------------------------------------------- versions

    /**
     * A saved version.
     *
     * @param versionId the id to pass to {@code rollback}
     * @param savedAt when it was saved (store clock)
     * @param revision the record revision it captured
     * @param cause why it was kept (session end, periodic snapshot, rollback, ...)
     */
    public record VersionRow(String versionId, Instant savedAt, long revision, SaveCause cause) {}

    /** {@code versions KEY}. */
    @Command(name = "versions", mixinStandardHelpOptions = true,
            description = "List a profile's saved versions, newest first. Read-only.")
    public static final class Versions extends Base {
        @Parameters(index = "0", paramLabel = "KEY", description = "The profile key.")
        String key;

        @Option(names = "--limit", defaultValue = "100", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            String k = key(key);
            if (limit <= 0) {
                throw new CliException("--limit must be positive, was " + limit);
            }
            try (StoreConnection s = opts.open(CliStore.OpenMode.EXISTING)) {
                if (!s.storage().capabilities().versions()) {
                    throw new CliException(s.description() + " keeps no versions");
                }
                List<VersionInfo> versions = s.storage().versions(name(), k, new VersionRange(null, null, true, limit));
                if (versions.isEmpty() && s.storage().read(name(), k).isEmpty()) {
                    throw new CliException("no profile '" + k + "' in store '" + name() + "' of " + s.description());
                }
                List<VersionRow> rows = versions.stream().map(v -> new VersionRow(v.versionId(), v.savedAt(), v.revision(),
                        v.cause()))
                        .toList();
                if (opts.json) {
                    out().json(Map.of("key", k, "versions", rows));
                } else if (rows.isEmpty()) {
                    out().line("profile '" + k + "' has no saved versions yet (they are kept at session ends)");
                } else {
                    out().table(List.of("VERSION", "SAVED AT", "REVISION", "CAUSE"), rows.stream()
                            .map(r -> List.of(r.versionId(), r.savedAt().toString(), Long.toString(r.revision()),
                                    r.cause().name().toLowerCase(Locale.ROOT).replace('_', ' '))).toList());
                }
            }
            return 0;
        }
    }

    // ---------------------------------------------------------------- rollback

    /** {@code rollback KEY VERSION}. */
    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = {"Restore a profile's data from a saved version, through the lock protocol: the command starts"
                    + " a session like a game server would (a live holder is asked to save and release first; a crashed"
                    + " one's lock is taken over after its lease), writes the version's data, and ends the session.",
                    "Metadata, user ids and pending messages of the current profile are kept."})
    public static final class Rollback extends Base {
        @Parameters(index = "0", paramLabel = "KEY", description = "The profile key.")
        String key;

        @Parameters(index = "1", paramLabel = "VERSION", description = "A version id from 'profilestore versions KEY'.")
        String version;

        @Option(names = "--timeout", defaultValue = "60s", converter = Durations.class,
                description = "Give up if the session cannot be had within this (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Mixin
        OperatorOption operator;

        @Override
        public Integer call() throws Exception {
            String k = key(key);
            try (StoreConnection s = opts.open(CliStore.OpenMode.EXISTING)) {
                StoredRecord old = s.storage().readVersion(name(), k, version).orElseThrow(() -> new CliException(
                        "no version '" + version + "' of profile '" + k + "' in store '" + name() + "' (see: profilestore"
                                + " versions " + k + ")"));
                StoredProfile versionRecord = decode("version '" + version + "' of '" + k + "'", old.payload());
                if (versionRecord.messageBox()) {
                    throw new CliException("version '" + version + "' of '" + k + "' holds only messages, no data");
                }
                Optional<String> holder = s.storage().read(name(), k)
                        .map(r -> decode("profile '" + k + "'", r.payload()))
                        .flatMap(StoredProfile::lock).map(SessionInfo::serverId);
                holder.ifPresent(h -> err().println("profile '" + k + "' is held by server " + h
                        + "; asking it to save and release..."));
                RollbackOutcome o = actions(s).rollback(operator.name, name(), k, version, timeout);
                if (!o.outcome().ok()) {
                    throw new CliException(o.outcome().message());
                }
                if (opts.json) {
                    out().json(Map.of("key", k, "version", version, "epoch", o.epoch(), "previous_holder",
                            holder.orElse("")));
                } else {
                    out().line("rolled back '" + k + "' to version " + version + " (session epoch " + o.epoch() + ")");
                }
            }
            return 0;
        }
    }

    // ---------------------------------------------------------------- erase

    /** {@code erase --user-id ID}. */
    @Command(name = "erase", mixinStandardHelpOptions = true,
            description = "Right to erasure: delete every profile tied to a user id, with all its saved versions."
                    + " A server holding one finds its lock gone at its next save and ends that session without saving.")
    public static final class Erase extends Base {
        @Option(names = "--user-id", required = true, paramLabel = "ID", description = "The user id.")
        long userId;

        @Option(names = "--dry-run", description = "Only list what would be erased.")
        boolean dryRun;

        @Mixin
        OperatorOption operator;

        @Override
        public Integer call() {
            try (StoreConnection s = opts.open(CliStore.OpenMode.EXISTING)) {
                List<String> keys = dryRun ? s.storage().keysByUserId(name(), userId)
                        : actions(s).erase(operator.name, name(), userId);
                if (opts.json) {
                    out().json(Map.of("user_id", userId, "erased", dryRun ? List.of() : keys, "dry_run", dryRun,
                            "keys", keys));
                } else if (keys.isEmpty()) {
                    out().line("no profiles in store '" + name() + "' are tied to user id " + userId + "; nothing erased");
                } else {
                    out().line((dryRun ? "would erase " : "erased ") + keys.size() + " profile(s) and their versions: "
                            + String.join(", ", keys));
                }
            }
            return 0;
        }
    }

    // ---------------------------------------------------------------- sessions

    /**
     * One row of {@code sessions}.
     *
     * @param key profile key
     * @param serverId holder server, or null when free
     * @param epoch fencing epoch
     * @param since session start by the holder's clock
     * @param leaseLive whether the holder is alive by the store's clock
     * @param takeoverRequestedBy a server waiting for it, or null
     * @param updatedAt last write (store clock)
     */
    public record SessionRow(String key, String serverId, Long epoch, Instant since, Boolean leaseLive,
                             String takeoverRequestedBy, Instant updatedAt) {}

    /** {@code sessions}. */
    @Command(name = "sessions", mixinStandardHelpOptions = true,
            description = "Who holds which profile, since when, and whether the holder is alive. Read-only.")
    public static final class Sessions extends Base {
        @Option(names = "--all", description = "Also list profiles nobody holds.")
        boolean all;

        @Override
        public Integer call() {
            List<SessionRow> rows = new ArrayList<>();
            try (StoreConnection s = opts.open(CliStore.OpenMode.EXISTING)) {
                Storage st = s.storage();
                Map<String, Boolean> live = new HashMap<>();
                String after = null;
                while (true) {
                    List<String> page = st.listKeys(name(), after, 500);
                    for (String k : page) {
                        Optional<StoredRecord> rec = st.read(name(), k);
                        if (rec.isEmpty()) {
                            continue;
                        }
                        StoredProfile p;
                        try {
                            p = ProfileRecords.decode(rec.get().payload());
                        } catch (CorruptProfileException | dev.profilestore.UnsupportedFormatException e) {
                            if (all) {
                                rows.add(new SessionRow(k, null, null, null, null, null, rec.get().updatedAt()));
                            }
                            continue;
                        }
                        if (p.lock().isPresent()) {
                            var l = p.lock().get();
                            boolean alive = live.computeIfAbsent(l.leaseId(), st::isLeaseLive);
                            rows.add(new SessionRow(k, l.serverId(), l.epoch(), l.since(), alive,
                                    p.takeover().map(StoredProfile.TakeoverRequest::serverId).orElse(null),
                                    rec.get().updatedAt()));
                        } else if (all) {
                            rows.add(new SessionRow(k, null, null, null, null, null, rec.get().updatedAt()));
                        }
                    }
                    if (page.size() < 500) {
                        break;
                    }
                    after = page.getLast();
                }
            }
            if (opts.json) {
                out().json(Map.of("sessions", rows));
            } else if (rows.isEmpty()) {
                out().line(all ? "no profiles in store '" + name() + "'" : "no profile of store '" + name() + "' is held");
            } else {
                out().table(List.of("KEY", "SERVER", "EPOCH", "SINCE", "SERVER ALIVE", "WAITING", "LAST UPDATE"),
                        rows.stream().map(r -> List.of(r.key(), r.serverId() == null ? "-" : r.serverId(),
                                r.epoch() == null ? "-" : r.epoch().toString(), r.since() == null ? "-" : r.since().toString(),
                                r.leaseLive() == null ? "-" : r.leaseLive() ? "yes" : "no (expired)",
                                r.takeoverRequestedBy() == null ? "-" : r.takeoverRequestedBy(), r.updatedAt().toString()))
                                .toList());
            }
            return 0;
        }
    }

    // ---------------------------------------------------------------- release

    /** {@code release KEY --force}. */
    @Command(name = "release", mixinStandardHelpOptions = true,
            description = {"DANGEROUS: clear a profile's session lock without asking its holder (a fenced write: it only"
                    + " applies if the record did not change meanwhile).",
                    "If the holder is in fact alive, its next save fails and its unsaved changes are lost; a crashed"
                    + " holder's lock is taken over by itself after its lease anyway. Prefer 'rollback' or waiting."})
    public static final class Release extends Base {
        @Parameters(index = "0", paramLabel = "KEY", description = "The profile key.")
        String key;

        @Option(names = "--force", description = "Required: confirms you understand the above.")
        boolean force;

        @Mixin
        OperatorOption operator;

        @Override
        public Integer call() {
            String k = key(key);
            if (!force) {
                throw new CliException("release clears the lock of '" + k + "' without asking its holder, whose unsaved"
                        + " changes are then lost; pass --force to do it");
            }
            try (StoreConnection s = opts.open(CliStore.OpenMode.EXISTING)) {
                requireRecord(s, k);
                ReleaseOutcome o = actions(s).forceRelease(operator.name, name(), k);
                if (!o.outcome().ok()) {
                    throw new CliException(o.outcome().message());
                }
                report(k, o.previousLock(), o.changed(), o.outcome().message());
            }
            return 0;
        }

        private void report(String k, SessionInfo was, boolean changed, String text) {
            if (opts.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("key", k);
                m.put("released", changed);
                m.put("previous_holder", was == null ? null : was.serverId());
                m.put("previous_epoch", was == null ? null : was.epoch());
                out().json(m);
            } else {
                out().line(text);
            }
        }
    }

    // ---------------------------------------------------------------- export / import

    /** {@code export}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write every profile's current record as JSON lines: {\"store\", \"key\", \"record\"}, where"
                    + " record is the stored envelope (data, metadata, user ids, pending messages, lock). Values that are"
                    + " not ProfileStore records are written as {\"store\", \"key\", \"raw_base64\"}. Saved versions are"
                    + " not exported. Read-only."})
    public static final class Export extends Base {
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE (default: standard output).")
        Path output;

        @Override
        public Integer call() throws IOException {
            try (StoreConnection s = opts.open(CliStore.OpenMode.EXISTING)) {
                if (output != null && Files.exists(output)) {
                    throw new CliException("output file " + output + " exists already; not overwriting it");
                }
                PrintWriter w = output == null ? spec.commandLine().getOut()
                        : new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8));
                int n = 0;
                try {
                    String after = null;
                    while (true) {
                        List<String> page = s.storage().listKeys(name(), after, 500);
                        for (String k : page) {
                            Optional<StoredRecord> rec = s.storage().read(name(), k);
                            if (rec.isEmpty()) {
                                continue;
                            }
                            ObjectNode line = JsonNodeFactory.instance.objectNode().put("store", name()).put("key", k);
                            try {
                                // Checked with the library's decoder, but exported as stored, byte for byte in JSON.
                                decodeOrNewer(rec.get().payload());
                                line.set("record", Output.PLAIN.readTree(rec.get().payload()));
                            } catch (CorruptProfileException e) {
                                line.put("raw_base64", Base64.getEncoder().encodeToString(rec.get().payload()));
                            }
                            w.println(Output.PLAIN.writeValueAsString(line));
                            n++;
                        }
                        if (page.size() < 500) {
                            break;
                        }
                        after = page.getLast();
                    }
                } finally {
                    w.flush();
                    if (output != null) {
                        w.close();
                    }
                }
                err().println("exported " + n + " profile(s) of store '" + name() + "'");
            }
            return 0;
        }
    }

    /** {@code import FILE}. */
    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Read JSON lines written by 'export' and store each record under --store-name, without its"
                    + " lock. Every line is checked before anything is written: a line the engine could not load (not"
                    + " JSON, no key, a foreign value, an envelope that is not well-formed, \"data\": null) is"
                    + " rejected with an error naming its line, and the other lines are imported; the exit code is 2"
                    + " when any line was rejected. Existing profiles are refused unless --overwrite is given; a profile"
                    + " a server holds is always refused (the replaced record is kept as a saved version). Creates the"
                    + " SQLite file if missing (not when every line was rejected)."})
    public static final class Import extends Base {
        @Parameters(index = "0", paramLabel = "FILE", description = "JSON lines file, or - for standard input.")
        String file;

        @Option(names = "--overwrite", description = "Replace profiles that exist already (and are not held).")
        boolean overwrite;

        private record Line(String key, byte[] payload, List<Long> userIds) {}

        /** Where the profiles went, for the summary; set once the store is opened. */
        private String description = "";

        /** A line that was not imported, and why. */
        private record Rejected(int line, String error) {}

        /** A line's problem; caught per line, so one bad line does not stop the others. */
        private static final class BadLine extends Exception {
            private static final long serialVersionUID = 1L;

            BadLine(String message) {
                super(message, null, false, false);
            }
        }

        @Override
        public Integer call() throws IOException {
            List<Rejected> rejected = new ArrayList<>();
            List<Line> lines = read(rejected);
            for (Rejected r : rejected) {
                err().println(file + " line " + r.line() + ": " + r.error() + " (line not imported)");
            }
            // When every line was rejected, the store is not even opened (a SQLite file is not created for nothing);
            // an empty file still opens it, which checks the URI.
            int n = lines.isEmpty() && !rejected.isEmpty() ? 0 : write(lines);
            if (opts.json) {
                out().json(Map.of("imported", n, "store_name", name(), "rejected", rejected.stream()
                        .map(r -> Map.of("line", r.line(), "error", r.error())).toList()));
            } else {
                out().line("imported " + n + " profile(s) into store '" + name() + "'" + description
                        + (rejected.isEmpty() ? "" : "; rejected " + rejected.size() + " line(s), listed above"));
            }
            err().flush();
            return rejected.isEmpty() ? 0 : CliException.EXIT_BAD_INPUT;
        }

        private int write(List<Line> lines) {
            try (StoreConnection s = opts.open(CliStore.OpenMode.CREATE)) {
                description = " of " + s.description();
                Map<String, StoredRecord> existing = new HashMap<>();
                for (Line l : lines) {
                    Optional<StoredRecord> cur = s.storage().read(name(), l.key());
                    if (cur.isEmpty()) {
                        continue;
                    }
                    if (!overwrite) {
                        throw new CliException("profile '" + l.key() + "' exists in store '" + name() + "' already;"
                                + " pass --overwrite to replace existing profiles (nothing was imported)");
                    }
                    Optional<SessionInfo> lock;
                    try {
                        lock = ProfileRecords.decode(cur.get().payload()).lock();
                    } catch (CorruptProfileException e) {
                        lock = Optional.empty(); // a foreign value: replaced, and kept as a version
                    }
                    if (lock.isPresent()) {
                        throw new CliException("profile '" + l.key() + "' is held by server " + lock.get().serverId()
                                + "; it cannot be replaced while in use (nothing was imported)");
                    }
                    existing.put(l.key(), cur.get());
                }
                int n = 0;
                for (Line l : lines) {
                    StoredRecord cur = existing.get(l.key());
                    long expected = cur == null ? Storage.ABSENT : cur.revision();
                    WriteResult r = s.storage().write(name(), l.key(), expected, new RecordWrite(l.payload(),
                            Set.copyOf(l.userIds()), cur == null ? RecordWrite.Versioning.SNAPSHOT
                            : RecordWrite.Versioning.PRESERVE_PREVIOUS, SaveCause.OPERATOR));
                    if (r instanceof WriteResult.Conflict) {
                        throw new CliException("profile '" + l.key() + "' changed during the import; " + n
                                + " profile(s) were imported before it, the rest were not");
                    }
                    n++;
                }
                return n;
            }
        }

        /** Reads every line; the importable ones are returned, the others added to {@code rejected}. */
        private List<Line> read(List<Rejected> rejected) throws IOException {
            List<Line> result = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            try (BufferedReader r = "-".equals(file) ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
                String text;
                int number = 0;
                while ((text = r.readLine()) != null) {
                    number++;
                    if (text.isBlank()) {
                        continue;
                    }
                    try {
                        Line line = parse(text);
                        if (!seen.add(line.key())) {
                            throw new BadLine("repeats key '" + line.key() + "'");
                        }
                        result.add(line);
                    } catch (BadLine e) {
                        rejected.add(new Rejected(number, e.getMessage()));
                    }
                }
            } catch (NoSuchFileException e) {
                throw new CliException("import file " + file + " does not exist");
            }
            return result;
        }

        /** Checks one line as the engine would load it, and strips its lock. */
        private static Line parse(String text) throws BadLine {
            JsonNode node;
            try {
                node = Output.PLAIN.readTree(text);
            } catch (IOException e) {
                throw new BadLine("not JSON: " + CliStore.firstLine(e.getMessage()));
            }
            if (!node.isObject()) {
                throw new BadLine("not a JSON object");
            }
            String key = node.path("key").isTextual() ? node.path("key").asText() : null;
            if (key == null) {
                throw new BadLine("has no \"key\" string");
            }
            try {
                Names.key(key);
            } catch (IllegalArgumentException e) {
                throw new BadLine("invalid key: " + e.getMessage());
            }
            if (node.has("raw_base64")) {
                throw new BadLine("key '" + key + "' was exported as a foreign value (raw_base64); import only takes"
                        + " ProfileStore records");
            }
            if (!(node.get("record") instanceof ObjectNode record)) {
                throw new BadLine("key '" + key + "' has no \"record\" object");
            }
            byte[] raw;
            StoredProfile profile;
            byte[] unlocked;
            try {
                raw = Output.PLAIN.writeValueAsBytes(record);
                profile = ProfileRecords.decode(raw);
                unlocked = ProfileRecords.withoutLock(raw);
            } catch (CorruptProfileException | dev.profilestore.UnsupportedFormatException | IOException e) {
                throw new BadLine("key '" + key + "' is not a well-formed ProfileStore record: "
                        + CliStore.firstLine(e.getMessage()));
            }
            // The codec accepts a JSON null as data, but no data class can be loaded from it: a session start of
            // such a record cannot complete. A message box (a key sent messages, never started) has no data at all.
            if (!profile.messageBox() && (profile.data() == null || profile.data().isNull())) {
                throw new BadLine("key '" + key + "' has \"data\": null; a profile needs data to be loaded");
            }
            return new Line(key, unlocked, profile.userIds());
        }
    }
}
