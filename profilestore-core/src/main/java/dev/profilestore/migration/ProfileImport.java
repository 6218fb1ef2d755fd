package dev.profilestore.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profilestore.Names;
import dev.profilestore.SaveCause;
import dev.profilestore.SessionInfo;
import dev.profilestore.admin.ProfileRecords;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes player data from a foreign source (another plugin's table, a JSON export) as profiles of a store, one row
 * at a time, through the session lock protocol.
 *
 * <pre>{@code
 * ImportReport report = ProfileImport.into(storage, "PlayerStore", (JsonNode row) -> new ImportedProfile<>(
 *                 "player-" + row.get("uuid").asText(), mapper.treeToValue(row.get("stats"), PlayerData.class),
 *                 Set.of(row.get("id").asLong()), Instant.parse(row.get("joined").asText())))
 *         .existing(ProfileImport.Existing.SKIP)
 *         .run(JsonLines.open(Path.of("players.jsonl")));
 * }</pre>
 *
 * <h2>The lock protocol</h2>
 * Each profile is one compare-and-set write of a complete record, as a session start's is: created only if the key
 * is still empty, or replacing exactly the record read. A profile a live server holds (its lock's lease still
 * running) is never replaced: the row is rejected, so the player's session is not pulled from under them. A lock of a
 * crashed server is taken over, as a session start would. A record that changes between the read and the write is
 * read again, up to three times.
 *
 * <p>A new profile's record is also kept as its first saved version, recorded with cause
 * {@link SaveCause#OPERATOR}; a replaced one is kept with cause {@link SaveCause#REPLACED}.
 *
 * <h2>Bad rows</h2>
 * A row that cannot be read, does not map (the mapper throws), has an invalid key, repeats a key of an earlier row, or
 * makes a record larger than {@link #maxRecordBytes} is rejected with its reason, and nothing of it is written; the
 * other rows are imported. Each row is written whole or not at all.
 *
 * @param <R> the row type of the source
 * @param <T> the store's data class
 */
public final class ProfileImport<R, T> {

    /** What to do when a row's key holds a profile already. */
    public enum Existing {
        /** Leave the profile as it is; the row counts as skipped. */
        SKIP,
        /** Replace it; the replaced record is kept as a preserved saved version and its pending messages stay. */
        OVERWRITE
    }

    private static final int ATTEMPTS = 3;

    private final Storage storage;
    private final String storeName;
    private final RowMapper<R, T> mapper;
    private ObjectMapper json = new ObjectMapper().findAndRegisterModules();
    private Existing existing = Existing.SKIP;
    private int maxRecordBytes = 4 * 1024 * 1024;
    private int dataVersion = 1;
    private Clock clock = Clock.systemUTC();

    private ProfileImport(Storage storage, String storeName, RowMapper<R, T> mapper) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.storeName = Names.storeName(storeName);
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /**
     * An import into a store.
     *
     * @param storage where the store lives
     * @param storeName the store name game servers use
     * @param mapper from a row to a profile
     * @param <R> the row type
     * @param <T> the data class
     * @return the import, to configure and run
     */
    public static <R, T> ProfileImport<R, T> into(Storage storage, String storeName, RowMapper<R, T> mapper) {
        return new ProfileImport<>(storage, storeName, mapper);
    }

    /**
     * How the data class becomes JSON: the mapper the game servers' store is built with (default: a plain one with
     * the modules on the class path).
     *
     * @param mapper the Jackson mapper
     * @return this
     */
    public ProfileImport<R, T> objectMapper(ObjectMapper mapper) {
        this.json = Objects.requireNonNull(mapper, "mapper");
        return this;
    }

    /**
     * What to do with keys that hold a profile already (default {@link Existing#SKIP}).
     *
     * @param policy skip or overwrite
     * @return this
     */
    public ProfileImport<R, T> existing(Existing policy) {
        this.existing = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * The largest record to write, in bytes: the store's {@code maxDataBytes} (default 4 MiB, as there), so no
     * profile is imported that its servers could not save again.
     *
     * @param bytes positive
     * @return this
     */
    public ProfileImport<R, T> maxRecordBytes(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, was " + bytes);
        }
        this.maxRecordBytes = bytes;
        return this;
    }

    /**
     * The data format version the rows' data is in: the store's {@code formatVersion} (default 1), so the store's
     * migrations run on it as on its own data.
     *
     * @param version positive
     * @return this
     */
    public ProfileImport<R, T> dataVersion(int version) {
        if (version <= 0) {
            throw new IllegalArgumentException("dataVersion must be positive, was " + version);
        }
        this.dataVersion = version;
        return this;
    }

    /**
     * The clock of the import time (a profile's last update, and its first session when a row has none).
     *
     * @param clock the clock
     * @return this
     */
    public ProfileImport<R, T> clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * Reads every row of {@code rows} and writes it as a profile; closes the source.
     *
     * @param rows the source
     * @return what was imported, skipped and rejected
     * @throws dev.profilestore.StorageException when the store fails (the rows before were imported, the rest not)
     */
    public ImportReport run(RowSource<? extends R> rows) {
        long start = System.nanoTime();
        long created = 0;
        long overwritten = 0;
        long skipped = 0;
        List<RowProblem> rejected = new ArrayList<>();
        Map<String, Long> seen = new HashMap<>();
        try (rows) {
            while (true) {
                R row;
                try {
                    row = rows.next();
                } catch (BadRowException e) {
                    rejected.add(new RowProblem(rows.position(), null, e.getMessage()));
                    continue;
                }
                if (row == null) {
                    break;
                }
                long number = rows.position();
                Prepared p;
                try {
                    p = prepare(row);
                } catch (BadRowException e) {
                    rejected.add(new RowProblem(number, null, e.getMessage()));
                    continue;
                }
                Long first = seen.putIfAbsent(p.key(), number);
                if (first != null) {
                    rejected.add(new RowProblem(number, p.key(), "repeats the key of row " + first
                            + "; only the first row of a key is considered"));
                    continue;
                }
                Written w = write(p);
                switch (w) {
                    case CREATED -> created++;
                    case OVERWRITTEN -> overwritten++;
                    case SKIPPED -> skipped++;
                    case REJECTED -> rejected.add(new RowProblem(number, p.key(), p.problem));
                }
            }
        }
        return new ImportReport(created, overwritten, skipped, rejected, Duration.ofNanos(System.nanoTime() - start));
    }

    /** A mapped row, ready to write. */
    private static final class Prepared {
        final ImportedProfile<?> profile;
        final JsonNode data;
        String problem;

        Prepared(ImportedProfile<?> profile, JsonNode data) {
            this.profile = profile;
            this.data = data;
        }

        String key() {
            return profile.key();
        }
    }

    private enum Written { CREATED, OVERWRITTEN, SKIPPED, REJECTED }

    private Prepared prepare(R row) throws BadRowException {
        ImportedProfile<T> profile;
        try {
            profile = mapper.map(row);
        } catch (Exception e) {
            throw new BadRowException("does not map: " + message(e));
        }
        if (profile == null) {
            throw new BadRowException("does not map: the mapper returned null");
        }
        try {
            Names.key(profile.key());
        } catch (IllegalArgumentException e) {
            throw new BadRowException("invalid key '" + profile.key() + "': " + e.getMessage());
        }
        JsonNode data;
        try {
            data = json.valueToTree(profile.data());
        } catch (IllegalArgumentException e) {
            throw new BadRowException("key '" + profile.key() + "': its data cannot be written as JSON: " + message(e));
        }
        if (data == null || data.isNull() || data.isMissingNode()) {
            throw new BadRowException("key '" + profile.key() + "': its data is null");
        }
        return new Prepared(profile, data);
    }

    private Written write(Prepared p) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<StoredRecord> current = storage.read(storeName, p.key());
            if (current.isPresent() && existing == Existing.SKIP) {
                return Written.SKIPPED;
            }
            if (current.isPresent()) {
                Optional<SessionInfo> holder = Records.liveHolder(storage, current.get().payload());
                if (holder.isPresent()) {
                    p.problem = "held by live server " + holder.get().serverId() + "; not overwritten (import it again"
                            + " once the player is offline)";
                    return Written.REJECTED;
                }
            }
            Instant now = clock.instant();
            Instant first = p.profile.firstSessionAt() != null ? p.profile.firstSessionAt() : now;
            byte[] record = ProfileRecords.newProfile(p.data, dataVersion, p.profile.userIds(), first, now,
                    current.map(StoredRecord::payload).orElse(null));
            if (record.length > maxRecordBytes) {
                p.problem = "its record would be " + record.length + " bytes, over the limit of " + maxRecordBytes;
                return Written.REJECTED;
            }
            WriteResult r = current.isEmpty()
                    ? storage.write(storeName, p.key(), Storage.ABSENT, new RecordWrite(record, p.profile.userIds(),
                            RecordWrite.Versioning.SNAPSHOT, SaveCause.OPERATOR))
                    : storage.write(storeName, p.key(), current.get().revision(), new RecordWrite(record,
                            p.profile.userIds(), RecordWrite.Versioning.PRESERVE_PREVIOUS, SaveCause.OPERATOR));
            if (r instanceof WriteResult.Written) {
                return current.isEmpty() ? Written.CREATED : Written.OVERWRITTEN;
            }
        }
        p.problem = "changed by a server during the import " + ATTEMPTS + " times in a row; not written";
        return Written.REJECTED;
    }

    private static String message(Exception e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
