package dev.profilestore.testkit.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Holds a run to the product's properties. It sees every applied write (from {@link AuditedStorage})
 * and every acknowledgement the game got (saves, messages, trades), and checks:
 * <ul>
 * <li>single writer: for a key, an epoch belongs to one session id, and epochs never go back;</li>
 * <li>no acknowledged save lost: every applied write and the store after each step hold everything an
 *     acknowledged save held (the ledger only grows, so "holds" is containment);</li>
 * <li>receipts: granted at most once always, exactly once at the end when acknowledged;</li>
 * <li>economy: each record's balance matches its ledger; at the end every trade is on both sides and
 *     the coins in the store equal the coins granted;</li>
 * <li>messages: applied at most once always, exactly once at the end when acknowledged.</li>
 * <li>epochs never repeat for a key, removal, import, rollback and replacement included; storage revisions
 *     only grow per key;</li>
 * <li>every future the API completed normally is durable ({@link Invariant#ACKED_NOT_DURABLE});</li>
 * <li>a record of a newer format is never replaced.</li>
 * </ul>
 * An explicit reset of a key (removal, view overwrite or rollback, import, a record replaced from
 * outside) lets everything acknowledged before it go: acknowledgements are counted only when no reset
 * of their key began or ended between the operation's call and its acknowledgement (a {@link Ticket}).
 */
final class Checker {

    /** A trade as the game made it. */
    record Trade(String id, String from, String to, long coins) {}

    /** Where a key stood when an operation was called: resets and message drops so far. */
    record Ticket(String key, int resets, int drops) {}

    private final Map<String, Integer> resets = new HashMap<>();
    private final Map<String, Integer> resetsInFlight = new HashMap<>();
    private final Map<String, Integer> drops = new HashMap<>();
    /** Keys whose latest acknowledged save was not counted because a reset came after its session began. */
    private final Set<String> uncountedSaves = new java.util.HashSet<>();
    /** Per key, everything the API's normally completed futures acknowledged. */
    private final Map<String, Wallet> ackFloor = new TreeMap<>();
    private final Map<String, String> ackWhat = new HashMap<>();
    private final Map<String, Long> maxRevision = new HashMap<>();
    private final Map<String, Long> maxEpoch = new HashMap<>();
    private final Map<String, Set<String>> sessionsOf = new HashMap<>();
    /** Keys whose record is, right now, one of a newer library version that was put there. */
    private final Set<String> newerFormat = new TreeSet<>();
    final Map<String, Ticket> messageTickets = new HashMap<>();
    /** The stores' message cap, or 0: a write with a full queue may have dropped acknowledged messages (documented). */
    int messageCap;
    final Map<String, Ticket[]> tradeTickets = new HashMap<>();

    /** The format marker of a newer library's records. */
    static final String NEWER = "profilestore/2";

    private final ObjectMapper mapper;
    private final Trace trace;
    private final List<Violation> violations = new ArrayList<>();
    private final Set<String> seen = new java.util.HashSet<>();

    private final Map<String, Map<Long, String>> epochOwners = new HashMap<>();
    /** The latest applied data per key. */
    private final Map<String, Wallet> applied = new TreeMap<>();
    /** Per key, everything acknowledged saves held. */
    private final Map<String, Wallet> floor = new TreeMap<>();
    private final Set<String> touched = new TreeSet<>();

    final Map<String, Long> receiptPrice = new HashMap<>();
    final Map<String, String> receiptKey = new HashMap<>();
    final Set<String> ackedReceipts = new LinkedHashSet<>();
    final Map<String, Long> giftAmount = new HashMap<>();
    final Map<String, String> giftKey = new HashMap<>();
    final Set<String> ackedGifts = new LinkedHashSet<>();
    final Map<String, Trade> trades = new LinkedHashMap<>();
    final Set<String> ackedTrades = new LinkedHashSet<>();

    Checker(ObjectMapper mapper, Trace trace) {
        this.mapper = mapper;
        this.trace = trace;
    }

    List<Violation> violations() {
        return violations;
    }

    void violation(Invariant invariant, String detail) {
        // One report per distinct problem: a broken record is seen again at every later write.
        if (seen.add(invariant + detail) && violations.size() < 50) {
            violations.add(new Violation(invariant, trace.step(), detail));
            trace.add("VIOLATION " + invariant + ": " + detail);
        }
    }

    // ---- what landed ----

    void onApplied(String key, JsonNode root) {
        touched.add(key);
        if (root == null) {
            violation(Invariant.UNEXPECTED_ERROR, key + ": the engine wrote a value that is not JSON");
            return;
        }
        if (newerFormat.remove(key) && !NEWER.equals(root.path("format").asText())) {
            violation(Invariant.NEWER_FORMAT_REPLACED, key + ": a record of format " + NEWER + " was replaced by one of format "
                    + root.path("format").asText() + (root.path("meta").path("lock").isObject()
                    ? " locked by " + root.path("meta").path("lock").path("serverId").asText() : ""));
        }
        if (messageCap > 0 && root.path("messages").path("items").size() >= messageCap) {
            drops.merge(key, 1, Integer::sum);
        }
        JsonNode meta = root.get("meta");
        if (meta == null) {
            return; // a message box: messages for a key that never had a session
        }
        JsonNode lock = meta.get("lock");
        String lockText = "unlocked";
        if (lock != null && !lock.isNull()) {
            long epoch = lock.get("epoch").asLong();
            String session = lock.get("sessionId").asText();
            String server = lock.get("serverId").asText();
            lockText = "epoch " + epoch + " " + trace.session(session) + "@" + server;
            boolean first = sessionsOf.computeIfAbsent(key, k -> new java.util.HashSet<>()).add(session);
            Long max = maxEpoch.get(key);
            String owner = epochOwners.computeIfAbsent(key, k -> new HashMap<>()).putIfAbsent(epoch, session);
            if (first && max != null && epoch <= max) {
                violation(Invariant.EPOCH_REPEATED, key + ": session " + trace.session(session) + "@" + server
                        + " acquired with epoch " + epoch + ", but epoch " + max + " was already used"
                        + (owner != null && !owner.equals(session) ? " (epoch " + epoch + " by " + trace.session(owner) + ")" : ""));
            } else if (owner != null && !owner.equals(session)) {
                violation(Invariant.SINGLE_WRITER, key + ": epoch " + epoch + " written by session "
                        + trace.session(owner) + " and by session " + trace.session(session) + "@" + server);
            } else if (!first && max != null && epoch < max) {
                violation(Invariant.SINGLE_WRITER, key + ": a write with epoch " + epoch + " (" + trace.session(session)
                        + "@" + server + ") landed after epoch " + max);
            }
            maxEpoch.merge(key, epoch, Math::max);
        }
        JsonNode data = root.get("data");
        if (data == null || data.isNull() || !data.isObject()) {
            applied.remove(key);
            trace.add("  applied " + key + " [" + lockText + "] with data " + data);
            return;
        }
        Wallet w = wallet(data);
        applied.put(key, w);
        trace.add("  applied " + key + " [" + lockText + "] coins=" + w.coins + " earned=" + w.earned + " receipts="
                + w.receipts.size() + " gifts=" + w.gifts.size() + " trades=" + w.tradesIn.size() + "/" + w.tradesOut.size()
                + " queued=" + root.path("messages").path("items").size());
        checkRecord(key, w, "an applied write");
    }

    private Wallet wallet(JsonNode data) {
        if (data != null && data.has("balance") && !data.has("coins") && data instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            // Format-1 data (an import with the MIGRATION feature) names the balance "balance": read it as the
            // engine's migration will.
            data = o.deepCopy().set("coins", o.get("balance"));
        }
        try {
            return mapper.readerFor(Wallet.class).without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(data);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored data is not a Wallet: " + e.getMessage(), e);
        }
    }

    private void checkRecord(String key, Wallet w, String where) {
        if (w.coins != w.ledgerBalance()) {
            violation(Invariant.ECONOMY, key + ": " + where + " has " + w.coins + " coins but its ledger says "
                    + w.ledgerBalance());
        }
        w.receipts.forEach((r, coins) -> {
            Long price = receiptPrice.get(r);
            if (price != null && coins != (long) price) {
                violation(Invariant.RECEIPT_DUPLICATED, key + ": receipt " + r + " of " + price + " coins granted "
                        + coins + " coins (" + where + ")");
            }
        });
        w.gifts.forEach((g, coins) -> {
            Long amount = giftAmount.get(g);
            if (amount != null && coins != (long) amount) {
                violation(Invariant.MESSAGE_DUPLICATED, key + ": gift " + g + " of " + amount + " coins applied as "
                        + coins + " coins (" + where + ")");
            }
        });
        Wallet f = floor.get(key);
        if (f != null) {
            String missing = missing(f, w);
            if (missing != null) {
                violation(Invariant.ACKED_SAVE_LOST, key + ": " + where + " lacks what an acknowledged save held: " + missing);
            }
        }
        Wallet a = ackFloor.get(key);
        if (a != null) {
            String missing = missing(a, w);
            if (missing != null) {
                violation(Invariant.ACKED_NOT_DURABLE, key + ": " + where + " lacks what a normally completed "
                        + "operation acknowledged (" + ackWhat.getOrDefault(key, "?") + "): " + missing);
            }
        }
    }

    /** What {@code floor} holds that {@code w} does not, or null. */
    private static String missing(Wallet floor, Wallet w) {
        List<String> gaps = new ArrayList<>();
        if (w.earned < floor.earned) {
            gaps.add("earned " + floor.earned + " > " + w.earned);
        }
        gap(gaps, "receipts", floor.receipts, w.receipts);
        gap(gaps, "gifts", floor.gifts, w.gifts);
        gap(gaps, "tradesIn", floor.tradesIn, w.tradesIn);
        gap(gaps, "tradesOut", floor.tradesOut, w.tradesOut);
        return gaps.isEmpty() ? null : String.join("; ", gaps);
    }

    private static void gap(List<String> gaps, String what, Map<String, Long> floor, Map<String, Long> w) {
        var lacking = new TreeSet<>(floor.keySet());
        lacking.removeAll(w.keySet());
        if (!lacking.isEmpty()) {
            gaps.add(what + " " + lacking);
        }
    }

    // ---- what the game was told ----

    /** A save of {@code key} was reported successful ({@code onAfterSave}) by a session that began at {@code session}. */
    void ackSave(Ticket session, Wallet saved) {
        if (!valid(session)) {
            trace.add("  " + session.key() + ": a save acknowledged across a reset of the key is not counted");
            uncountedSaves.add(session.key());
            return;
        }
        uncountedSaves.remove(session.key());
        merge(floor.computeIfAbsent(session.key(), k -> new Wallet()), saved);
        touched.add(session.key());
    }

    private static void merge(Wallet f, Wallet saved) {
        f.earned = Math.max(f.earned, saved.earned);
        f.receipts.putAll(saved.receipts);
        f.gifts.putAll(saved.gifts);
        f.tradesIn.putAll(saved.tradesIn);
        f.tradesOut.putAll(saved.tradesOut);
    }

    /** Where {@code key} stands now, for an operation called now. */
    Ticket ticket(String key) {
        return new Ticket(key, resets.getOrDefault(key, 0), drops.getOrDefault(key, 0));
    }

    /** Whether no reset of the key began or ended since {@code t}, and none is under way. */
    boolean valid(Ticket t) {
        return resets.getOrDefault(t.key(), 0) == t.resets() && resetsInFlight.getOrDefault(t.key(), 0) == 0;
    }

    /** Whether {@link #valid} and no message of the key was dropped for the cap since {@code t}. */
    boolean validForMessages(Ticket t) {
        return valid(t) && drops.getOrDefault(t.key(), 0) == t.drops();
    }

    /**
     * An operation called at {@code t} completed normally, acknowledging {@code content} (ledger entries
     * at the call; what it wrote holds at least these). Unless the key was reset meanwhile, the store must
     * hold them from now on.
     */
    void ackDurable(Ticket t, Wallet content, String what) {
        if (!valid(t)) {
            trace.add("  " + t.key() + ": " + what + " acknowledged across a reset of the key; not counted");
            return;
        }
        // A trade not (yet) committed may be put back by the engine, as documented: only committed trades count.
        content.tradesIn.keySet().retainAll(ackedTrades);
        content.tradesOut.keySet().retainAll(ackedTrades);
        merge(ackFloor.computeIfAbsent(t.key(), k -> new Wallet()), content);
        ackWhat.put(t.key(), what);
        touched.add(t.key());
    }

    /** An explicit reset of {@code key} begins: what was acknowledged before may go. */
    void beginReset(String key, String why) {
        resets.merge(key, 1, Integer::sum);
        resetsInFlight.merge(key, 1, Integer::sum);
        floor.remove(key);
        ackFloor.remove(key);
        trace.add("  reset of " + key + " begins: " + why);
    }

    /** A reset of {@code key} is over (done or failed); {@code now}, when not null, is what the key now holds for sure. */
    void endReset(String key, Wallet now) {
        resets.merge(key, 1, Integer::sum);
        resetsInFlight.merge(key, -1, Integer::sum);
        if (now != null && resetsInFlight.get(key) == 0) {
            merge(ackFloor.computeIfAbsent(key, k -> new Wallet()), now);
            ackWhat.put(key, "an overwrite or import");
            touched.add(key);
        }
    }

    /**
     * An operator put a record straight into the store: {@code wallet} (null when it is not ours), and
     * whether it is of a newer format.
     */
    void replaced(String key, Wallet wallet, boolean newer, String why) {
        beginReset(key, why);
        if (wallet == null) {
            applied.remove(key);
        } else {
            applied.put(key, wallet);
        }
        if (newer) {
            newerFormat.add(key);
        } else {
            newerFormat.remove(key);
        }
        endReset(key, wallet);
    }

    /** Whether {@code key} now holds a record of a newer format that was put there. */
    boolean holdsNewerFormat(String key) {
        return newerFormat.contains(key);
    }

    /** Messages of {@code key} were dropped for the cap ({@code onMessagesDropped}). */
    void onMessagesDropped(String key) {
        drops.merge(key, 1, Integer::sum);
        trace.add("  messages of " + key + " dropped for the cap");
    }

    /** The record of {@code key} was removed. */
    void onRemoved(String key) {
        applied.remove(key);
        newerFormat.remove(key);
        trace.add("  removed " + key);
    }

    /** The storage wrote {@code key} as {@code revision}: revisions only grow per key, removal or not. */
    void onRevision(String key, long revision) {
        Long max = maxRevision.get(key);
        if (max != null && revision <= max) {
            violation(Invariant.EPOCH_REPEATED, key + ": the storage wrote revision " + revision + " after revision " + max
                    + " (epochs derive from revisions: they must never repeat for a key, removal included)");
        }
        maxRevision.merge(key, revision, Math::max);
    }

    void ackTrade(Trade t) {
        ackedTrades.add(t.id());
        Ticket[] tickets = tradeTickets.get(t.id());
        if (tickets != null && !(valid(tickets[0]) && valid(tickets[1]))
                || uncountedSaves.contains(t.from()) || uncountedSaves.contains(t.to())) {
            return; // a side's saves are not counted (its session began before a reset of the key)
        }
        Wallet from = floor.get(t.from());
        Wallet to = floor.get(t.to());
        if (from == null || !from.tradesOut.containsKey(t.id()) || to == null || !to.tradesIn.containsKey(t.id())) {
            violation(Invariant.ECONOMY, "trade " + t.id() + " was acknowledged without both sides' saves being reported");
        }
    }

    /** After every step: the store holds every acknowledged save of the keys that changed. */
    void afterStep() {
        for (String key : touched) {
            Wallet w = applied.get(key);
            Wallet f = floor.get(key);
            if (f != null && w == null) {
                violation(Invariant.ACKED_SAVE_LOST, key + ": acknowledged saves but nothing in the store");
            } else if (ackFloor.containsKey(key) && w == null) {
                violation(Invariant.ACKED_NOT_DURABLE, key + ": acknowledged (" + ackWhat.get(key) + ") but nothing of ours in the store");
            } else if (w != null) {
                checkRecord(key, w, "the stored record");
            }
        }
        touched.clear();
    }

    // ---- the end ----

    /** Checks the healed, drained store: {@code finals} maps each key to its final record (null: none). */
    void atEnd(Map<String, JsonNode> finals) {
        Map<String, Wallet> wallets = new TreeMap<>();
        finals.forEach((key, root) -> {
            if (root == null || !"profilestore/1".equals(root.path("format").asText())) {
                if (root != null && root.path("meta").path("lock").isObject()) {
                    violation(Invariant.STUCK, key + ": a record not of this library's format holds a lock at the end");
                }
                return; // none, or one that is not ours (kept so on purpose: a newer format, a value put there)
            }
            JsonNode lock = root.path("meta").get("lock");
            if (lock != null && !lock.isNull()) {
                violation(Invariant.STUCK, key + ": still locked after every server closed: " + lock);
            }
            int queued = root.path("messages").path("items").size();
            if (queued > 0) {
                violation(Invariant.STUCK, key + ": " + queued + " messages still queued after a drain");
            }
            if (root.path("data").isObject()) {
                Wallet w = wallet(root.get("data"));
                wallets.put(key, w);
                checkRecord(key, w, "the final record");
            }
        });
        for (String r : ackedReceipts) {
            Ticket t = messageTickets.get(r);
            if (t != null && !validForMessages(t)) {
                continue; // the key was reset, or messages dropped for the cap, after the send
            }
            Wallet w = wallets.get(receiptKey.get(r));
            if (w == null || !w.receipts.containsKey(r)) {
                violation(Invariant.RECEIPT_LOST, receiptKey.get(r) + ": acknowledged receipt " + r + " was never granted");
            }
        }
        for (String g : ackedGifts) {
            Ticket t = messageTickets.get(g);
            if (t != null && !validForMessages(t)) {
                continue;
            }
            Wallet w = wallets.get(giftKey.get(g));
            if (w == null || !w.gifts.containsKey(g)) {
                violation(Invariant.MESSAGE_LOST, giftKey.get(g) + ": acknowledged gift " + g + " was never applied");
            }
        }
        long coins = 0;
        long granted = 0;
        for (var e : wallets.entrySet()) {
            Wallet w = e.getValue();
            coins += w.coins;
            granted += w.granted();
            // A trade one side of which was reset afterwards may stand on one side only: leave it out.
            for (var in : w.tradesIn.entrySet()) {
                if (excused(in.getKey())) {
                    coins -= in.getValue();
                }
            }
            for (var out : w.tradesOut.entrySet()) {
                if (excused(out.getKey())) {
                    coins += out.getValue();
                }
            }
            w.tradesOut.forEach((t, c) -> {
                if (excused(t)) {
                    return;
                }
                Trade trade = trades.get(t);
                Wallet other = trade == null ? null : wallets.get(trade.to());
                if (other == null || !c.equals(other.tradesIn.get(t))) {
                    violation(Invariant.ECONOMY, e.getKey() + ": trade " + t + " paid " + c + " coins that "
                            + (trade == null ? "nobody" : trade.to()) + " never received"
                            + (ackedTrades.contains(t) ? " (acknowledged)" : " (its commit had failed)"));
                }
            });
            w.tradesIn.forEach((t, c) -> {
                if (excused(t)) {
                    return;
                }
                Trade trade = trades.get(t);
                Wallet other = trade == null ? null : wallets.get(trade.from());
                if (other == null || !c.equals(other.tradesOut.get(t))) {
                    violation(Invariant.ECONOMY, e.getKey() + ": trade " + t + " received " + c + " coins that "
                            + (trade == null ? "nobody" : trade.from()) + " never paid"
                            + (ackedTrades.contains(t) ? " (acknowledged)" : " (its commit had failed)"));
                }
            });
        }
        if (coins != granted) {
            violation(Invariant.ECONOMY, "the store holds " + coins + " coins but " + granted + " were granted");
        }
        for (String t : ackedTrades) {
            if (excused(t)) {
                continue;
            }
            Trade trade = trades.get(t);
            Wallet from = wallets.get(trade.from());
            Wallet to = wallets.get(trade.to());
            if (from == null || !from.tradesOut.containsKey(t) || to == null || !to.tradesIn.containsKey(t)) {
                violation(Invariant.ACKED_SAVE_LOST, "acknowledged trade " + t + " is missing from the store");
            }
        }
    }

    /** Whether either side of trade {@code id} was reset after the trade was made. */
    private boolean excused(String id) {
        Ticket[] t = tradeTickets.get(id);
        return t != null && !(valid(t[0]) && valid(t[1]));
    }
}
