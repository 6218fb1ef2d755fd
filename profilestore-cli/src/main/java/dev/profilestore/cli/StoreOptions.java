package dev.profilestore.cli;

import dev.profilestore.StoreConnection;
import dev.profilestore.Names;
import picocli.CommandLine.Option;

import java.time.Duration;

/** The options every operator command shares: which store, which store name, and the output format. */
public final class StoreOptions {

    /** The store URI. */
    @Option(names = "--store", paramLabel = "URI", defaultValue = CliStore.DEFAULT,
            description = "Where the profiles live: sqlite:PATH, memory:, postgres://, redis://, rediss://, mysql:// or mariadb:// (default: ${DEFAULT-VALUE}).")
    public String store;

    /** The store name inside it. */
    @Option(names = "--store-name", paramLabel = "NAME", defaultValue = "PlayerStore",
            description = "The ProfileStore name (default: ${DEFAULT-VALUE}).")
    public String storeName;

    /** JSON output. */
    @Option(names = "--json", description = "Print one JSON document (snake_case fields) instead of a table.")
    public boolean json;

    /** How long to wait for another program's database lock. */
    @Option(names = "--lock-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "How long to wait for another program's lock on the database (default: ${DEFAULT-VALUE} s).")
    public double lockTimeoutSeconds;

    /** Parses and opens the store. */
    public StoreConnection open(CliStore.OpenMode mode) {
        checkStoreName();
        return CliStore.open(store, mode, lockTimeout());
    }

    /** The lock timeout as a duration. */
    public Duration lockTimeout() {
        if (!(lockTimeoutSeconds >= 0) || lockTimeoutSeconds > 86_400) {
            throw new CliException("--lock-timeout must be between 0 and 86400 seconds, was " + lockTimeoutSeconds);
        }
        return Duration.ofMillis(Math.round(lockTimeoutSeconds * 1000));
    }

    /** Refuses an invalid store name before anything is opened. */
    public void checkStoreName() {
        try {
            Names.storeName(storeName);
        } catch (IllegalArgumentException e) {
            throw new CliException("--store-name: " + e.getMessage());
        }
    }
}
