package dev.profilestore.migration;

import dev.profilestore.admin.StoredProfile;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Reads one profile on both sides and says how they differ. */
final class ProfileComparer {

    private final Storage from;
    private final Storage to;

    ProfileComparer(Storage from, Storage to) {
        this.from = from;
        this.to = to;
    }

    /** Every difference of the profile, empty when both sides agree. */
    List<String> compare(String store, String key) {
        List<String> diffs = new ArrayList<>();
        Optional<StoredRecord> s = from.read(store, key);
        Optional<StoredRecord> t = to.read(store, key);
        if (s.isEmpty() && t.isEmpty()) {
            return diffs;
        }
        if (t.isEmpty()) {
            diffs.add("missing on the target");
            return diffs;
        }
        if (s.isEmpty()) {
            diffs.add("only on the target");
            return diffs;
        }
        if (!Arrays.equals(s.get().payload(), t.get().payload())) {
            diffs.add("current record differs: " + recordDifference(s.get().payload(), t.get().payload()));
        }
        Set<Long> userIds = new TreeSet<>(Records.userIds(s.get().payload()));
        compareVersions(store, key, diffs, userIds);
        for (long userId : userIds) {
            if (!to.keysByUserId(store, userId).contains(key)) {
                diffs.add("user id " + userId + " is not found by the target's user-id index");
            }
        }
        return diffs;
    }

    private void compareVersions(String store, String key, List<String> diffs, Set<Long> userIds) {
        List<VersionInfo> sv = from.versions(store, key, VersionRange.all(ProfileCopier.ALL_VERSIONS));
        List<VersionInfo> tv = to.versions(store, key, VersionRange.all(ProfileCopier.ALL_VERSIONS));
        if (sv.size() != tv.size()) {
            diffs.add(sv.size() + " saved version(s) on the source, " + tv.size() + " on the target");
            return;
        }
        if (sv.isEmpty()) {
            return;
        }
        Set<String> sPinned = from.pinnedVersions(store, key);
        Set<String> tPinned = to.pinnedVersions(store, key);
        for (int i = 0; i < sv.size(); i++) {
            VersionInfo a = sv.get(i);
            VersionInfo b = tv.get(i);
            String which = "version " + (i + 1) + " (source id " + a.versionId() + ", target id " + b.versionId() + ")";
            if (!Records.sameTime(a.savedAt(), b.savedAt())) {
                diffs.add(which + " saved at " + a.savedAt() + " on the source, " + b.savedAt() + " on the target");
            }
            if (a.cause() != b.cause()) {
                diffs.add(which + " kept for " + a.cause() + " on the source, " + b.cause() + " on the target");
            }
            if (sPinned.contains(a.versionId()) != tPinned.contains(b.versionId())) {
                diffs.add(which + " is pinned on one side only");
            }
            byte[] ap = from.readVersion(store, key, a.versionId()).map(StoredRecord::payload).orElse(null);
            byte[] bp = to.readVersion(store, key, b.versionId()).map(StoredRecord::payload).orElse(null);
            if (!Arrays.equals(ap, bp)) {
                diffs.add(which + " content differs");
            }
            if (ap != null) {
                userIds.addAll(Records.userIds(ap));
            }
        }
    }

    /** Names what differs between two records, as precisely as their decoding allows. */
    private static String recordDifference(byte[] a, byte[] b) {
        Optional<StoredProfile> pa = Records.decode(a);
        Optional<StoredProfile> pb = Records.decode(b);
        if (pa.isEmpty() || pb.isEmpty()) {
            return "the bytes differ";
        }
        List<String> what = new ArrayList<>();
        StoredProfile x = pa.get();
        StoredProfile y = pb.get();
        if (!Objects.equals(x.data(), y.data())) {
            what.add("data");
        }
        if (!x.messages().equals(y.messages())) {
            what.add("pending messages (" + x.messages().size() + " vs " + y.messages().size() + ")");
        }
        if (!x.userIds().equals(y.userIds())) {
            what.add("user ids");
        }
        if (!x.lock().equals(y.lock())) {
            what.add("session lock");
        }
        if (!x.metadata().equals(y.metadata())) {
            what.add("metadata");
        }
        return what.isEmpty() ? "bookkeeping (load count, times)" : String.join(", ", what);
    }
}
