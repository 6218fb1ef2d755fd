package dev.profilestore.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.profilestore.CorruptProfileException;
import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.ProfileView;
import dev.profilestore.SaveCause;
import dev.profilestore.SessionInfo;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.UnsupportedFormatException;
import dev.profilestore.admin.ProfileRecords;
import dev.profilestore.admin.StoredProfile;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The operator actions that change a store, shared by the console and the command line so both do them the same
 * way, each recorded in the {@link AuditLog} (also when it fails). A rollback goes through the lock protocol like a
 * game server: a live holder is asked to save and release first. Thread-safe; every call blocks.
 */
public final class OperatorActions {

    private final Storage storage;
    private final Messaging messaging;
    private final AuditLog audit;
    private final String tool;
    private final Clock clock;

    /**
     * Actions on one backend.
     *
     * @param storage the storage
     * @param messaging its messaging, or null (a holder then sees a release request at its next auto-save)
     * @param tool {@code console} or {@code cli}, for the audit log
     */
    public OperatorActions(Storage storage, Messaging messaging, String tool) {
        this(storage, messaging, tool, Clock.systemUTC());
    }

    OperatorActions(Storage storage, Messaging messaging, String tool, Clock clock) {
        this.storage = storage;
        this.messaging = messaging;
        this.audit = new AuditLog(storage);
        this.tool = tool;
        this.clock = clock;
    }

    /** The audit log these actions write to. */
    public AuditLog audit() {
        return audit;
    }

