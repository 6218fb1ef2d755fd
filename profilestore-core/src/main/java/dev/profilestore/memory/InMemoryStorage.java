package dev.profilestore.memory;

import dev.profilestore.SaveCause;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StorageCapabilities;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.VersionWrite;
import dev.profilestore.spi.WriteResult;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A complete {@link Storage} in memory: compare-and-set writes, versions with a retention cap, atomic
 * multi-key writes, and server leases on the given clock. Share one instance between several
 * {@code ProfileStore}s to simulate servers over one store. Thread-safe (one lock; it is fast enough
 * for tests and a single server).
 */
public final class InMemoryStorage implements Storage {

    private final InstantSource clock;
    private final int versionsPerKey;
    private final Map<String, TreeMap<String, Entry>> stores = new HashMap<>();
    private final Map<String, Instant> leases = new HashMap<>();
    // One global counter, handed out under the lock: revisions of a key strictly increase, also after the key is
    // removed or purged (the Storage contract), since nothing about the key needs to be remembered for it.
    private long nextRevision = 1;

    /** A store on the system clock, keeping up to 100 versions per key. */
    public InMemoryStorage() {
        this(InstantSource.system(), 100);
    }

    /**
     * A store whose lease clock is {@code clock}.
     *
     * @param versionsPerKey snapshots kept per key, oldest dropped first; 0 keeps none. Values preserved by
     *     {@link RecordWrite.Versioning#PRESERVE_PREVIOUS} are kept beyond this cap, also when it is 0
     */
    public InMemoryStorage(InstantSource clock, int versionsPerKey) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (versionsPerKey < 0) {
            throw new IllegalArgumentException("versionsPerKey must not be negative, was " + versionsPerKey);
        }
        this.versionsPerKey = versionsPerKey;
    }

    @Override
    public StorageCapabilities capabilities() {
        return new StorageCapabilities(versionsPerKey > 0, true, true);
    }

    @Override
    public synchronized Optional<StoredRecord> read(String store, String key) {
        Entry e = entry(store, key);
        return e == null || e.current == null ? Optional.empty() : Optional.of(copy(e.current));
    }

    // Callers own what they read: a changed array must not change the store.
    private static StoredRecord copy(StoredRecord r) {
        return new StoredRecord(r.revision(), r.payload().clone(), r.createdAt(), r.updatedAt());
    }

    @Override
    public synchronized WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
        Optional<StoredRecord> current = read(store, key);
        if (current.map(StoredRecord::revision).orElse(ABSENT) != expectedRevision) {
            return new WriteResult.Conflict(current);
        }
        return apply(store, key, write);
    }

    @Override
    public synchronized List<WriteResult> writeAll(List<KeyedWrite> writes) {
        List<WriteResult> conflicts = new ArrayList<>();
        boolean ok = true;
        for (KeyedWrite w : writes) {
            Optional<StoredRecord> current = read(w.store(), w.key());
            boolean match = current.map(StoredRecord::revision).orElse(ABSENT) == w.expectedRevision();
            ok &= match;
            conflicts.add(new WriteResult.Conflict(current));
        }
        if (!ok) {
            return conflicts;
        }
        List<WriteResult> results = new ArrayList<>();
        for (KeyedWrite w : writes) {
            results.add(apply(w.store(), w.key(), w.write()));
        }
        return results;
    }

    private WriteResult apply(String store, String key, RecordWrite write) {
        Instant now = clock.instant();
        Entry e = stores.computeIfAbsent(store, s -> new TreeMap<>()).computeIfAbsent(key, k -> new Entry());
        if (write.versioning() == RecordWrite.Versioning.PRESERVE_PREVIOUS && e.current != null) {
            keepVersion(e, e.current, now, true, SaveCause.REPLACED);
        }
        Instant created = e.current == null ? now : e.current.createdAt();
        e.current = new StoredRecord(nextRevision++, write.payload().clone(), created, now);
        e.userIds = write.userIds();
        if (write.versioning() == RecordWrite.Versioning.SNAPSHOT) {
            keepVersion(e, e.current, now, false, write.cause());
        }
        return new WriteResult.Written(e.current.revision(), now);
    }

    /**
     * Keeps {@code record} as a version. A preserved one (the replaced value of a PRESERVE_PREVIOUS write) is kept
     * whatever the retention, since the engine reports it as kept; retention drops the oldest snapshots only.
     */
    private void keepVersion(Entry e, StoredRecord record, Instant at, boolean preserved, SaveCause cause) {
        // Versions are kept in revision order and revisions only grow, so a version of this record can only be
        // among the newest: the scan stops at the first older one (the first, on every session write).
        for (var it = e.versions.descendingIterator(); it.hasNext(); ) {
            Version v = it.next();
            if (v.record.revision() < record.revision()) {
                break;
            }
            if (v.record.revision() == record.revision()) {
                if (preserved && !v.preserved) {
                    v.preserved = true;
                    e.snapshots--;
                }
                return;
            }
        }
        if (!preserved && versionsPerKey == 0) {
            return;
        }
        e.versions.addLast(new Version(new VersionInfo(Long.toString(record.revision()), at, record.revision(), cause),
                record, e.userIds, preserved));
        if (!preserved) {
            e.snapshots++;
        }
        for (var it = e.versions.iterator(); e.snapshots > versionsPerKey && it.hasNext(); ) {
            if (!it.next().preserved) {
                it.remove();
                e.snapshots--;
            }
        }
    }

    @Override
    public synchronized boolean remove(String store, String key, long expectedRevision) {
        Entry e = entry(store, key);
        if (e == null || e.current == null || e.current.revision() != expectedRevision) {
            return false;
        }
        e.current = null;
        e.userIds = Set.of();
        return true;
    }

    @Override
    public synchronized void purge(String store, String key) {
        var keys = stores.get(store);
        if (keys != null) {
            keys.remove(key);
        }
    }

    @Override
    public synchronized List<VersionInfo> versions(String store, String key, VersionRange query) {
        Entry e = entry(store, key);
        if (e == null) {
            return List.of();
        }
        var stream = e.versions.stream().map(Version::info).filter(v -> query.contains(v.savedAt()));
        if (query.newestFirst()) {
            stream = stream.sorted(Comparator.comparingLong(VersionInfo::revision).reversed());
        }
        return stream.limit(query.limit()).toList();
    }

    @Override
    public synchronized Optional<StoredRecord> readVersion(String store, String key, String versionId) {
        Entry e = entry(store, key);
        if (e == null) {
            return Optional.empty();
        }
        return e.versions.stream().filter(v -> v.info.versionId().equals(versionId)).map(Version::record)
                .map(InMemoryStorage::copy).findFirst();
    }

    @Override
    public synchronized boolean pinVersion(String store, String key, String versionId) {
        Entry e = entry(store, key);
        if (e == null) {
            return false;
        }
        for (Version v : e.versions) {
            if (v.info.versionId().equals(versionId)) {
                if (!v.preserved) {
                    v.preserved = true;
                    e.snapshots--;
                }
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized VersionInfo writeVersion(String store, String key, VersionWrite version) {
        Entry e = stores.computeIfAbsent(store, s -> new TreeMap<>()).computeIfAbsent(key, k -> new Entry());
        long revision = nextRevision++;
        VersionInfo info = new VersionInfo(Long.toString(revision), version.source().savedAt(), revision,
                version.source().cause());
        e.versions.addLast(new Version(info, new StoredRecord(revision, version.payload().clone(), version.createdAt(),
                version.updatedAt()), version.userIds(), version.pinned()));
        if (!version.pinned()) {
            e.snapshots++;
        }
        return info;
    }

    @Override
    public synchronized Set<String> pinnedVersions(String store, String key) {
        Entry e = entry(store, key);
        if (e == null) {
            return Set.of();
        }
        return e.versions.stream().filter(v -> v.preserved).map(v -> v.info.versionId())
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    @Override
    public synchronized List<String> keysByUserId(String store, long userId) {
        var keys = stores.get(store);
        if (keys == null) {
            return List.of();
        }
        List<String> found = new ArrayList<>();
        keys.forEach((key, e) -> {
            if (e.userIds.contains(userId) || e.versions.stream().anyMatch(v -> v.userIds.contains(userId))) {
                found.add(key);
            }
        });
        return found;
    }

    @Override
    public synchronized List<String> listKeys(String store, String afterKey, int limit) {
        var keys = stores.get(store);
        if (keys == null) {
            return List.of();
        }
        var tail = afterKey == null ? keys : keys.tailMap(afterKey, false);
        return tail.entrySet().stream().filter(en -> en.getValue().current != null).map(Map.Entry::getKey)
                .limit(limit).toList();
    }

    @Override
    public synchronized void renewLease(String serverId, Duration ttl) {
        leases.put(serverId, clock.instant().plus(ttl));
    }

    @Override
    public synchronized boolean isLeaseLive(String serverId) {
        Instant until = leases.get(serverId);
        return until != null && clock.instant().isBefore(until);
    }

    @Override
    public synchronized Duration leaseRemaining(String serverId) {
        Instant until = leases.get(serverId);
        Instant now = clock.instant();
        return until == null || !now.isBefore(until) ? Duration.ZERO : Duration.between(now, until);
    }

    @Override
    public synchronized void dropLease(String serverId) {
        leases.remove(serverId);
    }

    @Override
    public void close() {
        // Nothing to release; the data stays readable for tests that inspect it after close.
    }

    private Entry entry(String store, String key) {
        var keys = stores.get(store);
        return keys == null ? null : keys.get(key);
    }

    private static final class Entry {
        StoredRecord current;
        Set<Long> userIds = Set.of();
        final Deque<Version> versions = new ArrayDeque<>();
        /** How many of {@link #versions} are not preserved: the ones retention counts. */
        int snapshots;
    }

    private static final class Version {
        final VersionInfo info;
        final StoredRecord record;
        final Set<Long> userIds;
        /** Kept by PRESERVE_PREVIOUS: exempt from retention. */
        boolean preserved;

        Version(VersionInfo info, StoredRecord record, Set<Long> userIds, boolean preserved) {
            this.info = info;
            this.record = record;
            this.userIds = userIds;
            this.preserved = preserved;
        }

        VersionInfo info() {
            return info;
        }

        StoredRecord record() {
            return record;
        }
    }
}
