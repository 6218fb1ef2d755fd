package dev.profilestore.bench;

import dev.profilestore.bench.ScaleProtocol.Counts;
import dev.profilestore.bench.ScaleProtocol.Plan;
import dev.profilestore.bench.ScaleProtocol.Report;
import io.lettuce.core.RedisClient;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How cost grows with the number of game servers: N simulated servers spread over K child JVMs
 * ({@link ScaleChild}), each server a {@link dev.profilestore.ProfileStore} with its own storage and messaging
 * (its own connections), over one PostgreSQL or one Redis started by this process; P profiles all online, players
 * hopping to a random other server, in any JVM, at a steady rate. Reports handoff p50/p99, store operations per
 * second (reads, record writes, lease renewals and checks), server-side connections, notification channels, the
 * database's CPU and the children's, and the machine's load average over the window.
 *
 * <p>This process is the coordinator: it owns which server holds each profile and paces the hops, sending each to
 * the child hosting the target server, which starts the session and times it from the moment it was asked. The
 * old holder is wherever the profile was, so with K JVMs a hop crosses processes with probability (K-1)/K, as a
 * player moving through a proxy does.
 *
 * <p>Results are merged into a JSON file (one entry per backend, servers, profiles and connection sharing; a new
 * run replaces the old entry) and SVG charts are drawn from everything in it. Run:
 * {@code java -cp profilestore-bench.jar dev.profilestore.bench.ScaleBench [backends=postgres,redis]
 * [servers=10,100,1000] [profiles=10000,100000] [jvms=4] [hopEverySeconds=300] [warmUpSeconds=10]
 * [measureSeconds=30] [childHeap=1g] [serversPerConnectionSet=1] [pgConnectionBudget=1000]
 * [pgMessaging=postgres] [out=docs/img/scale-results.json] [charts=docs/img] [chartsOnly=false]}.
 */
public final class ScaleBench {

    private static final Logger LOG = LoggerFactory.getLogger(ScaleBench.class);
    private static final Duration SETUP_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration REPLY_TIMEOUT = Duration.ofMinutes(2);

