package dev.profilestore.bench;

import com.zaxxer.hikari.HikariConfig;
import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.bench.ScaleProtocol.Counts;
import dev.profilestore.bench.ScaleProtocol.Plan;
import dev.profilestore.bench.ScaleProtocol.Report;
import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.postgres.PostgresMessaging;
import dev.profilestore.postgres.PostgresStorage;
import dev.profilestore.redis.RedisBackend;
import dev.profilestore.redis.RedisOptions;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.sqlite.SqliteMessaging;
import dev.profilestore.sqlite.SqliteStorage;
import dev.profilestore.testkit.PlayerData;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One process of {@link ScaleBench}: hosts a share of the simulated game servers, each a {@link ProfileStore} with
 * its own storage and messaging instances (so its own connections), and starts sessions when the parent asks.
 * Speaks {@link ScaleProtocol} on standard input and output; its logs go to standard error.
 */
public final class ScaleChild {

    private static final Logger LOG = LoggerFactory.getLogger(ScaleChild.class);

    private final PrintStream out;
    private final Map<Integer, ProfileStore<PlayerData>> stores = new HashMap<>();
    private final List<CountingStorage> storages = new ArrayList<>();
    private final List<AutoCloseable> connections = new ArrayList<>();
    private final Histogram latency = Dist.histogram();
    private final AtomicLong failed = new AtomicLong();
    private volatile long epoch = -1;
    private Counts marked = Counts.ZERO;
    private Counts ended = Counts.ZERO;

    private ScaleChild(PrintStream out) {
        this.out = out;
    }

    /**
     * Runs the protocol until {@code close} or the end of standard input.
     *
     * @param args none
     */
    public static void main(String[] args) throws Exception {
        // The protocol owns standard output: anything else a library prints goes to standard error.
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        ScaleChild child = new ScaleChild(protocol);
        try {
            child.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        } finally {
            child.close();
        }
        System.exit(0);
    }

