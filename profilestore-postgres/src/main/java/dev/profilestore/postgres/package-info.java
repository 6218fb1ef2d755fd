/**
 * PostgreSQL backend: {@link dev.profilestore.postgres.PostgresStorage} (the shared JDBC storage with a
 * PostgreSQL dialect) and {@link dev.profilestore.postgres.PostgresMessaging} ({@code LISTEN}/{@code NOTIFY}).
 */
package dev.profilestore.postgres;
