package dev.profilestore.bench;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.PlayerData;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 2: session cycles (start, change, save, end) per second through the library, against the raw driver
 * doing the same round trips ({@link RawDriver}) in the same run. Both sides run the same number of worker
 * threads, each on its own keys, and are measured alternately (ours, raw, ours, raw) so drift hits both.
 */
final class ThroughputScenario {

    private static final Logger LOG = LoggerFactory.getLogger(ThroughputScenario.class);
    private static final int KEYS_PER_WORKER = 50;

    /** Sizes of one run. */
    record Sizes(Duration warmup, Duration measure, int workers) {}

    private ThroughputScenario() {}

    static BenchReport.Throughput run(Backend backend, Sizes sizes) {
        return run(backend, sizes, Io.DEFAULT);
    }

    /** Where the store under test runs its blocking calls. */
    enum Io {
        /** The library's default. */
        DEFAULT,
        /** A new virtual thread per call. */
        VIRTUAL_THREADS,
        /** A fixed pool of 16 platform threads. */
        PLATFORM_POOL,
        /** The event loop itself (a diagnostic: it shows what the thread hops cost; not a sane setting). */
        ON_LOOP
    }

    /** As {@link #run(Backend, Sizes)}, with the store's blocking calls on {@code io}. */
    static BenchReport.Throughput run(Backend backend, Sizes sizes, Io io) {
        return run(backend, sizes, io, new CpuTally(), new CpuTally());
    }

    /**
     * CPU seconds used while one side was measured: this JVM's, and the database server's processes' (0 where
     * {@link Backend#databaseCpuSeconds()} cannot see them). A diagnosis of {@link ThroughputProbe}.
     */
    static final class CpuTally {
        double jvm;
        double db;
    }