    private void serve(BufferedReader in) throws Exception {
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split(" ", 2);
            switch (f[0]) {
                case "plan" -> start(ScaleProtocol.parse(line, "plan", Plan.class));
                case "hop" -> {
                    String[] a = f[1].split(" ");
                    hop(Integer.parseInt(a[0]), Integer.parseInt(a[1]), Long.parseLong(a[2]));
                }
                case "mark" -> {
                    marked = counts();
                    synchronized (latency) {
                        latency.reset();
                    }
                    failed.set(0);
                    epoch = Long.parseLong(f[1]);
                    send("marked");
                }
                case "end" -> {
                    ended = counts();
                    send("ended");
                }
                case "report" -> {
                    String histogram;
                    synchronized (latency) {
                        histogram = ScaleProtocol.encode(latency);
                    }
                    send(ScaleProtocol.line("report", new Report(ended.minus(marked), histogram, failed.get())));
                }
                case "close" -> {
                    close();
                    send("closed");
                    return;
                }
                default -> throw new IllegalStateException("unknown command: " + line);
            }
        }
    }

    private void start(Plan plan) throws Exception {
        List<Integer> mine = new ArrayList<>();
        for (int s = 0; s < plan.servers(); s++) {
            if (plan.hosts(s)) {
                mine.add(s);
            }
        }
        Storage storage = null;
        Messaging messaging = null;
        for (int i = 0; i < mine.size(); i++) {
            if (i % plan.serversPerConnectionSet() == 0) {
                CountingStorage counting = new CountingStorage(openStorage(plan));
                storages.add(counting);
                storage = counting;
                messaging = openMessaging(plan);
            }
            int s = mine.get(i);
            stores.put(s, ProfileStore.builder(plan.storeName(), PlayerData.class, PlayerData::new)
                    .storage(storage).messaging(messaging).serverId("server-" + s)
                    .closeTimeout(Duration.ofSeconds(30)).build());
        }
        long t0 = System.nanoTime();
        Semaphore loading = new Semaphore(64);
        List<CompletableFuture<SessionStart<PlayerData>>> loads = new ArrayList<>();
        for (int key = 0; key < plan.profiles(); key++) {
            ProfileStore<PlayerData> store = stores.get(key % plan.servers());
            if (store == null) {
                continue;
            }
            loading.acquire();
            loads.add(store.startSessionAsync(ScaleBench.key(key), SessionOptions.defaults())
                    .whenComplete((s, e) -> loading.release()));
        }
        CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        long started = loads.stream().filter(f -> f.join().isStarted()).count();
        send("ready " + started + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private Storage openStorage(Plan plan) {
        return switch (plan.backend()) {
            case "postgres" -> {
                HikariConfig pool = PostgresStorage.poolConfig(plan.storageUrl(), "postgres", null, "scale");
                pool.setMaximumPoolSize(plan.pgPoolSize());
                pool.setMinimumIdle(1);
                PostgresStorage storage = PostgresStorage.openPooled(pool, JdbcStorageOptions.defaults());
                connections.add(storage);
                yield storage;
            }
            case "redis" -> {
                RedisBackend redis = RedisBackend.open(plan.storageUrl(), RedisOptions.defaults());
                connections.add(redis);
                yield redis.storage();
            }
            case "sqlite" -> {
                SqliteStorage storage = SqliteStorage.open(Path.of(plan.storageUrl()));
                connections.add(storage);
                yield storage;
            }
            default -> throw new IllegalArgumentException("backend " + plan.backend() + ": postgres, redis or sqlite");
        };
    }

    private Messaging openMessaging(Plan plan) {
        if (plan.messaging().equals("postgres")) {
            PostgresMessaging messaging = PostgresMessaging.open(plan.messagingUrl(), "postgres", null,
                    PostgresMessaging.DEFAULT_NAMESPACE);
            // Closed before the storage: the list is closed in reverse.
            connections.add(messaging);
            return messaging;
        }
        if (plan.messaging().equals("sqlite")) {
            Messaging messaging = SqliteMessaging.open(Path.of(plan.messagingUrl()));
            connections.add(messaging);
            return messaging;
        }
        if (plan.backend().equals("redis")) {
            // The backend opened for the storage also carries the messaging (its own two connections).
            return ((RedisBackend) connections.getLast()).messaging();
        }
        RedisBackend redis = RedisBackend.open(plan.messagingUrl(), RedisOptions.defaults());
        connections.add(redis);
        return redis.messaging();
    }

    /** Starts {@code key}'s session on {@code server}; the latency counts if the hop began in the current window. */
    private void hop(int key, int server, long hopEpoch) {
        ProfileStore<PlayerData> target = stores.get(server);
        long t0 = System.nanoTime();
        target.startSessionAsync(ScaleBench.key(key), SessionOptions.defaults().withTimeout(Duration.ofSeconds(60)))
                .whenComplete((SessionStart<PlayerData> s, Throwable e) -> {
                    long nanos = System.nanoTime() - t0;
                    boolean ok = e == null && s.isStarted();
                    if (hopEpoch == epoch) {
                        if (ok) {
                            synchronized (latency) {
                                Dist.record(latency, nanos);
                            }
                        } else {
                            failed.incrementAndGet();
                        }
                    }
                    if (ok) {
                        Profile<PlayerData> p = s.orElseThrow();
                        // The player plays on the new server: the data changes, so auto-saves write.
                        target.callbackExecutor().execute(() -> {
                            if (p.isActive()) {
                                p.data().coins++;
                            }
                        });
                    } else {
                        LOG.warn("hop of {} to server-{} failed: {}", ScaleBench.key(key), server,
                                e != null ? e.toString() : s);
                    }
                    send("done " + key + " " + server + (ok ? " ok" : " fail"));
                });
    }

    private Counts counts() {
        Counts sum = Counts.ZERO;
        for (CountingStorage s : storages) {
            sum = sum.plus(new Counts(s.reads(), s.writes(), s.leaseWrites(), s.leaseReads()));
        }
        return sum;
    }

    private void send(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private void close() {
        stores.values().parallelStream().forEach(ProfileStore::close);
        stores.clear();
        for (AutoCloseable c : connections.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c, e.toString());
            }
        }
        connections.clear();
    }
}