    /**
     * Restores a profile's data from a saved version: starts a session (a live holder is asked to save and release
     * first; a crashed one's lock is taken over after its lease), writes the version's data, ends the session.
     * Metadata, user ids and pending messages of the current profile are kept.
     */
    public RollbackOutcome rollback(String operator, String storeName, String key, String versionId, Duration timeout) {
        long before = revision(storeName, key);
        Optional<StoredRecord> old = storage.readVersion(storeName, key, versionId);
        if (old.isEmpty()) {
            return failedRollback(operator, storeName, key, versionId, before, "no version '" + versionId
                    + "' of profile '" + key + "' in store '" + storeName + "'");
        }
        StoredProfile version;
        try {
            version = ProfileRecords.decode(old.get().payload());
        } catch (CorruptProfileException | UnsupportedFormatException e) {
            return failedRollback(operator, storeName, key, versionId, before, "version '" + versionId + "' of '" + key
                    + "' is not a readable ProfileStore record: " + firstLine(e.getMessage()));
        }
        if (version.messageBox()) {
            return failedRollback(operator, storeName, key, versionId, before, "version '" + versionId + "' of '" + key
                    + "' holds only messages, no data");
        }
        String holder = holder(storeName, key).map(SessionInfo::serverId).orElse(null);
        try (ProfileStore<JsonNode> store = profileStore(storeName, "rollback")) {
            ProfileView<JsonNode> view = store.getAsync(key, versionId).join().orElse(null);
            if (view == null) {
                return failedRollback(operator, storeName, key, versionId, before, "no version '" + versionId
                        + "' of profile '" + key + "'");
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            SessionStart<JsonNode> start = store.startSession(key,
                    SessionOptions.cancelWhen(() -> System.nanoTime() > deadline).withTimeout(timeout));
            if (!(start instanceof SessionStart.Started<JsonNode> started)) {
                var why = (SessionStart.NotStarted<JsonNode>) start;
                return failedRollback(operator, storeName, key, versionId, before, "could not take the session of '"
                        + key + "' within " + timeout.toSeconds() + " s: " + why.reason() + " (" + why.detail()
                        + "); nothing was changed");
            }
            Profile<JsonNode> profile = started.profile();
            long epoch = profile.epoch();
            CompletableFuture.runAsync(() -> profile.setData(view.data()), store.callbackExecutor()).join();
            profile.endSession(SaveCause.ROLLBACK);
            Optional<StoredRecord> now = storage.read(storeName, key);
            JsonNode data = now.map(r -> ProfileRecords.decode(r.payload()).data()).orElse(null);
            long after = now.map(StoredRecord::revision).orElse(0L);
            if (data == null || !data.equals(version.data()) && !data.equals(view.data())) {
                return failedRollback(operator, storeName, key, versionId, before, "the rollback of '" + key
                        + "' did not land (another server took the profile during it)");
            }
            String message = "rolled back '" + key + "' to version " + versionId + " (session epoch " + epoch + ")"
                    + (holder == null ? "" : "; server " + holder + " held it and was asked to save and release first");
            ActionOutcome outcome = new ActionOutcome(true, message, before, after);
            record(operator, "rollback", storeName, key, "to version " + versionId + ": " + message, outcome);
            return new RollbackOutcome(outcome, epoch, holder);
        }
    }

    private RollbackOutcome failedRollback(String operator, String storeName, String key, String versionId, long before,
                                           String message) {
        ActionOutcome outcome = new ActionOutcome(false, message, before, revision(storeName, key));
        record(operator, "rollback", storeName, key, "to version " + versionId + " failed: " + message, outcome);
        return new RollbackOutcome(outcome, 0, null);
    }

    /** Marks a saved version preserved, so retention keeps it. */
    public ActionOutcome pin(String operator, String storeName, String key, String versionId) {
        long before = revision(storeName, key);
        boolean found = storage.pinVersion(storeName, key, versionId);
        ActionOutcome outcome = new ActionOutcome(found, found ? "pinned version " + versionId + " of '" + key
                + "': retention keeps it until the profile is erased" : "no version '" + versionId + "' of profile '"
                + key + "'; nothing was pinned", before, revision(storeName, key));
        record(operator, "pin", storeName, key, "version " + versionId + ": " + outcome.message(), outcome);
        return outcome;
    }

    /** Sends a durable message (a gift) to a profile: its holder's message handler gets it once. */
    public ActionOutcome message(String operator, String storeName, String key, JsonNode body) {
        long before = revision(storeName, key);
        try (ProfileStore<JsonNode> store = profileStore(storeName, "message")) {
            store.messageAsync(key, body).join();
        }
        ActionOutcome outcome = new ActionOutcome(true, "sent message " + body + " to '" + key + "'", before,
                revision(storeName, key));
        record(operator, "message", storeName, key, outcome.message(), outcome);
        return outcome;
    }

    /**
     * Clears a profile's lock without asking its holder, by a compare-and-set on the revision read. If the holder is
     * alive, its next save fails and its unsaved changes are lost.
     */
    public ReleaseOutcome forceRelease(String operator, String storeName, String key) {
        Optional<StoredRecord> rec = storage.read(storeName, key);
        if (rec.isEmpty()) {
            return released(operator, storeName, key, new ActionOutcome(false, "no profile '" + key
                    + "' in store '" + storeName + "'", 0, 0), null, false);
        }
        long before = rec.get().revision();
        StoredProfile p;
        try {
            p = ProfileRecords.decode(rec.get().payload());
        } catch (CorruptProfileException | UnsupportedFormatException e) {
            return released(operator, storeName, key, new ActionOutcome(false, "profile '" + key
                    + "' is not a readable ProfileStore record (a foreign or corrupt value): "
                    + firstLine(e.getMessage()), before, before), null, false);
        }
        if (p.lock().isEmpty() && p.takeover().isEmpty()) {
            return released(operator, storeName, key, new ActionOutcome(true, "profile '" + key
                    + "' is not locked; nothing was changed", before, before), null, false);
        }
        WriteResult result = storage.write(storeName, key, before, new RecordWrite(
                ProfileRecords.withoutLock(rec.get().payload()), Set.copyOf(p.userIds()), RecordWrite.Versioning.NONE));
        if (!(result instanceof WriteResult.Written w)) {
            return released(operator, storeName, key, new ActionOutcome(false, "profile '" + key
                    + "' changed while releasing (its holder saved); nothing was changed, try again", before,
                    revision(storeName, key)), null, false);
        }
        SessionInfo l = p.lock().orElse(null);
        return released(operator, storeName, key, new ActionOutcome(true, "released '" + key + "'"
                + (l == null ? " (cleared a takeover request)" : ": it was held by server " + l.serverId() + ", epoch "
                + l.epoch() + "; that server's next save will fail and end its session"), before, w.revision()), l,
                true);
    }

    private ReleaseOutcome released(String operator, String storeName, String key, ActionOutcome o,
                                    SessionInfo previous, boolean changed) {
        record(operator, "release", storeName, key, o.message(), o);
        return new ReleaseOutcome(o, previous, changed);
    }

    /** Right to erasure: deletes every profile tied to a user id, with all its saved versions. */
    public List<String> erase(String operator, String storeName, long userId) {
        List<String> keys = storage.keysByUserId(storeName, userId);
        if (keys.isEmpty()) {
            record(operator, "erase", storeName, "user:" + userId, "no profiles are tied to user id " + userId
                    + "; nothing erased", new ActionOutcome(true, "", 0, 0));
        }
        for (String k : keys) {
            long before = revision(storeName, k);
            storage.purge(storeName, k);
            record(operator, "erase", storeName, k, "erased with all its versions (user id " + userId + ")",
                    new ActionOutcome(true, "", before, 0));
        }
        return keys;
    }

    private void record(String operator, String action, String storeName, String target, String detail,
                        ActionOutcome o) {
        audit.append(new AuditEntry(clock.instant(), operator, tool, action, storeName, target, detail,
                o.revisionBefore(), o.revisionAfter(), o.ok()));
    }

    private long revision(String storeName, String key) {
        return storage.read(storeName, key).map(StoredRecord::revision).orElse(0L);
    }

    private Optional<SessionInfo> holder(String storeName, String key) {
        try {
            return storage.read(storeName, key).flatMap(r -> ProfileRecords.decode(r.payload()).lock());
        } catch (CorruptProfileException | UnsupportedFormatException e) {
            return Optional.empty(); // the session start below reports what is wrong with it
        }
    }

    private ProfileStore<JsonNode> profileStore(String storeName, String role) {
        var builder = ProfileStore.builder(storeName, JsonNode.class, JsonNodeFactory.instance::objectNode)
                .storage(storage)
                .serverId(tool + "-" + role + "-" + UUID.randomUUID().toString().substring(0, 8))
                .appId("profilestore-" + tool);
        if (messaging != null) {
            builder.messaging(messaging);
        } else {
            builder.withoutMessaging(); // a holder is then reached by its next auto-save
        }
        return builder.build();
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
