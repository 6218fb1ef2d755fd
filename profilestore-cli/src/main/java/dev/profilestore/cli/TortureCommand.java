package dev.profilestore.cli;

import dev.profilestore.StoreUri;
import dev.profilestore.StoreConnection;
import dev.profilestore.sqlite.SqliteStorage;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.testkit.sim.NamespacedStorage;
import dev.profilestore.testkit.sim.SimConfig;
import dev.profilestore.testkit.sim.Workload;
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
import java.time.Duration;
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
            description = "Any store URI: memory: (the in-memory store on the simulated clock: reproducible);"
                    + " sqlite:DIR/ (an existing directory, or a path ending in /) for a fresh SQLite file per seed;"
                    + " sqlite:FILE, postgres://, redis://, mysql:// for one database that every seed shares, each"
                    + " seed in its own store names and server ids. Real backends keep leases on their own clock.")
    String store;

    @Option(names = "--workload", defaultValue = "core",
            description = "core (the game loop) or whole (every part of"
                    + " the public API: steals, removal, overwrites, imports, odd records...) (default ${DEFAULT-VALUE}).")
    String workload;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (seeds <= 0 || steps <= 0 || threads <= 0) {
            throw new CliException("--seeds, --steps and --threads must be positive");
        }
        Workload w = switch (workload) {
            case "core" -> Workload.full();
            case "whole" -> Workload.wholeApi();
            default -> throw new CliException("--workload is core or whole, was '" + workload + "'");
        };
        SimConfig config = SimConfig.defaults(seed, steps).withStorage(storage(store)).withWorkload(w);
        TortureReport report = Torture.run(config, seed, seeds, threads, 3);
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("store", store.replaceAll("(//[^/@:]*:)[^@/]*@", "$1***@"));
            j.put("workload", workload);
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

    /** A store per seed: a fresh SQLite file in a directory, or a namespace of one shared database. */
    private static StorageFactory storage(String uri) {
        StoreUri parsed = CliStore.parse(uri);
        if (parsed instanceof StoreUri.Memory) {
            return StorageFactory.inMemory();
        }
        if (parsed instanceof StoreUri.Sqlite sqlite && (uri.endsWith("/") || Files.isDirectory(sqlite.file()))) {
            Path dir = sqlite.file();
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new CliException("cannot create the directory " + dir + " for the per-seed SQLite files: " + e);
            }
            AtomicLong n = new AtomicLong();
            return clock -> SqliteStorage.open(dir.resolve("torture-" + n.incrementAndGet() + ".db"));
        }
        // One database for every seed: open it once now, so a bad URI fails before any seed runs.
        CliStore.open(parsed, CliStore.OpenMode.CREATE, Duration.ofSeconds(10)).close();
        String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        AtomicLong n = new AtomicLong();
        return clock -> {
            StoreConnection opened = CliStore.open(parsed, CliStore.OpenMode.CREATE, Duration.ofSeconds(10));
            return new NamespacedStorage(new ClosingStorage(opened), "t" + run + "-" + n.incrementAndGet() + "-");
        };
    }

    /** The opened backend's storage; closing it closes the backend's messaging too. */
    private static final class ClosingStorage extends ForwardingStorage {
        private final StoreConnection opened;

        ClosingStorage(StoreConnection opened) {
            super(opened.storage());
            this.opened = opened;
        }

        @Override
        public void close() {
            opened.close();
        }
    }
}
