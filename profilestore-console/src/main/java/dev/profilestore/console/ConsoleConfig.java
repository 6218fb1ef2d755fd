package dev.profilestore.console;

import dev.profilestore.Names;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a console serves and how.
 *
 * @param storage the store; the console does not close it
 * @param messaging its messaging, or null (a holder asked to release then hears it at its next auto-save)
 * @param description where the store is, for the page (no passwords)
 * @param storeName the store name whose profiles it shows
 * @param bind the address to listen on; loopback unless the operator says otherwise
 * @param secret the token or password every request must give
 * @param metricsPeriod how often the metrics sample the store
 * @param rollbackTimeout how long a rollback waits for the session
 * @param meters the game servers' {@code /metrics} pages ({@code profilestore-metrics}) whose handoff latency, saves
 *     and critical state the metrics page charts; empty: only the store's own data is charted
 */
public record ConsoleConfig(Storage storage, Messaging messaging, String description, String storeName,
                            InetSocketAddress bind, String secret, Duration metricsPeriod, Duration rollbackTimeout,
                            List<URI> meters) {

    /** Checks the fields. */
    public ConsoleConfig {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(description, "description");
        Names.storeName(storeName);
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(secret, "secret");
        if (metricsPeriod.isNegative() || metricsPeriod.isZero()) {
            throw new IllegalArgumentException("metricsPeriod must be positive, was " + metricsPeriod);
        }
        Objects.requireNonNull(rollbackTimeout, "rollbackTimeout");
        meters = List.copyOf(meters);
        for (URI m : meters) {
            if (!"http".equals(m.getScheme()) && !"https".equals(m.getScheme())) {
                throw new IllegalArgumentException("a meters page must be an http(s) URL, was " + m);
            }
        }
    }

    /** A console on loopback at {@code port} (0: any free port), sampling every 5 s, with a 30 s rollback timeout. */
    public static ConsoleConfig loopback(Storage storage, Messaging messaging, String description, String storeName,
                                         int port, String secret) {
        return new ConsoleConfig(storage, messaging, description, storeName,
                new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), secret, Duration.ofSeconds(5),
                Duration.ofSeconds(30), List.of());
    }

    /** A random token for {@link #secret}: 128 bits, in hex. */
    public static String randomToken() {
        return Auth.randomToken();
    }

    /** This configuration with another metrics period. */
    public ConsoleConfig withMetricsPeriod(Duration period) {
        return new ConsoleConfig(storage, messaging, description, storeName, bind, secret, period, rollbackTimeout,
                meters);
    }

    /** This configuration with another address. */
    public ConsoleConfig withBind(InetSocketAddress address) {
        return new ConsoleConfig(storage, messaging, description, storeName, address, secret, metricsPeriod,
                rollbackTimeout, meters);
    }

    /** The same console, charting the meters of the game servers whose {@code /metrics} pages are {@code pages}. */
    public ConsoleConfig withMeters(List<URI> pages) {
        return new ConsoleConfig(storage, messaging, description, storeName, bind, secret, metricsPeriod,
                rollbackTimeout, pages);
    }
}
