package dev.profilestore.testkit.sim;

/** The faults the simulator injects, each with its own probability in a {@link FaultMix}. */
public enum FaultKind {
    /** A server dies at a step boundary: its storage and messaging are cut and it is abandoned without closing. */
    CRASH,
    /** A server dies while one of its writes is in flight: the write is applied, the reply never arrives. */
    CRASH_AFTER_WRITE,
    /** A server dies just before one of its writes reaches the store: the write is not applied. */
    CRASH_BEFORE_WRITE,
    /** A process pause (GC, stopped VM) longer than the lease: callbacks and, half the time, its I/O are held. */
    PAUSE,
    /** A control message (takeover request, release notice, message nudge) is lost. */
    MESSAGE_LOSS,
    /** A control message arrives seconds late. */
    MESSAGE_DELAY,
    /** A control message is delivered twice. */
    MESSAGE_DUPLICATE,
    /** A control message overtakes the one sent before it to the same server. */
    MESSAGE_REORDER,
    /** A store call fails at once with a {@code StorageException}; nothing is applied. */
    STORAGE_ERROR,
    /**
     * A store call hangs for seconds and then fails; a write may have been applied before the failure,
     * may be applied later (still as a compare-and-set), or never.
     */
    STORAGE_TIMEOUT,
    /** A write is applied, but the caller gets a {@code StorageException}. */
    LOST_REPLY,
    /** A new server's wall clock is off by up to two minutes (monotonic time stays shared). */
    CLOCK_SKEW,
    /**
     * A server's store I/O stalls for 3 to 10 s (a hung connection pool, an I/O backlog): its lease
     * renewals among them, so its lease may lapse while the server is healthy. Rolled once per step.
     */
    LEASE_STALL,
    /**
     * The store's own clock (the one leases are measured on) jumps forward or back by 1 to 10 s, while
     * servers' clocks and timers go on. Rolled once per step. Only backends on the simulated clock (the
     * in-memory store) feel it; the others keep their own clock.
     */
    STORE_CLOCK_JUMP
}
