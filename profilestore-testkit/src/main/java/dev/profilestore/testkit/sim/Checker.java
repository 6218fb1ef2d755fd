package dev.profilestore.testkit.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
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
 * </ul>
 */
final class Checker {

    /** A trade as the game made it. */
    record Trade(String id, String from, String to, long coins) {}

    private final ObjectMapper mapper;
    private final Trace trace;
    private final List<Violation> violations = new ArrayList<>();
    private final Set<String> seen = new java.util.HashSet<>();

    private final Map<String, Map<Long, String>> epochOwners = new HashMap<>();
    private final Map<String, Long> lastEpoch = new HashMap<>();
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
            String owner = epochOwners.computeIfAbsent(key, k -> new HashMap<>()).putIfAbsent(epoch, session);
            if (owner != null && !owner.equals(session)) {
                violation(Invariant.SINGLE_WRITER, key + ": epoch " + epoch + " written by session "
                        + trace.session(owner) + " and by session " + trace.session(session) + "@" + server);
            }
            Long last = lastEpoch.get(key);
            if (last != null && epoch < last) {
                violation(Invariant.SINGLE_WRITER, key + ": a write with epoch " + epoch + " (" + trace.session(session)
                        + "@" + server + ") landed after epoch " + last);
            }
            lastEpoch.merge(key, epoch, Math::max);
        }
        Wallet w = wallet(root.get("data"));
        applied.put(key, w);
        trace.add("  applied " + key + " [" + lockText + "] coins=" + w.coins + " earned=" + w.earned + " receipts="
                + w.receipts.size() + " gifts=" + w.gifts.size() + " trades=" + w.tradesIn.size() + "/" + w.tradesOut.size()
                + " queued=" + root.path("messages").path("items").size());
        checkRecord(key, w, "an applied write");
    }

    private Wallet wallet(JsonNode data) {
        try {
            return mapper.treeToValue(data, Wallet.class);
        } catch (JsonProcessingException e) {
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

    /** A save of {@code key} was reported successful, having written {@code saved}. */
    void ackSave(String key, Wallet saved) {
        Wallet f = floor.computeIfAbsent(key, k -> new Wallet());
        f.earned = Math.max(f.earned, saved.earned);
        f.receipts.putAll(saved.receipts);
        f.gifts.putAll(saved.gifts);
        f.tradesIn.putAll(saved.tradesIn);
        f.tradesOut.putAll(saved.tradesOut);
        touched.add(key);
    }

    void ackTrade(Trade t) {
        ackedTrades.add(t.id());
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
            if (root == null) {
                return;
            }
            JsonNode lock = root.path("meta").get("lock");
            if (lock != null && !lock.isNull()) {
                violation(Invariant.STUCK, key + ": still locked after every server closed: " + lock);
            }
            int queued = root.path("messages").path("items").size();
            if (queued > 0) {
                violation(Invariant.STUCK, key + ": " + queued + " messages still queued after a drain");
            }
            if (root.has("data")) {
                Wallet w = wallet(root.get("data"));
                wallets.put(key, w);
                checkRecord(key, w, "the final record");
            }
        });
        for (String r : ackedReceipts) {
            Wallet w = wallets.get(receiptKey.get(r));
            if (w == null || !w.receipts.containsKey(r)) {
                violation(Invariant.RECEIPT_LOST, receiptKey.get(r) + ": acknowledged receipt " + r + " was never granted");
            }
        }
        for (String g : ackedGifts) {
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
            w.tradesOut.forEach((t, c) -> {
                Trade trade = trades.get(t);
                Wallet other = trade == null ? null : wallets.get(trade.to());
                if (other == null || !c.equals(other.tradesIn.get(t))) {
                    violation(Invariant.ECONOMY, e.getKey() + ": trade " + t + " paid " + c + " coins that "
                            + (trade == null ? "nobody" : trade.to()) + " never received"
                            + (ackedTrades.contains(t) ? " (acknowledged)" : " (its commit had failed)"));
                }
            });
            w.tradesIn.forEach((t, c) -> {
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
            Trade trade = trades.get(t);
            Wallet from = wallets.get(trade.from());
            Wallet to = wallets.get(trade.to());
            if (from == null || !from.tradesOut.containsKey(t) || to == null || !to.tradesIn.containsKey(t)) {
                violation(Invariant.ACKED_SAVE_LOST, "acknowledged trade " + t + " is missing from the store");
            }
        }
    }
}
