package dev.profilestore.testkit.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs many seeds of the simulator and sums up: the entry point for CI and for a
 * {@code torture} command. Seeds run in parallel on {@code threads} platform threads (each run is
 * single-threaded and shares nothing); the report lists seeds in order whatever the parallelism.
 *
 * <pre>{@code
 * TortureReport report = Torture.run(SimConfig.defaults(0, 400), 1, 1000, 2, 3);
 * System.out.println(report.describe());
 * }</pre>
 */
public final class Torture {

    private Torture() {
    }

    /**
     * Runs seeds {@code firstSeed .. firstSeed + seeds - 1} with {@code template} (its seed is replaced).
     *
     * @param threads runs at once, at least 1
     * @param shrinkFailures how many of the failing seeds to shrink and keep in the report
     */
    public static TortureReport run(SimConfig template, long firstSeed, int seeds, int threads, int shrinkFailures) {
        if (seeds < 0 || threads < 1 || shrinkFailures < 0) {
            throw new IllegalArgumentException("seeds " + seeds + ", threads " + threads + ", shrinkFailures "
                    + shrinkFailures + ": seeds and shrinkFailures must not be negative, threads must be positive");
        }
        long started = System.nanoTime();
        List<SimReport> reports = new ArrayList<>(seeds);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "profilestore-torture");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<SimReport>> futures = new ArrayList<>(seeds);
            for (int i = 0; i < seeds; i++) {
                SimConfig config = template.withSeed(firstSeed + i);
                futures.add(pool.submit(() -> Simulation.run(config)));
            }
            for (Future<SimReport> f : futures) {
                reports.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running seeds", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a simulation run failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        long steps = 0;
        Duration simulated = Duration.ZERO;
        Map<FaultKind, Long> faults = new EnumMap<>(FaultKind.class);
        Map<Invariant, Long> violations = new EnumMap<>(Invariant.class);
        List<Long> failed = new ArrayList<>();
        List<SimReport> failures = new ArrayList<>();
        for (SimReport r : reports) {
            steps += r.stepsRun();
            simulated = simulated.plus(r.simulatedTime());
            r.faults().forEach((k, n) -> faults.merge(k, n, Long::sum));
            r.violations().forEach(v -> violations.merge(v.invariant(), 1L, Long::sum));
            if (!r.passed()) {
                failed.add(r.seed());
                if (failures.size() < shrinkFailures) {
                    failures.add(Simulation.shrink(r));
                }
            }
        }
        return new TortureReport(template, firstSeed, seeds, steps, simulated, faults, violations, failed, failures,
                Duration.ofNanos(System.nanoTime() - started));
    }
}
