package dev.profilestore.testkit.sim;

/**
 * Which parts of the simulated game run. Joining, playing, buying (receipts, always deduplicated by
 * the game as a purchase handler must be), gifting, hopping, leaving and saving always run.
 *
 * @param trades two profiles on one server trade coins with {@code commitAsync}: the change and the atomic
 *     write of both profiles; a commit that cannot land is put back by the engine
 * @param strictGifts the gift handler applies every delivery, relying on the library's promise that a
 *     message handled with {@code processed.run()} takes effect exactly once; when false, the handler
 *     also skips gift ids it has already applied (counted as "duplicate gift delivery ignored")
 */
public record Workload(boolean trades, boolean strictGifts) {

    /** Everything, and gifts held to the library's exactly-once promise. */
    public static Workload full() {
        return new Workload(true, true);
    }

    /** No trades, and gifts deduplicated by the game: the gentlest workload, for narrowing a failure down. */
    public static Workload gentle() {
        return new Workload(false, false);
    }
}
