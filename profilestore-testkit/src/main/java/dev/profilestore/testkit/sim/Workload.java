package dev.profilestore.testkit.sim;

/**
 * Which parts of the simulated game run. Joining, playing, buying (receipts, always deduplicated by
 * the game as a purchase handler must be), gifting, hopping, leaving and saving always run.
 *
 * @param trades two profiles on one server trade coins and commit both with one atomic
 *     {@code saveAllAsync}; a commit that fails with {@code SessionLostException} is rolled back in memory
 * @param strictGifts the gift handler applies every delivery, relying on the library's promise that a
 *     message handled with {@code processed.run()} takes effect exactly once; when false, the handler
 *     also skips gift ids it has already applied (counted as "duplicate gift delivery ignored")
 */
public record Workload(boolean trades, boolean strictGifts) {

    /** Everything, and gifts held to the library's exactly-once promise. */
    public static Workload full() {
        return new Workload(true, true);
    }

    /**
     * The workload that steers clear of the engine issues still open (see docs/reliability.md): no
     * trades, and gifts deduplicated by the game. CI runs this until the engine fixes land.
     */
    public static Workload avoidingOpenEngineIssues() {
        return new Workload(false, false);
    }
}
