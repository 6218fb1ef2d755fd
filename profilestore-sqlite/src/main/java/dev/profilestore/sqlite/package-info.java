/**
 * The embedded default backend: {@link dev.profilestore.sqlite.SqliteStorage} and
 * {@link dev.profilestore.sqlite.SqliteMessaging} in one SQLite file that several processes on one machine share.
 */
package dev.profilestore.sqlite;
