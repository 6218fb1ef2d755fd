package dev.profilestore;

import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoreProvider;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * A store opened from configuration: its storage and its messaging, closed together. Give both to the builder:
 *
 * {@snippet :
 * StoreConnection connection = StoreConnection.open("sqlite:profiles.db");
 * ProfileStore<PlayerData> store = ProfileStore.builder("PlayerStore", PlayerData.class, PlayerData::new)
 *         .storage(connection.storage())
 *         .messaging(connection.messaging())
 *         .build();
 * // on shutdown: the store first (its last saves need the storage), then the connection
 * store.close();
 * connection.close();
 * }
 *
 * <p>The backend is found with {@link ServiceLoader} among the {@link StoreProvider}s of the backend modules on the
 * class path; {@code memory:} is built in. The options, every one also a key of {@link #open(Map)}:
 *
 * <table class="striped">
 * <caption>Keys of the configuration map</caption>
 * <thead><tr><th>key</th><th>default</th><th>meaning</th></tr></thead>
 * <tbody>
 * <tr><td>{@value #URI}</td><td>(required)</td><td>the {@link StoreUri}</td></tr>
 * <tr><td>{@value #CREATE}</td><td>{@code true}</td><td>{@code false}: fail instead of creating a missing SQLite
 *     file, and refuse an existing file without ProfileStore tables (for inspection tools)</td></tr>
 * <tr><td>{@value #LOCK_TIMEOUT}</td><td>{@code 5}</td><td>seconds to wait for another program's lock on a SQLite
 *     file</td></tr>
 * <tr><td>{@value #PASSWORD_ENV}</td><td>{@value #DEFAULT_PASSWORD_VARIABLE}</td><td>the environment variable whose
 *     value is the password of a server URI that names a user but no password, so it need not be written in a
 *     file or a shell history</td></tr>
 * </tbody>
 * </table>
 *
 * @param storage the storage
 * @param messaging the messaging that goes with it (never null for the built-in backends)
 * @param description where the data lives, without passwords: for logs
 */
public record StoreConnection(Storage storage, Messaging messaging, String description) implements AutoCloseable {

    /** Key of the store URI. */
    public static final String URI = "uri";
    /** Key of whether a missing store may be created. */
    public static final String CREATE = "create";
    /** Key of the SQLite lock timeout in seconds. */
    public static final String LOCK_TIMEOUT = "lock-timeout";
    /** Key of the environment variable that holds a server password. */
    public static final String PASSWORD_ENV = "password-env";
    /** The environment variable a missing server password is read from unless {@value #PASSWORD_ENV} names another. */
    public static final String DEFAULT_PASSWORD_VARIABLE = "PROFILESTORE_PASSWORD";

    private static final Set<String> KEYS = Set.of(URI, CREATE, LOCK_TIMEOUT, PASSWORD_ENV);

    /** Which module serves each scheme, for the error when it is missing. */
    private static final Map<String, String> MODULES = Map.of(
            "sqlite", "dev.profilestore:profilestore-sqlite",
            "postgres", "dev.profilestore:profilestore-postgres",
            "redis", "dev.profilestore:profilestore-redis",
            "rediss", "dev.profilestore:profilestore-redis",
            "mysql", "dev.profilestore:profilestore-mysql",
            "mariadb", "dev.profilestore:profilestore-mysql");

    /**
     * Validates the fields.
     *
     * @param storage the storage
     * @param messaging the messaging, or null when the backend has none
     * @param description where the data lives, without passwords
     */
    public StoreConnection {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(description, "description");
    }

    /**
     * What a {@link StoreProvider} is asked to open besides the URI.
     *
     * @param create whether a missing store may be created
     * @param lockTimeout how long to wait for another program's lock on a SQLite file
     */
    public record Options(boolean create, Duration lockTimeout) {
        /**
         * Validates the fields.
         *
         * @param create whether a missing store may be created
         * @param lockTimeout how long to wait for another program's lock, not negative
         */
        public Options {
            Objects.requireNonNull(lockTimeout, "lockTimeout");
            if (lockTimeout.isNegative()) {
                throw new IllegalArgumentException("lockTimeout is negative: " + lockTimeout);
            }
        }
    }

    /**
     * Opens the store a URI names, with the default options.
     *
     * @param uri e.g. {@code sqlite:profiles.db}, {@code postgres://app@db/game}, {@code redis://cache:6379}
     * @return the opened store; close it after the {@link ProfileStore} that uses it
     * @throws StoreConfigException for a malformed URI
     * @throws BackendNotFoundException when the module of the URI's backend is not on the class path
     * @throws StorageException when the store cannot be opened (unreachable, not a database, locked...)
     */
    public static StoreConnection open(String uri) {
        Objects.requireNonNull(uri, "uri");
        return open(Map.of(URI, uri));
    }

    /**
     * Opens a store from a flat map of options, such as a plugin's configuration section. The keys are in the
     * class documentation; an unknown key is refused, so a misspelt option is not silently ignored.
     *
     * @param config the options; {@value #URI} is required
     * @return the opened store; close it after the {@link ProfileStore} that uses it
     * @throws StoreConfigException for a missing URI, a malformed URI, or an unknown or invalid option
     * @throws BackendNotFoundException when the module of the URI's backend is not on the class path
     * @throws StorageException when the store cannot be opened (unreachable, not a database, locked...)
     */
    public static StoreConnection open(Map<String, String> config) {
        Objects.requireNonNull(config, "config");
        for (String key : config.keySet()) {
            if (!KEYS.contains(key)) {
                throw new StoreConfigException("unknown store option '" + key + "'; known: " + String.join(", ",
                        new java.util.TreeSet<>(KEYS)));
            }
        }
        String text = config.get(URI);
        if (text == null) {
            throw new StoreConfigException("store option '" + URI + "' is missing; e.g. " + URI + ": sqlite:profiles.db");
        }
        StoreUri uri = StoreUri.parse(text);
        Options options = new Options(bool(config, CREATE, true), seconds(config, LOCK_TIMEOUT, 5));
        return switch (uri) {
            case StoreUri.Memory m -> new StoreConnection(new InMemoryStorage(), new InMemoryMessaging(),
                    "memory: (in this process only)");
            case StoreUri.Sqlite s -> provider("sqlite").open(s, options);
            case StoreUri.Server s -> {
                StoreProvider provider = provider(s.scheme());
                String variable = config.getOrDefault(PASSWORD_ENV, DEFAULT_PASSWORD_VARIABLE);
                try {
                    yield provider.open(s.withPassword(System.getenv(variable)), options);
                } catch (StorageException | IllegalArgumentException e) {
                    throw new StorageException("cannot open " + s.redacted() + ": " + firstLine(e.getMessage()), e);
                }
            }
        };
    }

    private static StoreProvider provider(String scheme) {
        return ServiceLoader.load(StoreProvider.class, StoreConnection.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.schemes().contains(scheme))
                .findFirst()
                .orElseThrow(() -> new BackendNotFoundException(scheme, MODULES.get(scheme)));
    }

    private static boolean bool(Map<String, String> config, String key, boolean defaultValue) {
        String value = config.get(key);
        if (value == null) {
            return defaultValue;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new StoreConfigException("store option '" + key + "' must be true or false, was '" + value + "'");
        };
    }

    private static Duration seconds(Map<String, String> config, String key, double defaultValue) {
        String value = config.get(key);
        double seconds;
        try {
            seconds = value == null ? defaultValue : Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            seconds = Double.NaN;
        }
        if (!(seconds >= 0) || seconds > 86_400) {
            throw new StoreConfigException("store option '" + key + "' must be a number of seconds from 0 to 86400, was '"
                    + value + "'");
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    /** The first line of a message, so errors stay one line. */
    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Closes the messaging, then the storage. */
    @Override
    public void close() {
        try {
            if (messaging != null && messaging != storage) {
                messaging.close();
            }
        } finally {
            storage.close();
        }
    }
}
