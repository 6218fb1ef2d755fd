package dev.profilestore.cli;

import dev.profilestore.sqlite.SqliteStorage;
import dev.profilestore.testkit.sim.SimConfig;
import dev.profilestore.testkit.sim.StorageFactory;
import dev.profilestore.testkit.sim.Torture;
import dev.profilestore.testkit.sim.TortureReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code profilestore torture}: the deterministic simulator of {@code profilestore-testkit} over many seeds,
 * with every fault kind, checking the invariants after every step. Exit 0 when no seed broke one.
 */
@Command(name = "torture", mixinStandardHelpOptions = true,
        description = "Run the fault-injecting simulator over many seeds and check every invariant.")
final class TortureCommand implements Callable<Integer> {

    @Option(names = "--seeds", defaultValue = "100", description = "How many seeds to run (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--seed", defaultValue = "1", description = "The first seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--steps", defaultValue = "1500", description = "Steps per seed (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--threads", defaultValue = "2", description = "Seeds run in parallel (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--store", defaultValue = "memory:",
            description = "memory: (the in-memory store on the simulated clock: reproducible), or sqlite:DIR for a"
                    + " fresh SQLite file per seed in DIR (real files; leases on the machine clock).")
    String store;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (seeds <= 0 || steps <= 0 || threads <= 0) {
            throw new CliException("--seeds, --steps and --threads must be positive");
        }
        SimConfig config = SimConfig.defaults(seed, steps).withStorage(storage(store));
        TortureReport report = Torture.run(config, seed, seeds, threads, 3);
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("store", store);
            j.put("first_seed", report.firstSeed());
            j.put("seeds", report.seedsRun());
            j.put("steps", report.stepsRun());
            j.put("simulated_s", report.simulatedTime().toSeconds());
            j.put("faults_injected", report.faultCount());
            j.put("faults_by_kind", report.faults());
            j.put("violations", report.violationCount());
            j.put("violations_by_invariant", report.violations());
            j.put("failed_seeds", report.failedSeeds());
            j.put("elapsed_ms", report.elapsed().toMillis());
            j.put("passed", report.passed());
            try {
                out.println(Output.JSON.writeValueAsString(j));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            out.println(report.describe());
        }
        out.flush();
        return report.passed() ? 0 : 1;
    }

    private static StorageFactory storage(String uri) {
        if (uri.equals("memory:")) {
            return StorageFactory.inMemory();
        }
        if (uri.startsWith("sqlite:")) {
            Path dir = Path.of(uri.substring("sqlite:".length()));
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new CliException("cannot create the directory " + dir + " for the per-seed SQLite files: " + e);
            }
            AtomicLong n = new AtomicLong();
            return clock -> SqliteStorage.open(dir.resolve("torture-" + n.incrementAndGet() + ".db"));
        }
        throw new CliException("torture runs on memory: or sqlite:DIR (a fresh file per seed); a server store needs an"
                + " empty database per seed, which the backends' own test suites provide");
    }
}
