package dev.profilestore.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profilestore.ProfileStore;
import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Scrapes the endpoint over HTTP, as Prometheus and a load balancer would. */
class MetricsServerTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(MetricsServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAndHealth_areServed_andHealthTurns503WhenTheStoreCloses() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProfileStore<Map> store = ProfileStore.builder("PlayerStore", Map.class, HashMap::new)
                .storage(new InMemoryStorage()).messaging(new InMemoryMessaging()).meterRegistry(registry).build();
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry, List.of(store))) {
            store.startSession("alice").orElseThrow();

            HttpResponse<String> metrics = get(server, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(metrics.body()).contains("profilestore_sessions_active{store=\"PlayerStore\"} 1.0")
                    .contains("profilestore_critical{store=\"PlayerStore\"} 0.0")
                    .contains("profilestore_starts_seconds_count{outcome=\"started\",store=\"PlayerStore\"} 1")
                    // every name docs/operations.md uses in its dashboard and alert rules
                    .contains("profilestore_handoff_seconds_bucket{store=\"PlayerStore\",le=")
                    .contains("profilestore_saves_seconds_count{store=\"PlayerStore\"}")
                    .contains("profilestore_saves_failed_total{store=\"PlayerStore\"} 0.0")
                    .contains("profilestore_saves_skipped_total{store=\"PlayerStore\"} 0.0")
                    .contains("profilestore_sessions_lost_total{store=\"PlayerStore\"} 0.0")
                    .contains("profilestore_takeovers_total{kind=\"steal\",store=\"PlayerStore\"} 0.0")
                    .contains("profilestore_keys_busy{store=\"PlayerStore\"}")
                    .contains("profilestore_io_queue{store=\"PlayerStore\"}");

            await().until(() -> store.health().healthy());
            assertThat(get(server, "/metrics").body()).contains("profilestore_lease_live{store=\"PlayerStore\"} 1.0")
                    .contains("profilestore_store_reachable{store=\"PlayerStore\"} 1.0");
            HttpResponse<String> healthy = get(server, "/health");
            assertThat(healthy.statusCode()).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree(healthy.body()).get("PlayerStore");
            assertThat(body.get("leaseLive").asBoolean()).isTrue();
            assertThat(body.get("activeSessions").asInt()).isEqualTo(1);

            store.close();
            HttpResponse<String> closed = get(server, "/health");
            assertThat(closed.statusCode()).isEqualTo(503);
            assertThat(new ObjectMapper().readTree(closed.body()).get("PlayerStore").get("closing").asBoolean()).isTrue();
        }
    }
}
