package dev.profilestore.sqlite;

import dev.profilestore.StorageException;
import dev.profilestore.jdbc.ConnectionSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Checks a database path and opens configured connections to it, with errors that say what is wrong. */
final class SqliteFiles {

    /** The first 16 bytes of every SQLite 3 database file. */
    private static final byte[] HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private SqliteFiles() {}

    /**
     * Refuses, before SQLite touches anything, a path that is a directory, lies in a missing directory, or holds a
     * file that is not a SQLite database.
     */
    static Path check(Path path) {
        Path file = path.toAbsolutePath().normalize();
        if (Files.isDirectory(file)) {
            throw new StorageException("SQLite path " + file + " is a directory; give the path of a database file");
        }
        Path dir = file.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new StorageException("cannot create SQLite database " + file + ": directory " + dir
                    + " does not exist");
        }
        if (Files.exists(file)) {
            if (!Files.isReadable(file)) {
                throw new StorageException("SQLite database " + file + " is not readable by this process");
            }
            byte[] start = new byte[HEADER.length];
            int read;
            try (InputStream in = Files.newInputStream(file)) {
                read = in.readNBytes(start, 0, start.length);
            } catch (IOException e) {
                throw new StorageException("cannot read SQLite database " + file + ": " + e.getMessage(), e);
            }
            // An empty file is a new database to SQLite; anything else must start with the header.
            if (read > 0 && (read < HEADER.length || !Arrays.equals(start, HEADER))) {
                throw new StorageException(file + " is not a SQLite database (it does not start with the SQLite"
                        + " header); refusing to open it, the file was not modified");
            }
        } else if (!Files.isWritable(dir)) {
            throw new StorageException("cannot create SQLite database " + file + ": directory " + dir
                    + " is not writable by this process");
        }
        return file;
    }

    /** Opens a connection in WAL mode with the busy timeout; the file must have passed {@link #check}. */
    static Connection open(Path file, SqliteOptions options) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) options.busyTimeout().toMillis());
        Connection c = null;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
            try (Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                    String mode = rs.next() ? rs.getString(1) : "unknown";
                    if (!"wal".equalsIgnoreCase(mode)) {
                        throw new StorageException("SQLite database " + file + " could not be switched to WAL mode"
                                + " (it stayed in " + mode + " mode); is it on a network file system or read-only?");
                    }
                }
                s.execute("PRAGMA synchronous = NORMAL");
            }
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw explain(file, options, e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing; the first error is the one reported
            }
        }
    }

    /** Turns an SQLite failure while opening into an error that names the likely cause. */
    static StorageException explain(Path file, SqliteOptions options, SQLException e) {
        SQLiteErrorCode code = e instanceof SQLiteException s ? s.getResultCode() : null;
        int primary = code == null ? e.getErrorCode() : code.code & 0xff;
        String why = switch (primary) {
            case 5, 6 -> "it is locked by another program or connection (waited "
                    + options.busyTimeout().toMillis() + " ms)";
            case 8 -> "it or its directory is read-only (SQLite needs to write the database and its -wal and -shm"
                    + " files)";
            case 14 -> "the file or its -wal/-shm files cannot be opened; check that the directory is writable";
            case 26 -> "it is not a SQLite database";
            case 11 -> "the database file is corrupt";
            case 13 -> "the disk is full";
            default -> e.getMessage();
        };
        return new StorageException("cannot open SQLite database " + file + ": " + why, e);
    }

    /**
     * One connection shared by the threads of a process, one at a time. SQLite allows one writer per file anyway;
     * a single connection keeps {@code PRAGMA data_version} meaningful and needs no pool.
     */
    static final class SingleConnection implements ConnectionSource {
        private final Connection connection;
        private final ReentrantLock lock = new ReentrantLock();
        private boolean closed;

        SingleConnection(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Connection acquire() throws SQLException {
            lock.lock();
            if (closed) {
                lock.unlock();
                throw new SQLException("the SQLite connection is closed");
            }
            return connection;
        }

        @Override
        public void release(Connection c) {
            lock.unlock();
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (!closed) {
                    closed = true;
                    closeQuietly(connection);
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
