package dev.profilestore.bench;

import dev.profilestore.postgres.PostgresMessaging;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Diagnosis, not measurement: how long one PostgreSQL {@code NOTIFY} takes from the sender's call to the
 * listener's hand, with bare pgjdbc (one connection sends, another listens) and through
 * {@link PostgresMessaging}. A live handoff waits for two of them, so this is the floor under its latency.
 * Run: {@code java -cp profilestore-bench.jar dev.profilestore.bench.NotifyProbe}.
 */
public final class NotifyProbe {

    private static final int SAMPLES = 500;

    private NotifyProbe() {}

    /** Prints the two distributions. */
    public static void main(String[] args) throws Exception {
        try (Servers servers = new Servers()) {
            String url = servers.postgresJdbcUrl();
            print("bare pgjdbc", raw(url));
            print("PostgresMessaging", library(url));
        }
        System.exit(0);
    }

    private static org.HdrHistogram.Histogram raw(String url) throws SQLException {
        var h = Dist.histogram();
        try (Connection listener = DriverManager.getConnection(url);
             Connection sender = DriverManager.getConnection(url);
             Statement listen = listener.createStatement();
             PreparedStatement notify = sender.prepareStatement("SELECT pg_notify('probe', 'x')")) {
            listen.execute("LISTEN probe");
            PGConnection pg = listener.unwrap(PGConnection.class);
            for (int i = 0; i < SAMPLES; i++) {
                long t0 = System.nanoTime();
                notify.execute();
                while (pg.getNotifications(1000) == null) {
                    // keep waiting: getNotifications returns null on its timeout
                }
                Dist.record(h, System.nanoTime() - t0);
            }
        }
        return h;
    }

    private static org.HdrHistogram.Histogram library(String url) throws InterruptedException {
        var h = Dist.histogram();
        try (PostgresMessaging messaging = PostgresMessaging.open(url, null, null, "probe")) {
            BlockingQueue<Long> received = new LinkedBlockingQueue<>();
            messaging.subscribe("probe", payload -> received.add(System.nanoTime()));
            for (int i = 0; i < SAMPLES; i++) {
                long t0 = System.nanoTime();
                messaging.publish("probe", new byte[] {1});
                Dist.record(h, received.take() - t0);
            }
        }
        return h;
    }

    private static void print(String what, org.HdrHistogram.Histogram h) {
        Dist d = Dist.of(h);
        System.out.printf(Locale.ROOT, "%-18s NOTIFY to listener: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms over %d%n", what,
                d.p50Ms(), d.p90Ms(), d.p99Ms(), h.getTotalCount());
    }
}
