package dev.profilestore.cli;

import dev.profilestore.ProfileStoreException;
import dev.profilestore.StoreConnection;
import dev.profilestore.StoreUri;

import java.time.Duration;
import java.util.Map;

/** Opens the store of a {@code --store} option through {@link StoreConnection}, turning its errors into one-line {@link CliException}s. */
public final class CliStore {

    /** The default store of the operator commands. */
    public static final String DEFAULT = "sqlite:profiles.db";

    private CliStore() {}

    /** Whether opening may create the store. */
    public enum OpenMode {
        /** The store must exist already (inspection and repair commands must not create files). */
        EXISTING,
        /** Create it if missing (demo, import). */
        CREATE
    }

    /**
     * Parses a store URI.
     *
     * @param text the URI
     * @return the parsed URI
     * @throws CliException naming what is malformed
     */
    public static StoreUri parse(String text) {
        try {
            return StoreUri.parse(text);
        } catch (ProfileStoreException e) {
            throw new CliException(e.getMessage(), e);
        }
    }

    /**
     * Opens a store.
     *
     * @param uri the URI
     * @param mode whether a missing store may be created
     * @param lockTimeout how long to wait for another program's lock before failing
     * @return the opened store
     * @throws CliException naming the problem (missing file, not a database, locked, missing module...)
     */
    public static StoreConnection open(String uri, OpenMode mode, Duration lockTimeout) {
        try {
            return StoreConnection.open(Map.of(
                    StoreConnection.URI, uri,
                    StoreConnection.CREATE, Boolean.toString(mode == OpenMode.CREATE),
                    StoreConnection.LOCK_TIMEOUT, Double.toString(lockTimeout.toMillis() / 1000.0)));
        } catch (ProfileStoreException e) {
            throw new CliException(firstLine(e.getMessage()), e);
        }
    }

    /**
     * Opens a parsed store URI.
     *
     * @param uri the URI
     * @param mode whether a missing store may be created
     * @param lockTimeout how long to wait for another program's lock before failing
     * @return the opened store
     * @throws CliException naming the problem
     */
    public static StoreConnection open(StoreUri uri, OpenMode mode, Duration lockTimeout) {
        String text = switch (uri) {
            case StoreUri.Sqlite s -> "sqlite:" + s.file();
            case StoreUri.Memory m -> "memory:";
            case StoreUri.Server s -> s.uri();
        };
        return open(text, mode, lockTimeout);
    }

    /**
     * The first line of a message, so errors stay one line.
     *
     * @param message a message, or null
     * @return its first line
     */
    public static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
