package dev.profilestore.postgres;

import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.ServerFailureScenarios;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;

import com.zaxxer.hikari.HikariConfig;

/**
 * The server-failure scenarios on a PostgreSQL server of its own (not the one the other test classes share, since
 * it is restarted and its connections killed).
 *
 * <p>A restart closes the embedded server and starts a new one on the same port and data directory, which is kept
 * ({@code setCleanDataDirectory(false)}). Storage connections carry the application name {@value #STORAGE}; a
 * connection drop is {@code pg_terminate_backend} of every client backend with that name (storage) or with any
 * other name (messaging: the {@code LISTEN} connection and the {@code NOTIFY} pool), sparing the killing
 * connection itself.
 */
final class PostgresServerFailureTest extends ServerFailureScenarios {

    private static final String STORAGE = "ps-failures-storage";
    private static Path dataDirectory;
    private static int port;
    private static EmbeddedPostgres server;

    @BeforeAll
    static void startServer() throws IOException {
        dataDirectory = Files.createTempDirectory("profilestore-pg-failures");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server = start();
    }

    private static EmbeddedPostgres start() {
        try {
            return EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false).setServerConfig("synchronous_commit", "on").start();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start on port " + port, e);
        }
    }

    @AfterAll
    static void stopServer() throws IOException {
        server.close();
        try (var files = Files.walk(dataDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String jdbcUrl() {
        return server.getJdbcUrl("postgres", "postgres");
    }

    @Override
    protected Storage newStorage() {
        HikariConfig config = PostgresStorage.poolConfig(jdbcUrl(), "postgres", null, "ps-failures-storage");
        config.addDataSourceProperty("ApplicationName", STORAGE);
        config.setConnectionTimeout(3_000);
        return PostgresStorage.openPooled(config, JdbcStorageOptions.defaults());
    }

    @Override
    protected Messaging newMessaging() {
        return PostgresMessaging.open(jdbcUrl(), "postgres", null, PostgresMessaging.DEFAULT_NAMESPACE);
    }

    @Override
    protected void restartServer() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not stop", e);
        }
        server = start();
    }

    @Override
    protected int dropStorageConnections() {
        return terminate("application_name = ?");
    }

    @Override
    protected int dropMessagingConnections() {
        return terminate("application_name <> ?");
    }

    private static int terminate(String condition) {
        try (Connection c = DriverManager.getConnection(jdbcUrl());
                PreparedStatement ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND " + condition)) {
            ps.setString(1, STORAGE);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("terminating connections failed", e);
        }
    }
}
