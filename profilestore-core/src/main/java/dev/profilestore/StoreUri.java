package dev.profilestore;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a store lives, as written in a configuration file or on a command line. Parse one with {@link #parse};
 * open it with {@link StoreConnection#open(String)}.
 *
 * <ul>
 * <li>{@code sqlite:PATH} (or {@code sqlite://PATH}): one SQLite file; a relative path is resolved against the
 *     working directory;</li>
 * <li>{@code memory:}: an empty in-memory store that lives as long as the process;</li>
 * <li>{@code postgres://} ({@code postgresql://}), {@code redis://}, {@code rediss://}, {@code redis-sentinel://},
 *     {@code mysql://}, {@code mariadb://}: a database server, with its own messaging (LISTEN/NOTIFY, pub/sub, a polled table).</li>
 * </ul>
 */
public sealed interface StoreUri {

    /** The URI as given, with any password replaced by {@code ***}: for logs and error messages. */
    String redacted();

    /**
     * Parses a store URI. Checks only its shape; whether the backend module is on the class path and the store
     * can be reached is found out by {@link StoreConnection#open(String)}.
     *
     * @param text the URI, e.g. {@code sqlite:profiles.db} or {@code redis://cache:6379}
     * @return the parsed URI
     * @throws StoreConfigException naming what is malformed
     */
    static StoreUri parse(String text) {
        if (text == null || text.isBlank()) {
            throw new StoreConfigException("store URI is empty; expected e.g. sqlite:profiles.db or memory:");
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new StoreConfigException("store URI '" + text + "' has no scheme; expected e.g. sqlite:" + text
                    + " or memory:");
        }
        String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = text.substring(colon + 1);
        return switch (scheme) {
            case "sqlite" -> Sqlite.parse(text, rest);
            case "memory", "mem" -> {
                if (!rest.isEmpty()) {
                    throw new StoreConfigException("store URI '" + text + "': memory: takes nothing after the colon");
                }
                yield new Memory();
            }
            case "postgres", "postgresql", "redis", "rediss", "redis-sentinel", "rediss-sentinel", "mysql", "mariadb" -> {
                if (!rest.startsWith("//") || rest.length() == 2) {
                    throw new StoreConfigException("store URI '" + redact(text) + "': expected " + scheme
                            + "://host[:port]/...");
                }
                yield new Server(scheme.equals("postgresql") ? "postgres" : scheme, text);
            }
            default -> throw new StoreConfigException("store URI '" + redact(text) + "' has unknown scheme '" + scheme
                    + "'; known: sqlite:PATH, memory:, postgres://, redis://, rediss://, redis-sentinel://, mysql://, mariadb://");
        };
    }

    /** Hides a password in {@code scheme://user:password@host}. */
    private static String redact(String text) {
        return text.replaceAll("(//[^/@:]*:)[^@/]*@", "$1***@");
    }

    /**
     * One SQLite file.
     *
     * @param file the database file, as given (relative paths are resolved when it is opened)
     */
    record Sqlite(Path file) implements StoreUri {

        static Sqlite parse(String text, String rest) {
            String path = rest.startsWith("//") ? rest.substring(2) : rest;
            if (path.isEmpty()) {
                throw new StoreConfigException("store URI '" + text
                        + "' has no file path; expected sqlite:PATH, e.g. sqlite:profiles.db");
            }
            try {
                return new Sqlite(Path.of(path));
            } catch (InvalidPathException e) {
                throw new StoreConfigException("store URI '" + text + "' holds an invalid path: " + e.getMessage());
            }
        }

        @Override
        public String redacted() {
            return "sqlite:" + file;
        }
    }

    /** An in-memory store, empty at each start: for tests and trials. */
    record Memory() implements StoreUri {
        @Override
        public String redacted() {
            return "memory:";
        }
    }

    /**
     * A database server: PostgreSQL, Redis, or MariaDB/MySQL.
     *
     * @param scheme the scheme in lower case ({@code postgresql} is read as {@code postgres})
     * @param uri the URI as given, password included
     */
    record Server(String scheme, String uri) implements StoreUri {
        @Override
        public String redacted() {
            return redact(uri);
        }

        @Override
        public String toString() {
            return "Server[" + redacted() + "]";
        }

        /**
         * This URI with {@code password} added when it names a user but no password.
         *
         * @param password the password, or null or empty for none
         * @return the URI to connect with
         */
        public Server withPassword(String password) {
            if (password == null || password.isEmpty()) {
                return this;
            }
            int start = uri.indexOf("//") + 2;
            int at = uri.indexOf('@', start);
            int slash = uri.indexOf('/', start);
            if (at < 0 || (slash >= 0 && slash < at) || uri.substring(start, at).contains(":")) {
                return this;
            }
            return new Server(scheme, uri.substring(0, at) + ":"
                    + java.net.URLEncoder.encode(password, java.nio.charset.StandardCharsets.UTF_8) + uri.substring(at));
        }
    }
}
