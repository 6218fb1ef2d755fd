package dev.profilestore.cli.demo;

import dev.profilestore.SessionEndReason;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The demo's ground truth: what every simulated server did, kept outside the store, and the checks that compare
 * it with what the store holds.
 *
 * <h2>How it knows what should be stored</h2>
 * Every change a server makes to a profile is an {@link Op} with a unique id, recorded here (with the session's
 * epoch) at the moment it is applied in memory. The document itself counts its changes ({@code ops}) and hashes
 * their ids in order ({@code chain}). So whenever a document is read from the store (a session start, the final
 * read) the oracle can say exactly which prefix of its recorded history the store holds, and check that:
 * <ul>
 * <li>the stored chain equals the chain of that prefix, and replaying the prefix gives the stored coins, items
 *     and receipts (otherwise a write from an unknown or stale history landed: an invariant violation);</li>
 * <li>every save acknowledged to a server (its {@code onAfterSave}, which fires only after the store accepted the
 *     write) is still part of that prefix (otherwise: a lost acknowledged save). Changes after a crashed server's
 *     last acknowledged save are the only ones allowed to disappear: they are truncated from the history;</li>
 * <li>epochs of one key only grow, and a new session never starts while another server still believes it holds
 *     the key (unless that server crashed).</li>
 * </ul>
 * At the end, purchases are checked against the shop's list of acknowledged receipts (each granted exactly once),
 * trades against atomicity (both sides or neither), and coins plus item values against what was earned and bought.
 * Thread-safe: every method is synchronized.
 */
public final class Oracle {

    /** How a session start relates to the key's previous holder. */
    public enum StartKind {
        /** The key had never had a session. */
        NEW,
        /** The previous session had ended (released) before this one started. */
        HANDOFF,
        /** The previous holder had crashed (or was still holding): its lock was taken over. */
        TAKEOVER
    }

    /** A kind of audit problem. */
    public enum Kind {
        /** A receipt granted more than once. */
        DUPLICATE_GRANT,
        /** An acknowledged save that the store no longer holds. */
        LOST_ACKNOWLEDGED_SAVE,
        /** Anything else that must never happen. */
        INVARIANT
    }

    /**
     * One audit finding.
     *
     * @param kind what kind
     * @param detail what happened, naming the key
     */
    public record Problem(Kind kind, String detail) {}

    private record Entry(Op op, long epoch, long chainAfter) {}

    private record Ack(long epoch, long ops, long chain) {}

    private static final class History {
        final List<Entry> log = new ArrayList<>();
        final Map<Long, Ack> acks = new HashMap<>();
        long epoch;
        String server;
        boolean active;
        boolean endedByCrash;
        boolean released;
        long sinceNanos;
        int sessions;
        /**
         * A start seen while a live server's session of this key had not reported its end: the problem, unless
         * that end arrives later. Each server reports on its own threads, so a holder's end (after its release
         * landed) can reach the oracle after the next holder's start.
         */
        Problem overlap;
        long overlappedEpoch;
    }

    private final Map<String, History> keys = new TreeMap<>();
    private final Set<String> crashedServers = new HashSet<>();
    private final List<Problem> problems = new ArrayList<>();
    private long lateOps;
    private long takeovers;
    private long lostSessions;
    private long sessionNanos;

    private History history(String key) {
        return keys.computeIfAbsent(key, k -> new History());
    }

    private void problem(Kind kind, String detail) {
        problems.add(new Problem(kind, detail));
    }

    /**
     * A session started and loaded {@code doc}. Checks the loaded document against the recorded history, drops
     * the changes the store does not hold (unacknowledged changes of a crashed holder), and returns how the
     * session was obtained.
     */
    public synchronized StartKind sessionStarted(String key, String serverId, long epoch, DemoPlayer doc, long nowNanos) {
        History h = history(key);
        if (epoch <= h.epoch) {
            problem(Kind.INVARIANT, key + ": epoch " + epoch + " on " + serverId + " did not increase (previous " + h.epoch + ")");
        }
        StartKind kind;
        if (h.sessions == 0) {
            kind = StartKind.NEW;
        } else if (h.active && !crashedServers.contains(h.server)) {
            h.overlap = new Problem(Kind.INVARIANT, key + ": " + serverId + " started epoch " + epoch + " while "
                    + h.server + " still held epoch " + h.epoch + " (two sessions active at once)");
            h.overlappedEpoch = h.epoch;
            kind = StartKind.TAKEOVER;
        } else if (h.active || !h.released && crashedServers.contains(h.server)) {
            // The holder crashed, or crashed while releasing. (A live server's release acknowledgement may reach
            // the oracle after the next start, so only a crashed holder's missing release counts.)
            kind = StartKind.TAKEOVER;
        } else {
            kind = StartKind.HANDOFF;
        }
        if (kind == StartKind.TAKEOVER) {
            takeovers++;
        }
        if (h.active) {
            endSession(h, nowNanos);
        }
        compareAndTruncate(key, h, doc, "session start on " + serverId);
        h.epoch = epoch;
        h.server = serverId;
        h.active = true;
        h.endedByCrash = crashedServers.contains(serverId);
        h.released = false;
        h.sinceNanos = nowNanos;
        h.sessions++;
        return kind;
    }

