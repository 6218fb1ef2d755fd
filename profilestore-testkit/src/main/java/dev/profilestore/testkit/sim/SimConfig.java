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
 */
public record SimConfig(long seed, int steps, int servers, int players, FaultMix faults, StorageFactory storage, Workload workload,
                        boolean unsafeFencingOff, boolean unsafeDedupOff) {

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
    }

    /** Three servers, six players, every fault, the in-memory store. */
    public static SimConfig defaults(long seed, int steps) {
        return new SimConfig(seed, steps, 3, 6, FaultMix.all(), StorageFactory.inMemory(), Workload.full(), false, false);
    }

    /** This config with another seed. */
    public SimConfig withSeed(long seed) {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff);
    }

    /** This config with another step budget. */
    public SimConfig withSteps(int steps) {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff);
    }

    /** This config with another fault mix. */
    public SimConfig withFaults(FaultMix faults) {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff);
    }

    /** This config with another store. */
    public SimConfig withStorage(StorageFactory storage) {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff);
    }

    /** This config with another workload. */
    public SimConfig withWorkload(Workload workload) {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff);
    }

    /** This config with {@code servers} servers and {@code players} players. */
    public SimConfig withSize(int servers, int players) {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, unsafeDedupOff);
    }

    /** TEST ONLY: this config with fencing turned off (see {@link #unsafeFencingOff}). */
    public SimConfig withUnsafeFencingOff() {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, true, unsafeDedupOff);
    }

    /** TEST ONLY: this config with receipt deduplication turned off (see {@link #unsafeDedupOff}). */
    public SimConfig withUnsafeDedupOff() {
        return new SimConfig(seed, steps, servers, players, faults, storage, workload, unsafeFencingOff, true);
    }
}