    /** As {@link #run(Backend, Sizes, Io)}, adding the CPU each side used while measured to the tallies. */
    static BenchReport.Throughput run(Backend backend, Sizes sizes, Io io, CpuTally oursCpu, CpuTally rawCpu) {
        String storeName = "Throughput" + System.nanoTime() % 1_000_000;
        int workers = backend.kind() == BackendKind.SQLITE ? 1 : sizes.workers();
        var builder = ProfileStore.builder(storeName, PlayerData.class, PlayerData::new).serverId("throughput");
        ExecutorService own = switch (io) {
            case DEFAULT -> null;
            case VIRTUAL_THREADS -> Executors.newVirtualThreadPerTaskExecutor();
            case PLATFORM_POOL -> Executors.newFixedThreadPool(16);
            case ON_LOOP -> Executors.newSingleThreadExecutor();
        };
        if (io == Io.ON_LOOP) {
            builder.callbackExecutor(own).ioExecutor(Runnable::run);
        } else if (own != null) {
            builder.ioExecutor(own);
        }
        // Closed last (resources close in reverse order), after the store that uses it; null is skipped.
        try (ExecutorService ignored = own;
             Storage storage = backend.storage();
             ProfileStore<PlayerData> store = builder.storage(storage).withoutMessaging().build();
             RawDriver raw = backend.raw()) {
            byte[] payload = prepare(store, storage, storeName, workers);
            prepareRaw(backend, payload, workers);
            List<RawDriver.Worker> rawWorkers = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                rawWorkers.add(raw.worker());
            }
            Histogram oursH = Dist.histogram();
            Histogram rawH = Dist.histogram();
            measure(sizes.warmup(), workers, (w, i) -> oursCycle(store, key(w, i)), Dist.histogram());
            measure(sizes.warmup(), workers, (w, i) -> rawWorkers.get(w).cycle(key(w, i), payload), Dist.histogram());
            long ours = 0;
            long rawCount = 0;
            for (int round = 0; round < 2; round++) {
                ours += measure(sizes.measure(), workers, (w, i) -> oursCycle(store, key(w, i)), oursH, backend,
                        oursCpu);
                rawCount += measure(sizes.measure(), workers, (w, i) -> rawWorkers.get(w).cycle(key(w, i), payload),
                        rawH, backend, rawCpu);
            }
            rawWorkers.forEach(RawDriver.Worker::close);
            double seconds = 2 * sizes.measure().toNanos() / 1e9;
            double oursRate = ours / seconds;
            double rawRate = rawCount / seconds;
            LOG.info("{} throughput: ours {} cycles/s, raw {} cycles/s, ratio {}", backend.kind().label(),
                    Math.round(oursRate), Math.round(rawRate), oursRate / rawRate);
            return new BenchReport.Throughput(backend.kind().label(), workers, oursRate, rawRate, oursRate / rawRate,
                    Dist.of(oursH), Dist.of(rawH), payload.length);
        } catch (Exception e) {
            throw new IllegalStateException(backend.kind().label() + " throughput scenario failed: " + e, e);
        }
    }

    private static String key(int worker, long i) {
        return "w" + worker + "-k" + (i % KEYS_PER_WORKER);
    }

    /** Creates every key once through the library; returns a released record's payload for the raw side. */
    private static byte[] prepare(ProfileStore<PlayerData> store, Storage storage, String storeName, int workers) {
        for (int w = 0; w < workers; w++) {
            for (int i = 0; i < KEYS_PER_WORKER; i++) {
                oursCycle(store, key(w, i));
            }
        }
        return storage.read(storeName, key(0, 0)).orElseThrow().payload();
    }

    /** Creates the raw side's records (through the library, under the raw store name). */
    private static void prepareRaw(Backend backend, byte[] payload, int workers) {
        try (Storage storage = backend.storage();
             ProfileStore<PlayerData> store = ProfileStore.builder(RawDriver.STORE, PlayerData.class, PlayerData::new)
                     .storage(storage).withoutMessaging().serverId("throughput-raw-setup").build()) {
            for (int w = 0; w < workers; w++) {
                for (int i = 0; i < KEYS_PER_WORKER; i++) {
                    oursCycle(store, key(w, i));
                }
            }
        }
    }

    /** One session cycle through the public API, as a game server would do it from a virtual thread. */
    static void oursCycle(ProfileStore<PlayerData> store, String key) {
        Profile<PlayerData> p = store.startSession(key, SessionOptions.defaults()).orElseThrow();
        CompletableFuture.supplyAsync(() -> {
            p.data().coins++;
            return p.saveAsync();
        }, store.callbackExecutor()).thenCompose(f -> f).join();
        p.endSession();
    }

    @FunctionalInterface
    private interface Cycle {
        void run(int worker, long iteration);
    }

    /** Runs {@code workers} threads for {@code duration}; returns the cycles completed. */
    private static long measure(Duration duration, int workers, Cycle cycle, Histogram h) throws Exception {
        return measure(duration, workers, cycle, h, null, null);
    }

    private static long measure(Duration duration, int workers, Cycle cycle, Histogram h, Backend backend,
                                CpuTally cpu) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        // Reading the database's CPU from /proc costs this JVM some CPU: it is read outside this JVM's window.
        double db0 = cpu == null ? 0 : backend.databaseCpuSeconds();
        long jvm0 = os.getProcessCpuTime();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            threads.add(Thread.ofPlatform().name("bench-worker-" + w).start(() -> {
                long i = 0;
                try {
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        cycle.run(worker, i++);
                        long t = System.nanoTime() - t0;
                        synchronized (h) {
                            Dist.record(h, t);
                        }
                        done.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        TimeUnit.NANOSECONDS.sleep(duration.toNanos());
        long count = done.get();
        if (cpu != null) {
            cpu.jvm += (os.getProcessCpuTime() - jvm0) / 1e9;
            cpu.db += backend.databaseCpuSeconds() - db0;
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a worker failed: " + failures.getFirst(), failures.getFirst());
        }
        return count;
    }
}
