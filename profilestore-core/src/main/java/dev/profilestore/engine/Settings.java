package dev.profilestore.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.time.Scheduler;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Everything a store was built with, validated by the builder. Internal: the public way in is
 * {@code ProfileStore.builder}.
 */
public record Settings<T>(
        String name,
        Class<T> type,
        Supplier<T> template,
        Storage storage,
        Messaging messaging,
        boolean ownsStorage,
        boolean ownsMessaging,
        String appId,
        String serverId,
        Executor callbackExecutor,
        Executor ioExecutor,
        Scheduler scheduler,
        ObjectMapper mapper,
        int formatVersion,
        Map<Integer, UnaryOperator<ObjectNode>> migrations,
        int maxDataBytes,
        Object meterRegistry,
        Timings timings) {

    /**
     * The protocol's constants. The original's defaults are in the builder's Javadoc.
     *
     * @param autoSavePeriod each active profile is saved (or, when unchanged, checked) once per period
     * @param lease a server's lease; its profiles may be taken over this long after its last renewal
     * @param leaseRenewal how often a server renews its lease
     * @param pollInitial first fallback re-read while waiting for a holder to release
     * @param pollMax cap of the doubling fallback re-read interval
     * @param stealAfter a live holder that has not released after this long is stolen from
     * @param startTimeout a start that keeps failing to reach the store gives up after this long
     * @param backoffInitial first retry delay after a store error
     * @param backoffMax cap of the retry delay
     * @param shutdownBackoffMax cap of the retry delay of last saves while closing
     * @param closeTimeout how long close waits for last saves
     * @param criticalErrorCount errors within the window that enter critical state
     * @param criticalErrorWindow how long an error counts
     * @param criticalStateExpire critical state ends this long after the count last stood at the threshold
     * @param maxMessages messages kept per key; the oldest are dropped beyond it
     * @param snapshotInterval the first save after this long since the last kept version is kept as a version
     * @param storageTimeout a store call that has not answered after this long fails as a store error
     */
    public record Timings(
            Duration autoSavePeriod,
            Duration lease,
            Duration leaseRenewal,
            Duration pollInitial,
            Duration pollMax,
            Duration stealAfter,
            Duration startTimeout,
            Duration backoffInitial,
            Duration backoffMax,
            Duration shutdownBackoffMax,
            Duration closeTimeout,
            int criticalErrorCount,
            Duration criticalErrorWindow,
            Duration criticalStateExpire,
            int maxMessages,
            Duration snapshotInterval,
            Duration storageTimeout) {

        /** The largest share of the lease set aside for the takeover's own store round trips. */
        private static final Duration MAX_TAKEOVER_ALLOWANCE = Duration.ofMillis(500);

        /**
         * The lease as written to the store: {@link #lease} minus an allowance of a thirtieth of it, at most
         * 500 ms. {@code lease} is the operator's promise that a crashed server's profiles are taken over
         * within it; the takeover itself needs a timer's slack and a read and a write after the store-side
         * lease runs out, so the store-side lease ends that much earlier. A live server still has two thirds
         * of the lease left when each renewal is due.
         */
        public Duration leaseInStore() {
            Duration allowance = lease.dividedBy(30);
            return lease.minus(allowance.compareTo(MAX_TAKEOVER_ALLOWANCE) > 0 ? MAX_TAKEOVER_ALLOWANCE : allowance);
        }
    }
}
