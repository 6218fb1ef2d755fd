package dev.profilestore.console;

import dev.profilestore.CorruptProfileException;
import dev.profilestore.UnsupportedFormatException;
import dev.profilestore.admin.ProfileRecords;
import dev.profilestore.admin.StoredProfile;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One pass over a store name's records: the held profiles and the totals the metrics chart. It reads every record,
 * so it stops after {@link #MAX_KEYS} keys and says so ({@link #truncated}).
 *
 * @param sessions the held profiles, by key
 * @param profiles how many records were read
 * @param sessionsStarted the sum of every profile's session count: its growth is the rate of session starts
 * @param pendingTakeovers held profiles another server is waiting for (a handoff under way)
 * @param pendingMessages messages not yet processed, over all profiles
 * @param unreadable records that are not readable ProfileStore records
 * @param truncated whether the pass stopped at {@link #MAX_KEYS}
 */
record StoreScan(List<SessionRow> sessions, int profiles, long sessionsStarted, int pendingTakeovers,
                 int pendingMessages, int unreadable, boolean truncated) {

    /** The most keys one pass reads. */
    static final int MAX_KEYS = 10_000;

    static StoreScan of(Storage storage, String storeName) {
        List<SessionRow> rows = new ArrayList<>();
        Map<String, Duration> leases = new HashMap<>();
        int profiles = 0;
        long started = 0;
        int takeovers = 0;
        int messages = 0;
        int unreadable = 0;
        String after = null;
        boolean truncated = false;
        outer:
        while (true) {
            List<String> page = storage.listKeys(storeName, after, 500);
            for (String k : page) {
                if (profiles >= MAX_KEYS) {
                    truncated = true;
                    break outer;
                }
                Optional<StoredRecord> rec = storage.read(storeName, k);
                if (rec.isEmpty()) {
                    continue;
                }
                profiles++;
                StoredProfile p;
                try {
                    p = ProfileRecords.decode(rec.get().payload());
                } catch (CorruptProfileException | UnsupportedFormatException e) {
                    unreadable++;
                    continue;
                }
                started += p.loadCount();
                messages += p.messages().size();
                if (p.lock().isPresent()) {
                    var l = p.lock().get();
                    Duration left = leases.computeIfAbsent(l.leaseId(), storage::leaseRemaining);
                    String waiting = p.takeover().map(StoredProfile.TakeoverRequest::serverId).orElse(null);
                    if (waiting != null) {
                        takeovers++;
                    }
                    rows.add(new SessionRow(k, l.serverId(), l.sessionId(), l.epoch(), l.since(), l.leaseId(), left,
                            waiting));
                }
            }
            if (page.size() < 500) {
                break;
            }
            after = page.getLast();
        }
        return new StoreScan(List.copyOf(rows), profiles, started, takeovers, messages, unreadable, truncated);
    }
}
