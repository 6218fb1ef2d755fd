package dev.profilestore.migration;

import dev.profilestore.SessionInfo;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.VersionWrite;
import dev.profilestore.spi.WriteResult;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Copies one profile: its saved versions oldest first, then its current record, created on the target only if
 * absent. The record comes last, so a profile whose record is on the target is complete; one interrupted earlier has
 * some of its versions there, a prefix of the source's, and the next run copies only the rest.
 */
final class ProfileCopier {

    /** More versions than any backend keeps for a key. */
    static final int ALL_VERSIONS = 1_000_000;

    private final Storage from;
    private final Storage to;

    ProfileCopier(Storage from, Storage to) {
        this.from = from;
        this.to = to;
    }

    /** How one profile went. */
    sealed interface Outcome {
        /** Copied now, with this many versions. */
        record Copied(int versions) implements Outcome {}

        /** On the target already, as on the source. */
        record AlreadyThere() implements Outcome {}

        /** A live server holds it. */
        record Held(SessionInfo holder) implements Outcome {}

        /** Not copied, for this reason. */
        record Failed(String problem) implements Outcome {}

        /** Left for a later run: the run's limit was reached. */
        record Deferred() implements Outcome {}
    }

    /**
     * Copies the profile, unless it is held, there already, or {@code claim} refuses (the run's limit).
     */
    Outcome copy(String store, String key, BooleanSupplier claim) {
        Optional<StoredRecord> source = from.read(store, key);
        if (source.isEmpty()) {
            return new Outcome.Failed("removed from the source during the migration");
        }
        byte[] payload = source.get().payload();
        Optional<SessionInfo> holder = Records.liveHolder(from, payload);
        if (holder.isPresent()) {
            return new Outcome.Held(holder.get());
        }
        Optional<StoredRecord> existing = to.read(store, key);
        if (existing.isPresent()) {
            return Arrays.equals(existing.get().payload(), payload) ? new Outcome.AlreadyThere()
                    : new Outcome.Failed("the target has a different record under this key; left as it is");
        }
        List<VersionInfo> versions = from.versions(store, key, VersionRange.all(ALL_VERSIONS));
        List<VersionInfo> copiedBefore = to.versions(store, key, VersionRange.all(ALL_VERSIONS));
        String clash = prefixClash(store, key, versions, copiedBefore);
        if (clash != null) {
            return new Outcome.Failed(clash);
        }
        if (!claim.getAsBoolean()) {
            return new Outcome.Deferred();
        }
        Set<String> pinned = versions.size() > copiedBefore.size() ? from.pinnedVersions(store, key) : Set.of();
        int copied = 0;
        for (VersionInfo v : versions.subList(copiedBefore.size(), versions.size())) {
            Optional<StoredRecord> body = from.readVersion(store, key, v.versionId());
            if (body.isEmpty()) {
                continue; // dropped by the source's retention since it was listed: nothing left to copy
            }
            StoredRecord b = body.get();
            to.writeVersion(store, key, new VersionWrite(v, b.payload(), b.createdAt(), b.updatedAt(),
                    Records.userIds(b.payload()), pinned.contains(v.versionId())));
            copied++;
        }
        WriteResult w = to.write(store, key, Storage.ABSENT,
                new RecordWrite(payload, Records.userIds(payload), RecordWrite.Versioning.NONE));
        if (w instanceof WriteResult.Conflict) {
            return new Outcome.Failed("created on the target by something else during the copy; left as it is");
        }
        return new Outcome.Copied(copied);
    }

    /**
     * Null when the target's versions of the key are a prefix of the source's (what an interrupted copy leaves), or
     * what differs.
     */
    private String prefixClash(String store, String key, List<VersionInfo> source, List<VersionInfo> target) {
        if (target.size() > source.size()) {
            return "the target has " + target.size() + " saved versions of this key but no record, the source "
                    + source.size() + "; left as it is";
        }
        for (int i = 0; i < target.size(); i++) {
            VersionInfo s = source.get(i);
            VersionInfo t = target.get(i);
            byte[] sb = from.readVersion(store, key, s.versionId()).map(StoredRecord::payload).orElse(null);
            byte[] tb = to.readVersion(store, key, t.versionId()).map(StoredRecord::payload).orElse(null);
            if (!Records.sameTime(s.savedAt(), t.savedAt()) || !Arrays.equals(sb, tb)) {
                return "the target has saved versions of this key that differ from the source's (version "
                        + (i + 1) + "); left as it is";
            }
        }
        return null;
    }
}
