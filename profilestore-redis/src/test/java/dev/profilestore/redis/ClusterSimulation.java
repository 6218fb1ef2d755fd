package dev.profilestore.redis;

import dev.profilestore.StorageException;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import dev.profilestore.testkit.sim.FaultKind;
import dev.profilestore.testkit.sim.SimConfig;
import dev.profilestore.testkit.sim.StorageFactory;
import dev.profilestore.testkit.sim.Torture;
import dev.profilestore.testkit.sim.TortureReport;
import dev.profilestore.testkit.sim.Workload;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deterministic simulator's workload and checker on a real Redis Cluster, where every trade's profiles live in
 * different slots, so each {@code commitAsync} is a two-phase commit across nodes ({@link ClusterCommit}).
 *
 * <p>On top of the simulator's own faults (servers crashing before or after a call, replies lost after a write
 * applied, timeouts, pauses), one trade write in eight stops half way, as if its coordinator's connection died
 * there (see {@link StoppingCoordinator}): after the prewrite, leaving intents that block both profiles until their
 * deadline, or after the commit point, leaving the trade for a reader to roll forward. The checker holds every seed
 * to the same invariants as on the in-memory store: no trade on one side only, no acknowledged trade or save lost,
 * coins conserved, one writer per profile.
 *
 * <p>Leases and intent deadlines run on the Redis nodes' clocks, not the simulated one, so a run is not
 * bit-for-bit reproducible (as on SQLite); the seed still fixes the workload and the faults.
 */
abstract class ClusterSimulation {

    /** Seeds of the CI run: each a fresh namespace on the one cluster. */
    static final int SEEDS = 40;
    /** Short, so an intent left by a stopped coordinator blocks its profiles for well under a second. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(150);
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    /** The cluster's shared client. */
    protected abstract RedisBackend backend();

    /**
     * Trade writes that stop half way now and then, as if their coordinator's connection died there.
     *
     * <p>Stopped after the prewrite (intents placed, nothing decided): the caller gets a store error of unknown
     * outcome, and whoever meets the intents waits for their deadline and aborts the trade; nothing of it lands.
     *
     * <p>Stopped after the commit point (decided, applied nowhere yet): a reader then meets each intent and rolls it
     * forward, and the caller is answered with what the reads found. The simulator's checker learns what landed from
     * the writes it sees returned, so this case is answered rather than failed; the same write landing with its reply
     * lost is the simulator's own {@code LOST_REPLY} fault, which it injects into {@code writeAll} as well.
     */
    static final class StoppingCoordinator extends ForwardingStorage {
        private final RedisStorage redis;
        private final Random random;
        private final AtomicLong afterPrewrite;
        private final AtomicLong afterCommitPoint;

        StoppingCoordinator(RedisStorage redis, long seed, AtomicLong afterPrewrite, AtomicLong afterCommitPoint) {
            super(redis);
            this.redis = redis;
            this.random = new Random(seed);
            this.afterPrewrite = afterPrewrite;
            this.afterCommitPoint = afterCommitPoint;
        }

        @Override
        public List<WriteResult> writeAll(List<KeyedWrite> writes) {
            int roll;
            synchronized (random) {
                roll = random.nextInt(16);
            }
            ClusterCommit.Stop stop = roll == 0 ? ClusterCommit.Stop.AFTER_PREWRITE
                    : roll == 1 ? ClusterCommit.Stop.AFTER_COMMIT_POINT : null;
            if (stop == null) {
                return super.writeAll(writes);
            }
            List<WriteResult> decided = redis.writeAllStopping(writes, stop);
            if (decided != null) {
                return decided; // the prewrite met a conflict: nothing placed, a definite answer
            }
            if (stop == ClusterCommit.Stop.AFTER_PREWRITE) {
                afterPrewrite.incrementAndGet();
                throw new StorageException("simulated: the trade's coordinator stopped after its prewrite");
            }
            afterCommitPoint.incrementAndGet();
            List<WriteResult> found = new ArrayList<>();
            for (KeyedWrite w : writes) {
                StoredRecord r = redis.read(w.store(), w.key()).orElseThrow(() -> new AssertionError(
                        "a trade past its commit point left no record of " + w.key()));
                if (!Arrays.equals(r.payload(), w.write().payload())) {
                    // Someone wrote on top of the rolled-forward record already; its revision is not this write's.
                    throw new StorageException("simulated: the trade's coordinator stopped after its commit point");
                }
                found.add(new WriteResult.Written(r.revision(), r.updatedAt()));
            }
            return found;
        }
    }

    @Test
    void tradesAcrossSlots_withCoordinatorsStoppedMidCommit_breakNoInvariant() {
        AtomicLong afterPrewrite = new AtomicLong();
        AtomicLong afterCommitPoint = new AtomicLong();
        AtomicLong seeds = new AtomicLong();
        StorageFactory cluster = clock -> {
            seeds.incrementAndGet();
            RedisStorage storage = backend().newStorage(RedisOptions.defaults()
                    .withNamespace("sim" + NAMESPACES.incrementAndGet()).withVersionsPerKey(20)
                    .withCommandTimeout(COMMAND_TIMEOUT), null);
            assertThat(storage.capabilities().atomicMultiWrite()).isTrue();
            return new StoppingCoordinator(storage, seeds.get(), afterPrewrite, afterCommitPoint);
        };
        SimConfig config = SimConfig.defaults(0, 200).withStorage(cluster).withWorkload(Workload.full());

        TortureReport report = Torture.run(config, 1, SEEDS, 2, 1);

        System.out.println("simulator on a Redis Cluster: " + report.describe() + "; trade coordinators stopped after"
                + " the prewrite " + afterPrewrite.get() + ", after the commit point " + afterCommitPoint.get());
        assertThat(report.seedsRun()).isEqualTo(SEEDS);
        assertThat(report.faults().keySet()).as("the simulator's own faults were injected")
                .contains(FaultKind.CRASH, FaultKind.STORAGE_TIMEOUT, FaultKind.LOST_REPLY);
        assertThat(afterPrewrite.get()).as("coordinators stopped after the prewrite").isPositive();
        assertThat(afterCommitPoint.get()).as("coordinators stopped after the commit point").isPositive();
        assertThat(report.failedSeeds()).as(report.describe()).isEmpty();
    }
}
