package dev.profilestore.bench;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.postgres.PostgresMessaging;
import dev.profilestore.postgres.PostgresStorage;
import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.redis.RedisBackend;
import dev.profilestore.redis.RedisOptions;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.PlayerData;
import com.zaxxer.hikari.HikariConfig;
import io.lettuce.core.RedisClient;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How cost grows with the number of game servers: N simulated servers (N {@link ProfileStore}s in this JVM) over one
 * PostgreSQL or one Redis, P profiles all online, players hopping between servers at a steady rate. Reports handoff
 * p50/p99, store operations per second (reads, record writes, lease renewals), server-side connections, notification
 * channels, and the database's CPU (from {@code /proc}).
 *
 * <p>Connections: up to {@value #MAX_PROCESSES} servers each get their own storage and messaging instances (their own
 * connections, as separate processes would have; on PostgreSQL a storage pool of up to 10 connections, fewer when
 * {@value #PG_CONNECTION_BUDGET} would be exceeded, see {@link #poolSize}). Beyond that, servers are packed into {@value #MAX_PROCESSES}
 * "processes" that share one storage and one messaging instance: a process hosting several servers, which keeps
 * the database at a few hundred connections on a small machine. Each server still has its own lease, its own control
 * channel and its own sessions. Each process has one I/O pool (16 threads, as a store makes for itself) shared by
 * its servers.
 *
 * <p>Run: {@code java -cp profilestore-bench.jar dev.profilestore.bench.ScaleBench [servers=10,100,1000]
 * [profiles=10000] [hopEverySeconds=300] [measureSeconds=60] [backends=postgres,redis]}.
 */
public final class ScaleBench {

    private static final Logger LOG = LoggerFactory.getLogger(ScaleBench.class);
    /** The most storage/messaging instance pairs (simulated processes) one run opens. */
    static final int MAX_PROCESSES = 100;
    private static final Duration WARM_UP = Duration.ofSeconds(10);
    /** Storage pool connections all simulated processes may open on PostgreSQL together. */
    static final int PG_CONNECTION_BUDGET = 400;

    /** What one run does. */
    record Config(String backend, int servers, int profiles, int hopEverySeconds, int measureSeconds) {}

    /** What one run measured; rates are per second over the measured window. */
    record Result(Config config, int processes, long hops, double handoffP50Ms, double handoffP99Ms,
                  double handoffMaxMs, double readsPerSecond, double writesPerSecond, double leaseWritesPerSecond,
                  double leaseReadsPerSecond, int connections, int channels, double databaseCores, long failedHops) {}

    private ScaleBench() {}

    /**
     * Runs every combination and prints one table line per run.
     *
     * @param args {@code name=value} pairs, see the class documentation
     */
    public static void main(String[] args) throws Exception {
        String servers = "10,100,1000";
        String backends = "postgres,redis";
        int profiles = 10_000;
        int hopEvery = 300;
        int measure = 60;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "servers" -> servers = kv[1];
                case "backends" -> backends = kv[1];
                case "profiles" -> profiles = Integer.parseInt(kv[1]);
                case "hopEverySeconds" -> hopEvery = Integer.parseInt(kv[1]);
                case "measureSeconds" -> measure = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        List<Result> results = new ArrayList<>();
        // Pools, one LISTEN and one publishing connection per process, and headroom for the harness.
        try (Servers db = new Servers(PG_CONNECTION_BUDGET + 3 * MAX_PROCESSES + 50)) {
            for (String backend : backends.split(",")) {
                for (String n : servers.split(",")) {
                    Config config = new Config(backend, Integer.parseInt(n), profiles, hopEvery, measure);
                    Result r = run(db, config);
                    results.add(r);
                    System.out.println(line(r));
                }
            }
        }
        System.out.println();
        System.out.println(header());
        results.forEach(r -> System.out.println(line(r)));
    }

    static String header() {
        return "| backend | servers | processes | profiles | hops/s | handoff p50 ms | p99 ms | max ms | reads/s | "
                + "writes/s | lease renewals/s | lease checks/s | connections | channels | DB CPU (cores) | failed hops |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
    }

    static String line(Result r) {
        Config c = r.config();
        return String.format(Locale.ROOT, "| %s | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.0f | %.0f | %.1f | %.1f | %d | %d | %.2f | %d |",
                c.backend(), c.servers(), r.processes(), c.profiles(), r.hops() / (double) c.measureSeconds(),
                r.handoffP50Ms(), r.handoffP99Ms(), r.handoffMaxMs(), r.readsPerSecond(), r.writesPerSecond(),
                r.leaseWritesPerSecond(), r.leaseReadsPerSecond(), r.connections(), r.channels(), r.databaseCores(),
                r.failedHops());
    }

    /** One configuration: start the servers, load every profile, hop for a warm-up, then measure. */
    static Result run(Servers db, Config c) throws Exception {
        String storeName = "Scale" + c.servers() + "_" + System.nanoTime() % 100_000;
        int processes = Math.min(c.servers(), MAX_PROCESSES);
        List<CountingStorage> storages = new ArrayList<>();
        List<AutoCloseable> toClose = new ArrayList<>();
        List<ProfileStore<PlayerData>> stores = new ArrayList<>();
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        try {
            List<Messaging> messagings = new ArrayList<>();
            List<ExecutorService> ioPools = new ArrayList<>();
            for (int p = 0; p < processes; p++) {
                Connections conn = open(db, c.backend(), poolSize(processes));
                toClose.add(conn.closer());
                storages.add(new CountingStorage(conn.storage()));
                messagings.add(conn.messaging());
                // What the store would make for itself (up to 16 I/O threads, idle ones ending), once per process.
                ThreadPoolExecutor io = new ThreadPoolExecutor(16, 16, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
                io.allowCoreThreadTimeOut(true);
                ioPools.add(io);
                toClose.add(io::shutdown);
            }
            for (int s = 0; s < c.servers(); s++) {
                int p = s % processes;
                stores.add(ProfileStore.builder(storeName, PlayerData.class, PlayerData::new)
                        .storage(storages.get(p)).messaging(messagings.get(p)).ioExecutor(ioPools.get(p))
                        .serverId("server-" + s).closeTimeout(Duration.ofSeconds(30)).build());
            }
            int[] holder = new int[c.profiles()];
            @SuppressWarnings("unchecked")
            Profile<PlayerData>[] sessions = new Profile[c.profiles()];
            long t0 = System.nanoTime();
            Semaphore loading = new Semaphore(64);
            List<CompletableFuture<?>> loads = new ArrayList<>();
            for (int i = 0; i < c.profiles(); i++) {
                int key = i;
                holder[key] = key % c.servers();
                loading.acquire();
                loads.add(stores.get(holder[key]).startSessionAsync(key(key), SessionOptions.defaults())
                        .whenComplete((s, e) -> {
                            loading.release();
                            if (s != null && s.isStarted()) {
                                sessions[key] = s.orElseThrow();
                            }
                        }));
            }
            CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
            LOG.info("{} {} servers: {} profiles loaded in {} ms", c.backend(), c.servers(), c.profiles(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));

            Hopper hopper = new Hopper(stores, holder, sessions);
            double hopsPerSecond = c.profiles() / (double) c.hopEverySeconds();
            long periodNanos = (long) (1e9 / hopsPerSecond);
            pacer.scheduleAtFixedRate(hopper::hopOne, 0, periodNanos, TimeUnit.NANOSECONDS);
            Thread.sleep(WARM_UP.toMillis());

            hopper.reset();
            long[] before = counts(storages);
            double cpuBefore = DatabaseCpu.seconds(db, c.backend());
            long w0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(c.measureSeconds()));
            double seconds = (System.nanoTime() - w0) / 1e9;
            long[] after = counts(storages);
            double cpu = (DatabaseCpu.seconds(db, c.backend()) - cpuBefore) / seconds;
            long hops = hopper.completed.get();
            int connections = connections(db, c.backend());
            int channels = channels(db, c.backend(), c.servers());
            pacer.shutdownNow();
            pacer.awaitTermination(10, TimeUnit.SECONDS);
            // Hops started in the window and finished (or failed) after it count too: the slowest are the point.
            hopper.drain();
            Histogram h;
            synchronized (hopper.latency) {
                h = hopper.latency.copy();
            }
            long failed = hopper.failed.get();
            Result r = new Result(c, processes, hops, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
                    h.getMaxValue() / 1e6, (after[0] - before[0]) / seconds, (after[1] - before[1]) / seconds,
                    (after[2] - before[2]) / seconds, (after[3] - before[3]) / seconds, connections, channels, cpu,
                    failed);
            LOG.info("{}", line(r));
            return r;
        } finally {
            pacer.shutdownNow();
            stores.parallelStream().forEach(ProfileStore::close);
            for (AutoCloseable a : toClose) {
                a.close();
            }
        }
    }

    static String key(int i) {
        return "player-" + i;
    }

    /** One simulated process's connections. */
    private record Connections(Storage storage, Messaging messaging, AutoCloseable closer) {}

    private static Connections open(Servers db, String backend, int poolSize) {
        return switch (backend) {
            case "postgres" -> {
                HikariConfig pool = PostgresStorage.poolConfig(db.postgresJdbcUrl(), "postgres", null, "scale");
                pool.setMaximumPoolSize(poolSize);
                pool.setMinimumIdle(1);
                PostgresStorage storage = PostgresStorage.openPooled(pool, JdbcStorageOptions.defaults());
                PostgresMessaging messaging = PostgresMessaging.open(db.postgresJdbcUrl(), "postgres", null,
                        PostgresMessaging.DEFAULT_NAMESPACE);
                yield new Connections(storage, messaging, () -> {
                    messaging.close();
                    storage.close();
                });
            }
            case "redis" -> {
                RedisBackend redis = RedisBackend.open(db.redisUri(), RedisOptions.defaults());
                yield new Connections(redis.storage(), redis.messaging(), redis);
            }
            default -> throw new IllegalArgumentException("backend " + backend + ": postgres or redis");
        };
    }

    /**
     * PostgreSQL connections per simulated process: the library's default of 10 while the processes fit the
     * server's connection budget ({@value #PG_CONNECTION_BUDGET}), fewer (down to 2) beyond.
     */
    static int poolSize(int processes) {
        return Math.max(2, Math.min(10, PG_CONNECTION_BUDGET / processes));
    }

    private static long[] counts(List<CountingStorage> storages) {
        long[] out = new long[4];
        for (CountingStorage s : storages) {
            out[0] += s.reads();
            out[1] += s.writes();
            out[2] += s.leaseWrites();
            out[3] += s.leaseReads();
        }
        return out;
    }

    /** Client connections the database server counts now. */
    private static int connections(Servers db, String backend) throws SQLException {
        if (backend.equals("postgres")) {
            return queryInt(db, "select count(*) from pg_stat_activity where backend_type = 'client backend'") - 1;
        }
        return Integer.parseInt(redisInfo(db, "clients").lines().filter(l -> l.startsWith("connected_clients:"))
                .findFirst().orElseThrow().substring("connected_clients:".length()).trim()) - 1;
    }

    /**
     * Notification channels: on Redis the pub/sub channels the server has subscribers for; on PostgreSQL the
     * servers' control channels (one LISTEN each; PostgreSQL has no view of other sessions' LISTENs).
     */
    private static int channels(Servers db, String backend, int servers) {
        if (backend.equals("postgres")) {
            return servers;
        }
        RedisClient client = RedisClient.create(db.redisUri());
        try (var c = client.connect()) {
            return c.sync().pubsubChannels().size();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    private static int queryInt(Servers db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.postgresJdbcUrl());
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String redisInfo(Servers db, String section) {
        RedisClient client = RedisClient.create(db.redisUri());
        try (var c = client.connect()) {
            return c.sync().info(section);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** Moves random players to random other servers, one per call, and times each handoff. */
    private static final class Hopper {
        final Histogram latency = Dist.histogram();
        final AtomicLong completed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        private final List<ProfileStore<PlayerData>> stores;
        private final int[] holder;
        private final Profile<PlayerData>[] sessions;
        private final ConcurrentHashMap<Integer, Boolean> moving = new ConcurrentHashMap<>();
        private final AtomicInteger inFlight = new AtomicInteger();

        Hopper(List<ProfileStore<PlayerData>> stores, int[] holder, Profile<PlayerData>[] sessions) {
            this.stores = stores;
            this.holder = holder;
            this.sessions = sessions;
        }

        void hopOne() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int key = random.nextInt(holder.length);
            if (moving.putIfAbsent(key, Boolean.TRUE) != null || stores.size() < 2) {
                return;
            }
            int from = holder[key];
            int to = (from + 1 + random.nextInt(stores.size() - 1)) % stores.size();
            ProfileStore<PlayerData> target = stores.get(to);
            long t0 = System.nanoTime();
            inFlight.incrementAndGet();
            target.startSessionAsync(key(key), SessionOptions.defaults().withTimeout(Duration.ofSeconds(60)))
                    .whenComplete((SessionStart<PlayerData> s, Throwable e) -> {
                        long nanos = System.nanoTime() - t0;
                        if (e == null && s.isStarted()) {
                            synchronized (latency) {
                                Dist.record(latency, nanos);
                            }
                            completed.incrementAndGet();
                            holder[key] = to;
                            Profile<PlayerData> p = s.orElseThrow();
                            sessions[key] = p;
                            // The player plays on the new server: the data changes, so auto-saves write.
                            target.callbackExecutor().execute(() -> {
                                if (p.isActive()) {
                                    p.data().coins++;
                                }
                            });
                        } else {
                            failed.incrementAndGet();
                            LOG.warn("hop of {} to server-{} failed: {}", key(key), to, e != null ? e.toString() : s);
                        }
                        moving.remove(key);
                        inFlight.decrementAndGet();
                    });
        }

        void reset() {
            synchronized (latency) {
                latency.reset();
            }
            completed.set(0);
            failed.set(0);
        }

        void drain() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
    }
}
