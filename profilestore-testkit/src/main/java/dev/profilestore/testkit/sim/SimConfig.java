package dev.profilestore.testkit.sim;

import java.util.Objects;

/**
 * One simulation run: everything that decides what happens. Two runs with equal configs (and a
 * deterministic store) make the same choices, step for step.
 *
 * @param seed seeds the one {@link java.util.Random} every choice comes from
 * @param steps workload steps before the run heals the faults and checks the end state
 * @param servers game servers running at once (crashed ones are replaced)
 * @param players distinct profile keys
 * @param faults which faults are injected, how often
 * @param storage makes the shared store
 * @param workload which parts of the game's workload run, and how strictly
 * @param unsafeFencingOff TEST ONLY: every compare-and-set becomes an unconditional write, so stale
 *     holders' writes land. The checker must then find violations.
 * @param unsafeDedupOff TEST ONLY: the purchase handler grants without looking for the receipt id, so
 *     a receipt delivered twice is granted twice. The checker must then find violations.
 * @param mutations TEST ONLY: deliberate breakages ({@link Mutation}) each of which a new invariant must catch
 */
public record SimConfig(long seed, int steps, int servers, int players, FaultMix faults, StorageFactory storage, Workload workload,
                        boolean unsafeFencingOff, boolean unsafeDedupOff, java.util.Set<Mutation> mutations) {

    /**
     * TEST ONLY: deliberate breakages of the system under test, to show that the checker catches them
     * (mutation tests). Each is a decorator around the storage or the server's I/O, standing for an engine
     * or backend bug.
     */
    public enum Mutation {
        /** The storage restarts a key's revisions after a removal, as a backend without a revision floor would ({@link Invariant#EPOCH_REPEATED}). */
        REVISIONS_RESET_ON_REMOVE,
        /** Now and then the storage drops an ordinary save and answers {@code Written}, as an engine acknowledging an unwritten save would ({@link Invariant#ACKED_NOT_DURABLE}). */
        ACK_WITHOUT_WRITE,
        /**
         * From step 40 on, one server's store calls never return, and its stores have no storage timeout, as an
         * engine without a deadline on store calls would ({@link Invariant#PENDING_FOREVER}, {@link Invariant#CLOSE_HUNG}).
         */
        CALLS_NEVER_RETURN,
        /**
         * The engine is shown a record of a newer library's layout as a foreign value, so it replaces it, as the
         * engine before issue 9 did ({@link Invariant#NEWER_FORMAT_REPLACED}).
         */
        NEWER_FORMAT_READ_AS_FOREIGN,
        /** Not a breakage: the checker ignores {@code onAfterSave}, so only the futures' acknowledgements count (to isolate {@link Invariant#ACKED_NOT_DURABLE}). */
        NO_ON_AFTER_SAVE
    }

    /** Without mutations. */
    public SimConfig(long seed, int steps, int servers, int players, FaultMix faults, StorageFactory storage, Workload workload,
                     boolean unsafeFencingOff, boolean unsafeDedupOff) {
        this(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff, java.util.Set.of());
    }

    /** Whether {@code m} is on. */
    public boolean mutated(Mutation m) {
        return mutations.contains(m);
    }

    /** TEST ONLY: this config with the mutation {@code m} (see {@link Mutation}). */
    public SimConfig withMutation(Mutation m) {
        var set = new java.util.HashSet<>(mutations);
        set.add(m);
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff, set);
    }

    /** Validates the fields. */
    public SimConfig {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must not be negative, was " + steps);
        }
        if (servers < 1) {
            throw new IllegalArgumentException("servers must be at least 1, was " + servers);
        }
        if (players < 2) {
            throw new IllegalArgumentException("players must be at least 2 (trades need two), was " + players);
        }
        Objects.requireNonNull(faults, "faults");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(workload, "workload");
        mutations = java.util.Set.copyOf(Objects.requireNonNull(mutations, "mutations"));
    }

    /** Three servers, six players, every fault, the in-memory store. */
    public static SimConfig defaults(long seed, int steps) {
        return new SimConfig(seed, steps, 3, 6, FaultMix.all(), StorageFactory.inMemory(), Workload.full(), false, false);
    }

    /** This config with another seed. */
    public SimConfig withSeed(long seed) {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff, mutations);
    }

    /** This config with another step budget. */
    public SimConfig withSteps(int steps) {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff, mutations);
    }

    /** This config with another fault mix. */
    public SimConfig withFaults(FaultMix faults) {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff, mutations);
    }

    /** This config with another store. */
    public SimConfig withStorage(StorageFactory storage) {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff, mutations);
    }

    /** This config with another workload. */
    public SimConfig withWorkload(Workload workload) {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff, mutations);
    }

    /** This config with {@code servers} servers and {@code players} players. */
    public SimConfig withSize(int servers, int players) {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff, mutations);
    }

    /** TEST ONLY: this config with fencing turned off (see {@link #unsafeFencingOff}). */
    public SimConfig withUnsafeFencingOff() {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, true, unsafeDedupOff, mutations);
    }

    /** TEST ONLY: this config with receipt deduplication turned off (see {@link #unsafeDedupOff}). */
    public SimConfig withUnsafeDedupOff() {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, true, mutations);
    }
}
