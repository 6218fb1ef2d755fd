package dev.profilestore.sqlite;

import dev.profilestore.spi.DefaultStorageProvider;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;

import java.nio.file.Path;

/**
 * Makes SQLite the default storage: {@code profiles.db} in the working directory, or the file named by the system
 * property {@value #PATH_PROPERTY}. Found by {@link java.util.ServiceLoader}.
 */
public final class SqliteDefaultStorageProvider implements DefaultStorageProvider {

    /** The system property that overrides the database path. */
    public static final String PATH_PROPERTY = "profilestore.sqlite.path";

    /** The file used when the property is not set. */
    public static final String DEFAULT_FILE = "profiles.db";

    /** Called by {@link java.util.ServiceLoader}. */
    public SqliteDefaultStorageProvider() {}

    private static Path path() {
        return Path.of(System.getProperty(PATH_PROPERTY, DEFAULT_FILE)).toAbsolutePath();
    }

    @Override
    public Storage open() {
        return SqliteStorage.open(path());
    }

    @Override
    public Messaging openMessaging() {
        return SqliteMessaging.open(path());
    }

    @Override
    public String describe() {
        return "SQLite database " + path();
    }
}