    /**
     * The whole run's settings.
     *
     * @param backends {@code postgres}, {@code redis} and/or {@code sqlite} (every child JVM on one file)
     * @param servers server counts to run
     * @param profiles profile counts to run
     * @param jvms child JVMs (at most one per server)
     * @param hopEverySeconds mean seconds between two hops of one player
     * @param warmUpSeconds hopping before the window
     * @param measureSeconds the measured window
     * @param childHeap each child's {@code -Xmx}
     * @param serversPerConnectionSet servers sharing one storage and messaging instance (1: each its own)
     * @param pgConnectionBudget storage pool connections all servers may open on PostgreSQL together
     * @param pgMessaging messaging beside PostgreSQL storage: {@code postgres} (LISTEN/NOTIFY) or {@code redis}
     * @param out the JSON results file
     * @param charts where the SVG charts go
     */
    record Options(List<String> backends, List<Integer> servers, List<Integer> profiles, int jvms, int hopEverySeconds,
                   int warmUpSeconds, int measureSeconds, String childHeap, int serversPerConnectionSet,
                   int pgConnectionBudget, String pgMessaging, Path out, Path charts) {

        static Options parse(String... args) {
            List<String> backends = List.of("postgres", "redis");
            List<Integer> servers = List.of(10, 100, 1000);
            List<Integer> profiles = List.of(10_000);
            int jvms = 4;
            int hopEvery = 300;
            int warmUp = 10;
            int measure = 30;
            String heap = "1g";
            int perSet = 1;
            int budget = 1000;
            String pgMessaging = "postgres";
            Path out = Path.of("docs/img/scale-results.json");
            Path charts = Path.of("docs/img");
            for (String a : args) {
                String[] kv = a.split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("expected name=value, got " + a);
                }
                switch (kv[0]) {
                    case "backends" -> backends = List.of(kv[1].split(","));
                    case "servers" -> servers = ints(kv[1]);
                    case "profiles" -> profiles = ints(kv[1]);
                    case "jvms" -> jvms = Integer.parseInt(kv[1]);
                    case "hopEverySeconds" -> hopEvery = Integer.parseInt(kv[1]);
                    case "warmUpSeconds" -> warmUp = Integer.parseInt(kv[1]);
                    case "measureSeconds" -> measure = Integer.parseInt(kv[1]);
                    case "childHeap" -> heap = kv[1];
                    case "serversPerConnectionSet" -> perSet = Integer.parseInt(kv[1]);
                    case "pgConnectionBudget" -> budget = Integer.parseInt(kv[1]);
                    case "pgMessaging" -> pgMessaging = kv[1];
                    case "out" -> out = Path.of(kv[1]);
                    case "charts" -> charts = Path.of(kv[1]);
                    case "chartsOnly" -> { } // read by main
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            return new Options(backends, servers, profiles, jvms, hopEvery, warmUp, measure, heap, perSet, budget,
                    pgMessaging, out, charts);
        }

        private static List<Integer> ints(String csv) {
            return java.util.Arrays.stream(csv.split(",")).map(Integer::parseInt).toList();
        }

        /** Storage pool connections per connection set on PostgreSQL: the library's 10 while the budget allows. */
        int pgPoolSize(int connectionSets) {
            return Math.max(1, Math.min(10, pgConnectionBudget / connectionSets));
        }

        int connectionSets(int servers) {
            return (servers + serversPerConnectionSet - 1) / serversPerConnectionSet;
        }
    }

    /**
     * What one run measured; rates are per second over the window.
     *
     * @param backend {@code postgres} or {@code redis}
     * @param servers simulated game servers
     * @param profiles profiles, all online
     * @param jvms child JVMs hosting the servers
     * @param connectionSets storage and messaging instances (servers, unless grouped)
     * @param poolSize PostgreSQL storage pool per connection set (0 on Redis)
     * @param messaging {@code postgres} or {@code redis}
     * @param windowSeconds the measured window
     * @param hopsPerSecond hops started in the window that completed, per second
     * @param handoffP50Ms median handoff
     * @param handoffP99Ms 99th percentile
     * @param handoffMaxMs slowest
     * @param readsPerSecond record reads
     * @param writesPerSecond record writes
     * @param leaseRenewalsPerSecond lease writes
     * @param leaseChecksPerSecond lease reads
     * @param storeOpsPerSecond the four added
     * @param connections client connections the database counts
     * @param channels notification channels
     * @param databaseCores database CPU over the window
     * @param clientCores the children's CPU over the window
     * @param loadAverageMean the machine's 1-minute load average, sampled each second of the window, mean
     * @param loadAverageMax and largest
     * @param failedHops hops started in the window that failed
     * @param loadSeconds time to load every profile before hopping
     */
    record Result(String backend, int servers, int profiles, int jvms, int connectionSets, int poolSize,
                  String messaging, double windowSeconds, double hopsPerSecond, double handoffP50Ms,
                  double handoffP99Ms, double handoffMaxMs, double readsPerSecond, double writesPerSecond, double leaseRenewalsPerSecond,
                  double leaseChecksPerSecond, double storeOpsPerSecond, int connections, int channels,
                  double databaseCores, double clientCores, double loadAverageMean, double loadAverageMax,
                  long failedHops, double loadSeconds) {

        Result {
            // Results written before messaging could differ from the storage have none.
            messaging = messaging == null ? backend : messaging;
        }

        boolean sameRun(Result o) {
            return backend.equals(o.backend) && servers == o.servers && profiles == o.profiles
                    && sharedConnections() == o.sharedConnections() 
                    && messaging.equals(o.messaging);
        }

        /** Whether servers shared storage and messaging instances (connection sets) rather than each having its own. */
        boolean sharedConnections() {
            return connectionSets < servers;
        }
    }

    /**
     * The JSON results file.
     *
     * @param machine what the runs ran on
     * @param results one entry per backend, servers, profiles and whether connections were shared
     */
    record ResultsFile(String machine, List<Result> results) {}

    private ScaleBench() {}

    /**
     * Runs every combination of backend, profiles and servers, merges the results into the JSON file, draws the
     * charts and prints the table.
     *
     * @param args {@code name=value} pairs, see the class documentation
     */
    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        boolean chartsOnly = List.of(args).contains("chartsOnly=true");
        List<Result> fresh = new ArrayList<>();
        if (!chartsOnly) {
            int maxSets = o.servers().stream().mapToInt(o::connectionSets).max().orElse(1);
            // Every set's pool, its LISTEN and publishing connections, and headroom for the harness.
            int maxConnections = maxSets * (o.pgPoolSize(maxSets) + 3) + 50;
            try (Servers db = new Servers(maxConnections)) {
                for (String backend : o.backends()) {
                    for (int profiles : o.profiles()) {
                        for (int servers : o.servers()) {
                            Result r = run(db, o, backend, servers, profiles);
                            fresh.add(r);
                            System.out.println(line(r));
                            List<Result> all = merge(o.out(), List.of(r));
                            ScaleCharts.write(o.charts(), all);
                        }
                    }
                }
            }
        }
        List<Result> all = merge(o.out(), List.of());
        ScaleCharts.write(o.charts(), all);
        System.out.println();
        System.out.println(header());
        (fresh.isEmpty() ? all : fresh).forEach(r -> System.out.println(line(r)));
    }

