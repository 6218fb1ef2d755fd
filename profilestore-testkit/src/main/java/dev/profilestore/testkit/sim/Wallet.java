package dev.profilestore.testkit.sim;

import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated game's profile: a coin balance with the ledger that explains it. Every entry is only
 * ever added, so the checker can tell whether a stored record still holds everything an acknowledged
 * save held, and whether the balance adds up:
 * {@code coins == earned + Σ receipts + Σ gifts + Σ tradesIn − Σ tradesOut}.
 */
public final class Wallet {
    /** The balance. */
    public long coins;
    /** Coins earned by playing. */
    public long earned;
    /** Purchases granted: receipt id to coins granted (a second grant of one receipt doubles it). */
    public Map<String, Long> receipts = new TreeMap<>();
    /** Gift messages applied: gift id to coins applied (a second application doubles it). */
    public Map<String, Long> gifts = new TreeMap<>();
    /** Trades received: trade id to coins. */
    public Map<String, Long> tradesIn = new TreeMap<>();
    /** Trades paid: trade id to coins. */
    public Map<String, Long> tradesOut = new TreeMap<>();
    /** Filler that grows the data toward {@code maxDataBytes}; not part of the ledger. */
    public String pad = "";

    /** What the balance should be, from the ledger. */
    public long ledgerBalance() {
        return earned + sum(receipts) + sum(gifts) + sum(tradesIn) - sum(tradesOut);
    }

    /** Coins that entered the economy here: earnings, purchases and gifts (trades only move coins). */
    public long granted() {
        return earned + sum(receipts) + sum(gifts);
    }

    private static long sum(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }
}
