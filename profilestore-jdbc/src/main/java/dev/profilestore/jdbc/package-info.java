/**
 * One {@link dev.profilestore.spi.Storage} over JDBC ({@link dev.profilestore.jdbc.JdbcStorage}) and one
 * table-polling {@link dev.profilestore.spi.Messaging} ({@link dev.profilestore.jdbc.PollingMessaging}), shared by
 * the SQLite, PostgreSQL and MySQL/MariaDB modules. What differs between databases is a typed
 * {@link dev.profilestore.jdbc.SqlDialect}.
 */
package dev.profilestore.jdbc;
