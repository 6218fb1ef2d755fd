package dev.profilestore.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.profilestore.ProfileStore;
import dev.profilestore.StoreHealth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;

/**
 * Serves {@code GET /metrics} (the Prometheus text format of a {@link PrometheusMeterRegistry}) and
 * {@code GET /health} (the {@link StoreHealth} of each store as JSON; status 200 when all are healthy, else 503)
 * on the JDK's HTTP server, for a game server that has no HTTP stack of its own. It also registers, per store, the
 * gauges {@code profilestore.lease.live}, {@code profilestore.store.reachable}, {@code profilestore.keys.busy} and
 * {@code profilestore.io.queue} read from {@link ProfileStore#health()}.
 *
 * {@snippet :
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * ProfileStore<PlayerData> store = ProfileStore.builder("PlayerStore", PlayerData.class, PlayerData::new)
 *         .meterRegistry(registry)
 *         .build();
 * MetricsServer server = MetricsServer.start(new InetSocketAddress("0.0.0.0", 9464), registry, List.of(store));
 * }
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts serving on {@code address}; port 0 picks a free port (see {@link #port()}).
     *
     * @param address where to listen
     * @param registry the registry the stores were built with ({@code meterRegistry(...)})
     * @param stores the stores whose health {@code /health} reports
     * @return the running server; close it on shutdown
     * @throws IOException when the address cannot be bound
     */
    public static MetricsServer start(InetSocketAddress address, PrometheusMeterRegistry registry,
                                      List<? extends ProfileStore<?>> stores) throws IOException {
        Objects.requireNonNull(registry, "registry");
        List<? extends ProfileStore<?>> watched = List.copyOf(stores);
        for (ProfileStore<?> store : watched) {
            // The lease renewals are the store's heartbeat: exported so an alert can fire when they fail.
            Gauge.builder("profilestore.lease.live", store, s -> s.health().leaseLive() ? 1 : 0).tag("store", store.name())
                    .description("1 while this server's lease was renewed within the lease duration").register(registry);
            Gauge.builder("profilestore.store.reachable", store, s -> s.health().storeReachable() ? 1 : 0)
                    .tag("store", store.name()).description("1 when the latest lease renewal succeeded").register(registry);
            Gauge.builder("profilestore.keys.busy", store, s -> s.health().busyKeys()).tag("store", store.name())
                    .description("keys with a store operation running or queued").register(registry);
            Gauge.builder("profilestore.io.queue", store, s -> s.health().ioQueue()).tag("store", store.name())
                    .description("store calls waiting for an I/O thread").register(registry);
        }
        HttpServer http = HttpServer.create(address, 0);
        // One daemon thread: scrapes are rare, and a stuck scrape must not keep the game server's JVM alive.
        http.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "profilestore-metrics");
            t.setDaemon(true);
            return t;
        }));
        http.createContext("/metrics", exchange -> respond(exchange, 200,
                "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        http.createContext("/health", exchange -> {
            Map<String, StoreHealth> health = new LinkedHashMap<>();
            watched.forEach(s -> health.put(s.name(), s.health()));
            boolean healthy = health.values().stream().allMatch(StoreHealth::healthy);
            respond(exchange, healthy ? 200 : 503, "application/json", JSON.writeValueAsString(health));
        });
        http.start();
        MetricsServer started = new MetricsServer(http);
        log.info("serving /metrics and /health on port {}", started.port());
        return started;
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /**
     * The port listened on.
     *
     * @return the bound port
     */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops serving at once. */
    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