    static String header() {
        return "| backend | servers | JVMs | profiles | hops/s | handoff p50 ms | p99 ms | max ms | reads/s | writes/s "
                + "| lease renewals/s | lease checks/s | connections | channels | DB CPU (cores) | JVMs' CPU (cores) "
                + "| load avg (mean / max) | failed hops |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
    }

    static String line(Result r) {
        return String.format(Locale.ROOT, "| %s%s | %,d%s | %d | %,d | %.1f | %.1f | %.1f | %.1f | %.0f | %.0f | %.1f | %.1f "
                        + "| %,d | %,d | %.2f | %.2f | %.1f / %.1f | %d |",
                label(r.backend()),
                (r.messaging().equals(r.backend()) ? ""
                        : r.messaging().equals("redis") ? ", Redis messaging" : ", PostgreSQL messaging"), r.servers(),
                r.sharedConnections() ? " (" + r.connectionSets() + " connection sets)" : "", r.jvms(), r.profiles(),
                r.hopsPerSecond(), r.handoffP50Ms(), r.handoffP99Ms(), r.handoffMaxMs(), r.readsPerSecond(),
                r.writesPerSecond(), r.leaseRenewalsPerSecond(), r.leaseChecksPerSecond(), r.connections(),
                r.channels(), r.databaseCores(), r.clientCores(), r.loadAverageMean(), r.loadAverageMax(),
                r.failedHops());
    }

