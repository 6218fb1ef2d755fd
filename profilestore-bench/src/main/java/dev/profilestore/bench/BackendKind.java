package dev.profilestore.bench;

import java.util.Locale;

/** The backends the bench measures. */
public enum BackendKind {
    /** {@code InMemoryStorage} and {@code InMemoryMessaging}: the engine's own cost. */
    MEMORY("in-memory"),
    /** One SQLite file, each simulated server with its own connections (as separate processes would be). */
    SQLITE("SQLite"),
    /** PostgreSQL with LISTEN/NOTIFY messaging. */
    POSTGRES("PostgreSQL"),
    /** Redis with pub/sub messaging. */
    REDIS("Redis"),
    /** MariaDB with polled-table messaging. */
    MARIADB("MariaDB");

    private final String label;

    BackendKind(String label) {
        this.label = label;
    }

    /** The name used in reports. */
    public String label() {
        return label;
    }

    /** Parses a label or enum name, case-insensitively ("memory", "in-memory", "pg", "postgres", ...). */
    public static BackendKind parse(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "memory", "in-memory", "mem" -> MEMORY;
            case "sqlite" -> SQLITE;
            case "postgres", "postgresql", "pg" -> POSTGRES;
            case "redis" -> REDIS;
            case "mariadb", "mysql" -> MARIADB;
            default -> throw new IllegalArgumentException("unknown backend \"" + s
                    + "\"; expected memory, sqlite, postgres, redis or mariadb");
        };
    }
}
