package dev.profilestore.cli.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The demo's profile document: a mutable POJO as most game servers have. Besides the game state (coins,
 * items, recent receipts) it carries {@link #ops} and {@link #chain}, which let the audit tell exactly which of
 * the simulation's changes a stored document contains: every change increments {@code ops} and folds its unique
 * id into {@code chain}.
 */
public final class DemoPlayer {

    /** How many purchase receipts are remembered for idempotency: enough for any retry window of the demo. */
    public static final int RECEIPTS_KEPT = 256;

    /** The player's coins. */
    public long coins;
    /** Item instances; each has a unique id (the receipt id that granted it). */
    public List<Item> items = new ArrayList<>();
    /** Recently granted receipt ids, oldest first, at most {@link #RECEIPTS_KEPT}. */
    public List<String> receipts = new ArrayList<>();
    /** How many changes this profile has had, over all its sessions. */
    public long ops;
    /** A hash of the ids of every change, in order: two documents with the same chain have the same history. */
    public long chain;

    /**
     * One item instance.
     *
     * @param id unique: the receipt id that created it
     * @param type what it is
     * @param value what it is worth in coins
     */
    public record Item(String id, String type, long value) {}

    /** Folds a change id into a chain value (a 64-bit mix, so any difference in history shows). */
    public static long nextChain(long chain, long opId) {
        long z = chain * 0x9E3779B97F4A7C15L + opId;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