    /**
     * A change was applied in memory by the session of {@code epoch} to a document whose chain was
     * {@code chainBefore}; {@code doc} is the document after it.
     *
     * <p>A commit that could not land puts the profiles' data back as it was before its change, so the next change
     * may follow an earlier point of the history: the changes after that point were undone and are dropped from
     * it. That is a problem only if one of them had been acknowledged as saved.
     */
    public synchronized void applied(String key, long epoch, Op op, long chainBefore, DemoPlayer doc) {
        History h = history(key);
        if (epoch != h.epoch) {
            lateOps++; // a session that has already been replaced: nothing it does can be stored
            return;
        }
        long follows = doc.ops - 1;
        if (follows < h.log.size() && follows >= 0 && consistent(h, follows, chainBefore)) {
            Ack ack = h.acks.get(epoch);
            if (ack != null && ack.ops > follows) {
                problem(Kind.LOST_ACKNOWLEDGED_SAVE, key + ": changes up to " + ack.ops + " were acknowledged to epoch "
                        + epoch + ", then the data was put back to " + follows + " changes");
            }
            h.log.subList((int) follows, h.log.size()).clear();
        }
        if (doc.ops != h.log.size() + 1 || !consistent(h, follows, chainBefore)) {
            problem(Kind.INVARIANT, key + ": the session's change count " + doc.ops + " does not follow the history ("
                    + h.log.size() + " changes)");
        }
        h.log.add(new Entry(op, epoch, doc.chain));
    }

    /** The store accepted a save of the session of {@code epoch} holding {@code saved}. */
    public synchronized void acknowledged(String key, long epoch, DemoPlayer saved) {
        History h = history(key);
        if (!consistent(h, saved.ops, saved.chain)) {
            problem(Kind.LOST_ACKNOWLEDGED_SAVE, key + ": a save acknowledged to epoch " + epoch + " (" + saved.ops
                    + " changes) is not part of the key's history any more (current epoch " + h.epoch + ")");
            return;
        }
        h.acks.merge(epoch, new Ack(epoch, saved.ops, saved.chain), (a, b) -> a.ops >= b.ops ? a : b);
    }

    /** The last save of the session of {@code epoch}, which released the lock, was accepted by the store. */
    public synchronized void released(String key, long epoch) {
        History h = history(key);
        if (h.epoch == epoch) {
            h.released = true;
        }
    }

    /** A session ended (its {@code onSessionEnd}). */
    public synchronized void sessionEnded(String key, long epoch, SessionEndReason reason, boolean serverCrashed, long nowNanos) {
        History h = history(key);
        if (reason == SessionEndReason.LOST && !serverCrashed) {
            lostSessions++;
        }
        if (h.overlap != null && h.overlappedEpoch == epoch) {
            h.overlap = null; // it had ended; its report came after the next start's
        }
        if (h.epoch == epoch && h.active) {
            endSession(h, nowNanos);
        }
    }

    /** A server crashed: its sessions are gone, and their unsaved changes may be lost. */
    public synchronized void serverCrashed(String serverId, long nowNanos) {
        crashedServers.add(serverId);
        for (History h : keys.values()) {
            if (h.overlap != null && h.overlap.detail().contains(" while " + serverId + " still held")) {
                h.overlap = null;
            }
            if (h.active && serverId.equals(h.server)) {
                endSession(h, nowNanos);
                h.endedByCrash = true;
            }
        }
    }

    private void endSession(History h, long nowNanos) {
        h.active = false;
        sessionNanos += nowNanos - h.sinceNanos;
    }

    /** Total time profiles were loaded, with sessions still open counted up to {@code nowNanos}. */
    public synchronized double profileHours(long nowNanos) {
        long open = 0;
        for (History h : keys.values()) {
            if (h.active) {
                open += nowNanos - h.sinceNanos;
            }
        }
        return (sessionNanos + open) / 3.6e12;
    }

