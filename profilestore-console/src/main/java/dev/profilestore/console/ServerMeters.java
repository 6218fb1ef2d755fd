package dev.profilestore.console;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;

/**
 * Reads the game servers' own meters: each server's {@code /metrics} page of {@code profilestore-metrics}, in the
 * Prometheus text format. Handoff latency and critical state exist only in the servers' registries, not in the
 * store, so this is the one way the console can chart them. Only the series of the console's store name are read
 * (their {@code store} label), summed over the servers, except the slowest handoff, which is the largest.
 */
final class ServerMeters {

    private static final Logger LOG = LoggerFactory.getLogger(ServerMeters.class);

    /** A server that does not answer within this is counted as not answering; the page must not hang on it. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    /**
     * One reading of every server.
     *
     * @param at when it was taken
     * @param answering servers whose page was read
     * @param servers servers asked
     * @param handoffs handoffs so far (a counter)
     * @param handoffSeconds their summed duration (a counter)
     * @param slowestHandoffSeconds the servers' recent maximum
     * @param saves successful saves so far (a counter)
     * @param failedSaves failed saves so far (a counter)
     * @param critical servers whose store is in critical state
     * @param sessionsLost sessions lost so far (a counter)
     */
    record Reading(Instant at, int answering, int servers, double handoffs, double handoffSeconds,
                   double slowestHandoffSeconds, double saves, double failedSaves, double critical,
                   double sessionsLost) {}

    private final List<URI> sources;
    private final String storeName;
    private final HttpClient http;
    /** Servers whose last reading failed: logged when they go down and come back, not at every reading. */
    private final Set<URI> down = ConcurrentHashMap.newKeySet();

    ServerMeters(List<URI> sources, String storeName) {
        this.sources = List.copyOf(sources);
        this.storeName = storeName;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    boolean configured() {
        return !sources.isEmpty();
    }

    List<URI> sources() {
        return sources;
    }

    Reading read(Instant at) {
        // All servers at once: one reading costs the slowest server's time (at most the timeout), not the sum, so
        // a few servers that are down do not stall the store's own sampling behind them.
        List<CompletableFuture<HttpResponse<String>>> pages = sources.stream()
                .map(source -> http.sendAsync(HttpRequest.newBuilder(source).timeout(TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.ofString()))
                .toList();
        Sums sums = new Sums();
        int answering = 0;
        for (int i = 0; i < sources.size(); i++) {
            URI source = sources.get(i);
            try {
                HttpResponse<String> r = pages.get(i).get(2 * TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (r.statusCode() != 200) {
                    failed(source, "HTTP " + r.statusCode());
                    continue;
                }
                sums.add(r.body(), storeName);
                answering++;
                if (down.remove(source)) {
                    LOG.info("meters of {} are read again", source);
                }
            } catch (ExecutionException e) {
                failed(source, e.getCause().toString());
            } catch (TimeoutException e) {
                pages.get(i).cancel(true);
                failed(source, "no answer within " + TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                pages.forEach(page -> page.cancel(true));
                break;
            }
        }
        return new Reading(at, answering, sources.size(), sums.get("profilestore_handoff_seconds_count"),
                sums.get("profilestore_handoff_seconds_sum"), sums.get("profilestore_handoff_seconds_max"),
                sums.get("profilestore_saves_seconds_count"), sums.get("profilestore_saves_failed_total"),
                sums.get("profilestore_critical"), sums.get("profilestore_sessions_lost_total"));
    }

    private void failed(URI source, String why) {
        if (down.add(source)) {
            LOG.warn("meters of {} not read: {} (said once until it answers again)", source, why);
        }
    }

    /** The series read, combined over the servers: summed, except a maximum, which is the largest. */
    private static final class Sums {
        private static final Map<String, DoubleBinaryOperator> READ = Map.of(
                "profilestore_handoff_seconds_count", Double::sum,
                "profilestore_handoff_seconds_sum", Double::sum,
                "profilestore_handoff_seconds_max", Math::max,
                "profilestore_saves_seconds_count", Double::sum,
                "profilestore_saves_failed_total", Double::sum,
                "profilestore_critical", Double::sum,
                "profilestore_sessions_lost_total", Double::sum);

        private final Map<String, Double> values = new HashMap<>();

        void add(String page, String storeName) {
            for (PrometheusText.Sample s : PrometheusText.parse(page)) {
                DoubleBinaryOperator combine = READ.get(s.name());
                // Series of other stores on the same server are not this console's; a series without the label
                // (an older server) is taken as this store's.
                if (combine != null && storeName.equals(s.labels().getOrDefault("store", storeName))
                        && Double.isFinite(s.value())) {
                    values.merge(s.name(), s.value(), combine::applyAsDouble);
                }
            }
        }

        double get(String name) {
            return values.getOrDefault(name, 0.0);
        }
    }
}
