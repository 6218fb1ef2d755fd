package dev.profilestore.cli;

import dev.profilestore.StorageException;
import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.Messaging;
import dev.profilestore.sqlite.SqliteOptions;
import dev.profilestore.sqlite.SqliteStorage;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Where a store lives, parsed from the {@code --store} option. A closed set: each backend is one record here
 * and one case in {@link #parse}; there is no registry to fill at start-up.
 *
 * <ul>
 * <li>{@code sqlite:PATH} — one SQLite file (relative paths are resolved against the working directory);</li>
 * <li>{@code memory:} — an empty in-memory store that lives as long as the command;</li>
 * <li>{@code postgres://}, {@code postgresql://}, {@code redis://}, {@code rediss://}, {@code mysql://},
 *     {@code mariadb://} — a database server, with its own messaging (LISTEN/NOTIFY, pub/sub, a polled table).
 *     A password missing from a URI that names a user is taken from the environment variable
 *     {@value #PASSWORD_VARIABLE}, so it need not appear in shell history.</li>
 * </ul>
 */
public sealed interface StoreUri {

    /** The default store of the operator commands. */
    String DEFAULT = "sqlite:profiles.db";

    /** Where a server URI's missing password comes from. */
    String PASSWORD_VARIABLE = "PROFILESTORE_PASSWORD";

    /**
     * Opens the backend.
     *
     * @param mode whether a missing store may be created
     * @param lockTimeout how long to wait for another program's lock before failing
     * @throws CliException naming the problem (missing file, not a database, locked, read-only directory...)
     */
    OpenedStore open(OpenMode mode, Duration lockTimeout);

    /** Whether opening may create the store. */
    enum OpenMode {
        /** The store must exist already (inspection and repair commands must not create files). */
        EXISTING,
        /** Create it if missing (demo, import). */
        CREATE
    }

    /**
     * Parses a store URI.
     *
     * @throws CliException naming what is malformed
     */
    static StoreUri parse(String text) {
        if (text == null || text.isBlank()) {
            throw new CliException("store URI is empty; expected e.g. " + DEFAULT + " or memory:");
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new CliException("store URI '" + text + "' has no scheme; expected e.g. sqlite:" + text
                    + " or memory:");
        }
        String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = text.substring(colon + 1);
        return switch (scheme) {
            case "sqlite" -> Sqlite.parse(text, rest);
            case "memory", "mem" -> {
                if (!rest.isEmpty()) {
                    throw new CliException("store URI '" + text + "': memory: takes nothing after the colon");
                }
                yield new Memory();
            }
            case "postgres", "postgresql", "redis", "rediss", "mysql", "mariadb" -> {
                if (!rest.startsWith("//") || rest.length() == 2) {
                    throw new CliException("store URI '" + redact(text) + "': expected " + scheme + "://host[:port]/...");
                }
                yield new Server(scheme, text, redact(text));
            }
            default -> throw new CliException("store URI '" + redact(text) + "' has unknown scheme '" + scheme
                    + "'; known: sqlite:PATH, memory:, postgres://, redis://, mysql://");
        };
    }

    /** Hides a password in {@code scheme://user:password@host}. */
    private static String redact(String text) {
        return text.replaceAll("(//[^/@:]*:)[^@/]*@", "$1***@");
    }

    /**
     * One SQLite file.
     *
     * @param file the database file
     */
    record Sqlite(Path file) implements StoreUri {

        static Sqlite parse(String text, String rest) {
            String path = rest.startsWith("//") ? rest.substring(2) : rest;
            if (path.isEmpty()) {
                throw new CliException("store URI '" + text + "' has no file path; expected sqlite:PATH, e.g. " + DEFAULT);
            }
            try {
                return new Sqlite(Path.of(path));
            } catch (InvalidPathException e) {
                throw new CliException("store URI '" + text + "' holds an invalid path: " + e.getMessage());
            }
        }

        @Override
        public OpenedStore open(OpenMode mode, Duration lockTimeout) {
            Path abs = file.toAbsolutePath().normalize();
            if (mode == OpenMode.EXISTING && !Files.exists(abs)) {
                throw new CliException("SQLite database " + abs + " does not exist (nothing was created)");
            }
            if (mode == OpenMode.EXISTING && Files.isRegularFile(abs) && !Files.isWritable(abs.getParent())) {
                // SQLite in WAL mode writes -wal and -shm files beside the database, even to read it.
                throw new CliException("cannot open SQLite database " + abs + ": its directory " + abs.getParent()
                        + " is read-only (SQLite needs to create the -wal and -shm files there)");
            }
            SqliteOptions options = SqliteOptions.defaults().withBusyTimeout(lockTimeout);
            if (mode == OpenMode.EXISTING && Files.isRegularFile(abs)) {
                requireProfileStoreTables(abs, lockTimeout);
            }
            SqliteStorage storage;
            try {
                storage = SqliteStorage.open(abs, options);
            } catch (StorageException e) {
                throw new CliException(firstLine(e.getMessage()), e);
            }
            Messaging messaging;
            try {
                messaging = storage.openMessaging();
            } catch (StorageException e) {
                storage.close();
                throw new CliException(firstLine(e.getMessage()), e);
            }
            return new OpenedStore(storage, messaging, "sqlite:" + abs);
        }
    }

    /**
     * Refuses, before the storage would create its tables, an existing file that is not a ProfileStore database:
     * inspection commands must not add tables to another program's database. Reads through a read-only connection.
     */
    private static void requireProfileStoreTables(Path file, Duration lockTimeout) {
        org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, lockTimeout.toMillis()));
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '"
                     + dev.profilestore.jdbc.TableNames.DEFAULT_PREFIX + "records'")) {
            if (!rs.next() || rs.getInt(1) == 0) {
                throw new CliException("SQLite database " + file + " holds no ProfileStore tables (another program's"
                        + " database, or an empty file); nothing was changed");
            }
        } catch (java.sql.SQLException e) {
            String why = switch (e.getErrorCode() & 0xff) {
                case 5, 6 -> "it is locked by another program (waited " + lockTimeout.toMillis() + " ms)";
                case 26 -> "it is not a SQLite database";
                case 11 -> "the database file is corrupt";
                default -> firstLine(e.getMessage());
            };
            throw new CliException("cannot open SQLite database " + file + ": " + why + "; nothing was changed", e);
        }
    }

    /** An in-memory store, empty at each start. */
    record Memory() implements StoreUri {
        @Override
        public OpenedStore open(OpenMode mode, Duration lockTimeout) {
            return new OpenedStore(new InMemoryStorage(), new InMemoryMessaging(), "memory: (in this process only)");
        }
    }

    /**
     * A database server: PostgreSQL, Redis, or MariaDB/MySQL, each with the messaging that suits it.
     *
     * @param scheme the scheme, lower case
     * @param uri the URI as given
     * @param redacted the URI without its password, for messages and reports
     */
    record Server(String scheme, String uri, String redacted) implements StoreUri {
        @Override
        public OpenedStore open(OpenMode mode, Duration lockTimeout) {
            String full = withPasswordFromEnvironment(uri, System.getenv(PASSWORD_VARIABLE));
            dev.profilestore.spi.Storage storage = null;
            try {
                switch (scheme) {
                    case "postgres", "postgresql" -> {
                        storage = dev.profilestore.postgres.PostgresStorage.open(full);
                        return new OpenedStore(storage, dev.profilestore.postgres.PostgresMessaging.open(full), redacted);
                    }
                    case "redis", "rediss" -> {
                        storage = dev.profilestore.redis.RedisStorage.connect(full);
                        return new OpenedStore(storage, dev.profilestore.redis.RedisMessaging.connect(full), redacted);
                    }
                    default -> {
                        storage = dev.profilestore.mysql.MysqlStorage.open(full);
                        return new OpenedStore(storage, dev.profilestore.mysql.MysqlMessaging.open(full), redacted);
                    }
                }
            } catch (StorageException | IllegalArgumentException e) {
                if (storage != null) {
                    storage.close();
                }
                throw new CliException("cannot open " + redacted + ": " + firstLine(e.getMessage()), e);
            }
        }

        /** Adds {@code password} to a URI that names a user but no password. */
        static String withPasswordFromEnvironment(String uri, String password) {
            if (password == null || password.isEmpty()) {
                return uri;
            }
            int start = uri.indexOf("//") + 2;
            int at = uri.indexOf('@', start);
            int slash = uri.indexOf('/', start);
            if (at < 0 || (slash >= 0 && slash < at) || uri.substring(start, at).contains(":")) {
                return uri;
            }
            return uri.substring(0, at) + ":" + java.net.URLEncoder.encode(password, java.nio.charset.StandardCharsets.UTF_8)
                    + uri.substring(at);
        }
    }

    /** The first line of a message, so errors stay one line. */
    static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
