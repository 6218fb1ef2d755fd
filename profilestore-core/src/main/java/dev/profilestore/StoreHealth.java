package dev.profilestore;

/**
 * A store's health for operators and load balancers, read by {@link ProfileStore#health()} without waiting on
 * the store. The counts are read without locking, so they may be a moment old.
 *
 * @param leaseLive this server's lease was renewed within the lease duration, so its locks are its own and no
 *     other server may take its profiles over; false before the first renewal and after a long outage
 * @param criticalState many store errors happened recently ({@link ProfileStore#isCriticalState()})
 * @param storeReachable the latest lease renewal, a store round trip made every few seconds, succeeded
 * @param closing the store is shutting down ({@link ProfileStore#isClosing()})
 * @param activeSessions sessions active on this server
 * @param endingSessions sessions whose last save is in flight
 * @param busyKeys keys with a store operation running or queued (the per-key queues)
 * @param ioQueue store calls waiting for an I/O thread (0 when the builder was given an I/O executor)
 */
public record StoreHealth(boolean leaseLive, boolean criticalState, boolean storeReachable, boolean closing,
                          int activeSessions, int endingSessions, int busyKeys, int ioQueue) {

    /**
     * Whether this server can serve players: lease live, store reachable, not critical, not closing.
     *
     * @return true when every check passes
     */
    public boolean healthy() {
        return leaseLive && storeReachable && !criticalState && !closing;
    }
}
