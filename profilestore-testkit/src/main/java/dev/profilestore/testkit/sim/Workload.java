package dev.profilestore.testkit.sim;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which parts of the simulated game run. Joining, playing, buying (receipts, always deduplicated by
 * the game as a purchase handler must be), gifting, hopping, leaving and saving always run; the rest of
 * the public API is switched on by {@link Feature}s, one by one, so a failure can be narrowed down.
 *
 * @param trades two profiles on one server trade coins with {@code commitAsync}: the change and the atomic
 *     write of both profiles; a commit that cannot land is put back by the engine
 * @param strictGifts the gift handler applies every delivery, relying on the library's promise that a
 *     message handled with {@code processed.run()} takes effect exactly once; when false, the handler
 *     also skips gift ids it has already applied (counted as "duplicate gift delivery ignored")
 * @param features the further parts of the API the workload uses
 */
public record Workload(boolean trades, boolean strictGifts, Set<Feature> features) {

    /** The parts of the public API beyond the core game loop, each a switch. */
    public enum Feature {
        /**
         * The checker holds every future the API completed normally to durability: {@code saveAsync},
         * {@code endSessionAsync}, {@code commitAsync}, {@code saveAllAsync}, {@code overwriteAsync}
         * ({@link Invariant#ACKED_NOT_DURABLE}). Without it only {@code onAfterSave} and messages count.
         */
        ACK_FUTURES,
        /** {@code saveAllAsync} of several profiles of one server. */
        SAVE_ALL,
        /** Starts with {@code SessionOptions.stealing()}. */
        STEAL,
        /** Starts with a cancel condition that turns true a few seconds later, and starts with a short timeout. */
        CANCEL,
        /** A second start of a key on the same server while the first is still starting. */
        QUICK_REJOIN,
        /** {@code removeAsync} by an operator store. */
        REMOVE,
        /** {@code getAsync(key)}, an admin edit, {@code overwriteAsync()}. */
        VIEW_OVERWRITE,
        /** {@code getAsync(key, version)} of a saved version and {@code overwriteAsync()}: a rollback. */
        ROLLBACK,
        /** An operator clears a lock: half the time through a view overwrite, half straight in the storage (the CLI's {@code release --force}). */
        OPERATOR_RELEASE,
        /** A record written straight to the storage, as {@code profilestore import} does. */
        IMPORT,
        /** A small message cap ({@code maxMessages}) and bursts of gifts to one key near and over it. */
        MESSAGE_CAP,
        /** A {@code maxDataBytes} limit and data grown to just under it, and now and then over it. */
        DATA_NEAR_MAX,
        /** {@code formatVersion(2)} with a migration from 1; imports write format-1 data. */
        MIGRATION,
        /** Stored records whose data is JSON {@code null}. */
        NULL_RECORD,
        /** Stored values that are JSON but not our envelope. */
        FOREIGN_RECORD,
        /** Stored values that are not JSON at all. */
        CORRUPT_RECORD,
        /** Stored records of a newer library ({@code "format":"profilestore/2"}). */
        NEWER_FORMAT_RECORD,
        /** A second store (another store name) in a server's process with the same server id, closed and reopened. */
        SHARED_SERVER_ID,
        /** A server restarts (closed, or crashed) and its successor reuses its server id. */
        RESTART_SAME_ID
    }

    /** Validates and copies the features. */
    public Workload {
        Objects.requireNonNull(features, "features");
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
    }

    /** The core game loop only: {@code trades} and {@code strictGifts} as given, no further features. */
    public Workload(boolean trades, boolean strictGifts) {
        this(trades, strictGifts, Set.of());
    }

    /** Everything of the core game loop, and gifts held to the library's exactly-once promise. */
    public static Workload full() {
        return new Workload(true, true);
    }

    /** No trades, and gifts deduplicated by the game: the gentlest workload, for narrowing a failure down. */
    public static Workload gentle() {
        return new Workload(false, false);
    }

    /** The whole public API: {@link #full()} with every {@link Feature}. */
    public static Workload wholeApi() {
        return full().with(EnumSet.allOf(Feature.class));
    }

    /** Whether {@code feature} is on. */
    public boolean has(Feature feature) {
        return features.contains(feature);
    }

    /** This workload with {@code more} features on. */
    public Workload with(Collection<Feature> more) {
        var set = EnumSet.noneOf(Feature.class);
        set.addAll(features);
        set.addAll(more);
        return new Workload(trades, strictGifts, set);
    }

    /** This workload with {@code feature} on. */
    public Workload with(Feature feature) {
        return with(EnumSet.of(feature));
    }

    /** This workload without {@code fewer}. */
    public Workload without(Collection<Feature> fewer) {
        var set = EnumSet.noneOf(Feature.class);
        set.addAll(features);
        set.removeAll(fewer);
        return new Workload(trades, strictGifts, set);
    }

    /** This workload without {@code feature}. */
    public Workload without(Feature feature) {
        return without(EnumSet.of(feature));
    }
}
