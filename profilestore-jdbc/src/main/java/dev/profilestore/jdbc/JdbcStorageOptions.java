package dev.profilestore.jdbc;

import java.util.Objects;

/**
 * Settings of a {@link JdbcStorage}.
 *
 * @param tables the table names (their prefix)
 * @param versionsPerKey saved versions kept per key, oldest dropped first; at least 1
 */
public record JdbcStorageOptions(TableNames tables, int versionsPerKey) {

    /** Versions kept per key when not configured. */
    public static final int DEFAULT_VERSIONS_PER_KEY = 50;

    /** Validates the fields. */
    public JdbcStorageOptions {
        Objects.requireNonNull(tables, "tables");
        if (versionsPerKey < 1) {
            throw new IllegalArgumentException("versionsPerKey must be at least 1, was " + versionsPerKey);
        }
    }

    /** Prefix {@value TableNames#DEFAULT_PREFIX}, {@value #DEFAULT_VERSIONS_PER_KEY} versions per key. */
    public static JdbcStorageOptions defaults() {
        return new JdbcStorageOptions(new TableNames(TableNames.DEFAULT_PREFIX), DEFAULT_VERSIONS_PER_KEY);
    }

    /** These options with another table prefix. */
    public JdbcStorageOptions withTablePrefix(String prefix) {
        return new JdbcStorageOptions(new TableNames(prefix), versionsPerKey);
    }

    /** These options with another retention. */
    public JdbcStorageOptions withVersionsPerKey(int count) {
        return new JdbcStorageOptions(tables, count);
    }
}
