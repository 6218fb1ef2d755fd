package dev.profilestore.cli.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The ground truth of {@code demo --processes}, rebuilt from what the server processes reported
 * ({@link ServerEvent}s), and its audit.
 *
 * <h2>Why it differs from the {@link Oracle}</h2>
 * The oracle of threads mode sees every event the moment it happens, in one order. Lines from several processes
 * reach the parent through several pipes, so a session start on one server can be read before the save on another
 * server that it loaded. This audit therefore uses no arrival order at all. Every reported change names the chain
 * value of the document before it and after it ({@link DemoPlayer#chain} hashes the ids of a document's changes in
 * order), so the changes of one profile form a tree rooted at the empty document: each branch is a history some
 * session made, and abandoned branches are changes that were never stored (a killed server's unsaved work, a trade
 * whose commit failed). Once every process has finished, the stored document's chain picks exactly one path in
 * that tree, and:
 * <ul>
 * <li>the path must exist (otherwise a write from a history no server made landed), its length must be the
 *     document's change count, and replaying it must give the stored coins, items and receipts;</li>
 * <li>every save acknowledged to a server must lie on the path: a later write that did not build on it would have
 *     lost it (a <b>lost acknowledged save</b>);</li>
 * <li>every session start must have loaded a point on the path, no earlier than the sessions of lower epochs
 *     loaded, and no two sessions may share an epoch: with a single writer, the stored history is one line;</li>
 * <li>then the {@link Ledger} checks receipts, trades and the economy on the stored paths.</li>
 * </ul>
 * Thread-safe: every method is synchronized (each server's reader thread reports here).
 */
final class ReportedHistory {

    private record Change(long before, Op op, long ops, String server, long epoch) {}

    private record Load(String server, long epoch, long ops, long chain, long coins) {}

    private record Ack(String server, long epoch, long ops, long chain) {}

    private static final class Key {
        final Map<Long, Change> changes = new HashMap<>();
        final List<Load> loads = new ArrayList<>();
        final List<Ack> acks = new ArrayList<>();
    }

    private final Map<String, Key> keys = new TreeMap<>();
    private final List<Oracle.Problem> problems = new ArrayList<>();
    private long coinsEarned;

    private Key key(String key) {
        return keys.computeIfAbsent(key, k -> new Key());
    }

    private void problem(Oracle.Kind kind, String detail) {
        problems.add(new Oracle.Problem(kind, detail));
    }

    /** Records what {@code server} reported; events that say nothing about histories are ignored. */
    synchronized void record(String server, ServerEvent event) {
        switch (event) {
            case ServerEvent.Started s -> key(s.key()).loads.add(new Load(server, s.epoch(), s.ops(), s.chain(), s.coins()));
            case ServerEvent.Applied a -> applied(server, a);
            case ServerEvent.Saved s -> key(s.key()).acks.add(new Ack(server, s.epoch(), s.ops(), s.chain()));
            default -> { }
        }
    }

    private void applied(String server, ServerEvent.Applied a) {
        if (a.op() instanceof Op.Earn earn) {
            coinsEarned += earn.coins();
        }
        if (a.chain() != DemoPlayer.nextChain(a.before(), a.op().id())) {
            problem(Oracle.Kind.INVARIANT, a.key() + ": " + server + " reported change " + a.op().id()
                    + " with a chain that does not follow from the one before it");
            return;
        }
        Change change = new Change(a.before(), a.op(), a.ops(), server, a.epoch());
        Change earlier = key(a.key()).changes.putIfAbsent(a.chain(), change);
        if (earlier != null) {
            problem(Oracle.Kind.INVARIANT, a.key() + ": change " + a.op().id() + " was reported twice (by "
                    + earlier.server() + " and " + server + ")");
        }
    }

    /** Coins earned in memory by every server, saved or not. */
    synchronized long coinsEarned() {
        return coinsEarned;
    }

    /**
     * The final audit, after every server has finished and every profile was loaded once more.
     *
     * @param finals every profile's stored document, by key
     * @param pendingMessages messages still unprocessed in the store, by key
     * @param requested the receipts the shop's sends were acknowledged for, with their prices
     */
    synchronized Oracle.Audit audit(Map<String, DemoPlayer> finals, Map<String, Integer> pendingMessages,
                                    Map<String, Long> requested) {
        Map<String, List<Op>> stored = new TreeMap<>();
        for (String key : new TreeSet<>(keys.keySet())) {
            Key k = keys.get(key);
            DemoPlayer doc = finals.get(key);
            if (doc == null) {
                if (k.acks.stream().anyMatch(a -> a.ops() > 0)) {
                    problem(Oracle.Kind.LOST_ACKNOWLEDGED_SAVE, key + ": the profile is missing from the store");
                }
                continue;
            }
            List<Long> path = path(key, k, doc);
            if (path == null) {
                continue;
            }
            List<Op> ops = new ArrayList<>();
            List<Long> coinsAt = new ArrayList<>(List.of(0L));
            DemoPlayer replayed = new DemoPlayer();
            for (int i = 1; i < path.size(); i++) {
                Op op = k.changes.get(path.get(i)).op();
                ops.add(op);
                op.applyTo(replayed);
                coinsAt.add(replayed.coins);
            }
            stored.put(key, ops);
            String diff = Ledger.difference(replayed, doc);
            if (diff != null) {
                problem(Oracle.Kind.INVARIANT, key + ": the stored document does not match its history: " + diff);
            }
            for (Ack ack : k.acks) {
                if (!onPath(path, ack.ops(), ack.chain())) {
                    problem(Oracle.Kind.LOST_ACKNOWLEDGED_SAVE, key + ": a save acknowledged to " + ack.server()
                            + " (epoch " + ack.epoch() + ", " + ack.ops() + " changes) is not part of the stored history ("
                            + doc.ops + " changes)");
                }
            }
            checkLoads(key, k, path, coinsAt);
        }
        return Ledger.settle(stored, finals, pendingMessages, requested, problems);
    }

    /**
     * The chain values from the empty document to the stored one, or null (with a problem recorded) when the
     * stored document is not the end of any reported history.
     */
    private List<Long> path(String key, Key k, DemoPlayer doc) {
        List<Long> path = new ArrayList<>();
        long chain = doc.chain;
        while (chain != 0 && path.size() <= k.changes.size()) {
            path.add(chain);
            Change change = k.changes.get(chain);
            if (change == null) {
                problem(Oracle.Kind.INVARIANT, key + ": the store holds a document (" + doc.ops
                        + " changes) whose history no server reported: a write from an unknown history");
                return null;
            }
            chain = change.before();
        }
        path.add(0L);
        java.util.Collections.reverse(path);
        if (path.size() - 1 != doc.ops) {
            problem(Oracle.Kind.INVARIANT, key + ": the stored document counts " + doc.ops + " changes but its history has "
                    + (path.size() - 1));
            return null;
        }
        return path;
    }

    private static boolean onPath(List<Long> path, long ops, long chain) {
        return ops >= 0 && ops < path.size() && path.get((int) ops) == chain;
    }

    private void checkLoads(String key, Key k, List<Long> path, List<Long> coinsAt) {
        List<Load> loads = new ArrayList<>(k.loads);
        loads.sort(Comparator.comparingLong(Load::epoch));
        Load previous = null;
        for (Load load : loads) {
            if (previous != null && previous.epoch() == load.epoch()) {
                problem(Oracle.Kind.INVARIANT, key + ": two sessions had epoch " + load.epoch() + " (" + previous.server()
                        + " and " + load.server() + ")");
            }
            if (!onPath(path, load.ops(), load.chain())) {
                problem(Oracle.Kind.INVARIANT, key + ": the session of epoch " + load.epoch() + " on " + load.server()
                        + " loaded a document (" + load.ops() + " changes) that is not part of the stored history");
            } else if (coinsAt.get((int) load.ops()) != load.coins()) {
                problem(Oracle.Kind.INVARIANT, key + ": the session of epoch " + load.epoch() + " on " + load.server()
                        + " loaded " + load.coins() + " coins, its history says " + coinsAt.get((int) load.ops()));
            } else if (previous != null && load.ops() < previous.ops()) {
                problem(Oracle.Kind.INVARIANT, key + ": the session of epoch " + load.epoch() + " on " + load.server()
                        + " loaded an older document than epoch " + previous.epoch() + " had (a stale write landed)");
            }
            previous = load;
        }
    }
}