    /** Replaces the entries of {@code fresh}'s runs in the results file, writes it back and returns all entries. */
    static List<Result> merge(Path file, List<Result> fresh) throws IOException {
        List<Result> all = new ArrayList<>();
        if (Files.exists(file)) {
            all.addAll(ScaleProtocol.JSON.readValue(file.toFile(), ResultsFile.class).results());
        }
        all.removeIf(old -> fresh.stream().anyMatch(old::sameRun));
        all.addAll(fresh);
        all.sort(java.util.Comparator.comparing(Result::backend).thenComparingInt(Result::profiles)
                .thenComparingInt(Result::servers));
        if (!fresh.isEmpty()) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ScaleProtocol.JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(),
                    new ResultsFile(machine(), all));
        }
        return all;
    }

    private static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, "
                + Runtime.version().feature() + " JDK, " + System.getProperty("os.name");
    }

    /** One configuration: start the children, load every profile, hop for a warm-up, then measure. */
    static Result run(Servers db, Options o, String backend, int servers, int profiles) throws Exception {
        String storeName = "Scale" + servers + "_" + profiles + "_" + System.nanoTime() % 100_000;
        // SQLite: every child opens the same file, and its messaging is a table in it, polled by every server.
        String url = switch (backend) {
            case "postgres" -> db.postgresJdbcUrl();
            case "sqlite" -> db.dir().resolve(storeName + ".db").toString();
            default -> db.redisUri();
        };
        String messaging = switch (backend) {
            case "postgres" -> o.pgMessaging();
            case "sqlite" -> "sqlite";
            default -> "redis";
        };
        String messagingUrl = switch (messaging) {
            case "postgres" -> db.postgresJdbcUrl();
            case "sqlite" -> url;
            default -> db.redisUri();
        };
        int jvms = Math.max(1, Math.min(o.jvms(), servers));
        int sets = o.connectionSets(servers);
        int pool = backend.equals("postgres") ? o.pgPoolSize(sets) : 0;

        Coordinator hops = new Coordinator(servers, profiles, jvms);
        List<ChildJvm> children = new ArrayList<>();
        ScheduledExecutorService pacer = Executors.newScheduledThreadPool(2);
        try {
            for (int c = 0; c < jvms; c++) {
                children.add(ChildJvm.start(o.childHeap(), hops::onDone));
            }
            hops.children = children;
            long t0 = System.nanoTime();
            for (int c = 0; c < jvms; c++) {
                children.get(c).send(ScaleProtocol.line("plan", new Plan(c, jvms, backend, url, messaging,
                        messagingUrl, storeName, servers,
                        profiles, o.serversPerConnectionSet(), Math.max(1, pool))));
            }
            long loaded = 0;
            for (ChildJvm child : children) {
                loaded += Long.parseLong(child.await("ready", SETUP_TIMEOUT).split(" ")[1]);
            }
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            LOG.info("{} {} servers in {} JVMs: {} of {} profiles loaded in {} s", backend, servers, jvms, loaded,
                    profiles, String.format(Locale.ROOT, "%.1f", loadSeconds));

            long periodNanos = (long) (1e9 * o.hopEverySeconds() / profiles);
            pacer.scheduleAtFixedRate(hops::hopOne, 0, periodNanos, TimeUnit.NANOSECONDS);
            Thread.sleep(TimeUnit.SECONDS.toMillis(o.warmUpSeconds()));

            hops.epoch = 1;
            for (ChildJvm child : children) {
                child.send("mark 1");
            }
            for (ChildJvm child : children) {
                child.await("marked", REPLY_TIMEOUT);
            }
            // Reading /proc takes seconds on a loaded machine: CPU is divided by the time between the readings'
            // midpoints, not by the window, or the time spent reading would count as CPU used in the window.
            long c0 = System.nanoTime();
            double cpuBefore = DatabaseCpu.seconds(db, backend);
            double clientBefore = children.stream().mapToDouble(ChildJvm::cpuSeconds).sum();
            long cpuStart = (c0 + System.nanoTime()) / 2;
            LoadAverage load = new LoadAverage();
            pacer.scheduleAtFixedRate(load::sample, 0, 1, TimeUnit.SECONDS);
            long w0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(o.measureSeconds()));
            hops.epoch = 2;
            for (ChildJvm child : children) {
                child.send("end");
            }
            double seconds = (System.nanoTime() - w0) / 1e9;
            long c1 = System.nanoTime();
            double cpuAfter = DatabaseCpu.seconds(db, backend);
            double clientAfter = children.stream().mapToDouble(ChildJvm::cpuSeconds).sum();
            double cpuSeconds = ((c1 + System.nanoTime()) / 2 - cpuStart) / 1e9;
            double cores = (cpuAfter - cpuBefore) / cpuSeconds;
            double clientCores = (clientAfter - clientBefore) / cpuSeconds;
            int connections = connections(db, backend);
            int channels = channels(db, backend, messaging, servers);
            for (ChildJvm child : children) {
                child.await("ended", REPLY_TIMEOUT);
            }
            pacer.shutdownNow();
            pacer.awaitTermination(10, TimeUnit.SECONDS);
            // Hops started in the window and finished after it count too: the slowest are the point.
            hops.drain(Duration.ofSeconds(90));

            Histogram latency = Dist.histogram();
            Counts ops = Counts.ZERO;
            long failed = 0;
            for (ChildJvm child : children) {
                child.send("report");
                Report report = ScaleProtocol.parse(child.await("report", REPLY_TIMEOUT), "report", Report.class);
                latency.add(ScaleProtocol.decode(report.handoffs()));
                ops = ops.plus(report.window());
                failed += report.failedHops();
            }
            Result r = new Result(backend, servers, profiles, jvms, sets, pool, messaging,
                    seconds,
                    latency.getTotalCount() / seconds, latency.getValueAtPercentile(50) / 1e6,
                    latency.getValueAtPercentile(99) / 1e6, latency.getMaxValue() / 1e6, ops.reads() / seconds,
                    ops.writes() / seconds, ops.leaseWrites() / seconds, ops.leaseReads() / seconds,
                    (ops.reads() + ops.writes() + ops.leaseWrites() + ops.leaseReads()) / seconds, connections,
                    channels, cores, clientCores, load.mean(), load.max(), failed, loadSeconds);
            LOG.info("{}", line(r));
            return r;
        } finally {
            pacer.shutdownNow();
            children.parallelStream().forEach(c -> {
                try {
                    c.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    static String label(String backend) {
        return switch (backend) {
            case "postgres" -> "PostgreSQL";
            case "sqlite" -> "SQLite";
            default -> "Redis";
        };
    }

    static String key(int i) {
        return "player-" + i;
    }

    /** Picks hops, tracks which server holds each profile, and counts hops in flight. */
    private static final class Coordinator {
        private final int servers;
        private final int jvms;
        private final int[] holder;
        private final ConcurrentHashMap<Integer, Boolean> moving = new ConcurrentHashMap<>();
        private final AtomicInteger inFlight = new AtomicInteger();
        volatile List<ChildJvm> children;
        volatile long epoch;

        Coordinator(int servers, int profiles, int jvms) {
            this.servers = servers;
            this.jvms = jvms;
            this.holder = new int[profiles];
            for (int k = 0; k < profiles; k++) {
                holder[k] = k % servers;
            }
        }

        void hopOne() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int key = random.nextInt(holder.length);
            if (servers < 2 || moving.putIfAbsent(key, Boolean.TRUE) != null) {
                return;
            }
            int to = (holder[key] + 1 + random.nextInt(servers - 1)) % servers;
            inFlight.incrementAndGet();
            children.get(to % jvms).send("hop " + key + " " + to + " " + epoch);
        }

        void onDone(String line) {
            String[] f = line.split(" ");
            int key = Integer.parseInt(f[1]);
            if (f[3].equals("ok")) {
                holder[key] = Integer.parseInt(f[2]);
            }
            moving.remove(key);
            inFlight.decrementAndGet();
        }

        void drain(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
    }

    /** The machine's 1-minute load average from {@code /proc/loadavg}, sampled. */
    private static final class LoadAverage {
        private double sum;
        private double max;
        private int samples;

        synchronized void sample() {
            try {
                double v = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
                sum += v;
                max = Math.max(max, v);
                samples++;
            } catch (IOException | RuntimeException e) {
                // not Linux: no load average
            }
        }

        synchronized double mean() {
            return samples == 0 ? Double.NaN : sum / samples;
        }

        synchronized double max() {
            return samples == 0 ? Double.NaN : max;
        }
    }

    /** Client connections the database server counts now. */
    private static int connections(Servers db, String backend) throws SQLException {
        if (backend.equals("sqlite")) {
            return 0; // no server: each child opens the file itself
        }
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
    private static int channels(Servers db, String backend, String messaging, int servers) {
        if (backend.equals("postgres") && messaging.equals("postgres") || messaging.equals("sqlite")) {
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
}
