package dev.profilestore.sqlite;

import dev.profilestore.testkit.sim.FaultKind;
import dev.profilestore.testkit.sim.SimConfig;
import dev.profilestore.testkit.sim.StorageFactory;
import dev.profilestore.testkit.sim.Torture;
import dev.profilestore.testkit.sim.TortureReport;
import dev.profilestore.testkit.sim.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deterministic simulator on the real SQLite storage: a fresh database file per seed, every fault
 * kind, every invariant after every step. Leases run on SQLite's (the machine's) clock, so a run is not
 * bit-for-bit reproducible and store clock jumps do not reach it; everything else is as on the in-memory store.
 */
class SqliteSimulationTest {

    /** Seeds of the CI run: 240 seeds of 200 steps take about 45 s on 2 cores. */
    static final int SEEDS = 240;

    @TempDir
    Path dir;

    private StorageFactory perSeedFile() {
        AtomicLong n = new AtomicLong();
        return clock -> SqliteStorage.open(dir.resolve("sim-" + n.incrementAndGet() + ".db"));
    }

    @Test
    void aFewHundredSeeds_onSqlite_breakNoInvariant() {
        SimConfig config = SimConfig.defaults(0, 200).withStorage(perSeedFile()).withWorkload(Workload.full());
        TortureReport report = Torture.run(config, 1, SEEDS, 2, 1);
        System.out.println("simulator on SQLite: " + report.describe());
        assertThat(report.seedsRun()).isEqualTo(SEEDS);
        assertThat(report.faults().keySet()).as("faults were injected")
                .contains(FaultKind.CRASH, FaultKind.PAUSE, FaultKind.STORAGE_TIMEOUT, FaultKind.LOST_REPLY, FaultKind.LEASE_STALL);
        assertThat(report.failedSeeds()).as(report.describe()).isEmpty();
    }

    @Test
    void wholeApi_onSqlite_breaksNoInvariant() {
        SimConfig config = SimConfig.defaults(0, 300).withStorage(perSeedFile()).withWorkload(Workload.wholeApi());
        TortureReport report = Torture.run(config, 1, 100, 2, 1);
        System.out.println("whole-API simulator on SQLite: " + report.describe());
        assertThat(report.faults().keySet()).contains(FaultKind.CRASH, FaultKind.PAUSE);
        assertThat(report.failedSeeds()).as(report.describe()).isEmpty();
    }
}