    /** Takeovers so far. */
    public synchronized long takeovers() {
        return takeovers;
    }

    /** Sessions on live servers that ended because their lock was found taken. */
    public synchronized long lostSessions() {
        return lostSessions;
    }

    /** Changes made by sessions that had already been replaced (never stored; informational). */
    public synchronized long lateOps() {
        return lateOps;
    }

    /** Problems found so far. */
    public synchronized List<Problem> problems() {
        return allProblems();
    }

    /** The problems found, and the overlaps whose earlier session never reported its end. */
    private List<Problem> allProblems() {
        List<Problem> all = new ArrayList<>(problems);
        keys.values().stream().map(h -> h.overlap).filter(java.util.Objects::nonNull).forEach(all::add);
        return all;
    }

    private boolean consistent(History h, long ops, long chain) {
        if (ops == 0) {
            return chain == 0;
        }
        return ops <= h.log.size() && h.log.get((int) ops - 1).chainAfter() == chain;
    }

    private void compareAndTruncate(String key, History h, DemoPlayer doc, String when) {
        if (doc.ops > h.log.size()) {
            problem(Kind.INVARIANT, key + " at " + when + ": the store holds " + doc.ops
                    + " changes but the simulation made only " + h.log.size() + " (a write from an unknown history)");
            return;
        }
        if (!consistent(h, doc.ops, doc.chain)) {
            problem(Kind.INVARIANT, key + " at " + when + ": the stored history (" + doc.ops
                    + " changes) differs from the one the servers made");
            return;
        }
        DemoPlayer expected = Ledger.replay(h.log.subList(0, (int) doc.ops).stream().map(Entry::op).toList());
        String diff = Ledger.difference(expected, doc);
        if (diff != null) {
            problem(Kind.INVARIANT, key + " at " + when + ": the stored document does not match its history: " + diff);
        }
        for (var it = h.acks.values().iterator(); it.hasNext(); ) {
            Ack ack = it.next();
            if (ack.ops > doc.ops || !consistent(h, ack.ops, ack.chain)) {
                problem(Kind.LOST_ACKNOWLEDGED_SAVE, key + " at " + when + ": a save acknowledged to epoch " + ack.epoch
                        + " with " + ack.ops + " changes is gone; the store holds " + doc.ops);
                it.remove();
            }
        }
        h.log.subList((int) doc.ops, h.log.size()).clear();
    }

    /**
     * The final audit, after every session has ended.
     *
     * @param finals every profile's stored document, by key
     * @param pendingMessages messages still unprocessed in the store, by key
     * @param requested the receipts the shop's sends were acknowledged for, with their prices
     */
    public synchronized Audit audit(Map<String, DemoPlayer> finals, Map<String, Integer> pendingMessages,
                                    Map<String, Long> requested) {
        for (var e : keys.entrySet()) {
            DemoPlayer doc = finals.get(e.getKey());
            if (doc == null) {
                if (!e.getValue().log.isEmpty() || !e.getValue().acks.isEmpty()) {
                    problem(Kind.LOST_ACKNOWLEDGED_SAVE, e.getKey() + ": the profile is missing from the store");
                }
                continue;
            }
            compareAndTruncate(e.getKey(), e.getValue(), doc, "the final audit");
        }
        Map<String, List<Op>> stored = new TreeMap<>();
        keys.forEach((key, h) -> {
            if (finals.containsKey(key)) {
                stored.put(key, h.log.stream().map(Entry::op).toList());
            }
        });
        return Ledger.settle(stored, finals, pendingMessages, requested, allProblems());
    }

    /**
     * The audit's result.
     *
     * @param duplicatedGrants grants beyond the first of each receipt
     * @param lostAcknowledgedSaves acknowledged saves the store no longer holds
     * @param economyTotal coins plus item values over every stored profile
     * @param grantedTotal coins earned plus the prices of purchases granted, by the ground truth
     * @param invariantViolations everything else that must never happen
     * @param clean whether nothing was found and the totals agree
     * @param receiptsGranted distinct receipts granted
     * @param problems the first problems found, for people
     */
    public record Audit(long duplicatedGrants, long lostAcknowledgedSaves, long economyTotal, long grantedTotal,
                        long invariantViolations, boolean clean,
                        @com.fasterxml.jackson.annotation.JsonIgnore long receiptsGranted, List<String> problems) {}
}
