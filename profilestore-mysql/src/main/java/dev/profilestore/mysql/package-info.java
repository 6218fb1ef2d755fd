/**
 * MySQL and MariaDB backend: {@link dev.profilestore.mysql.MysqlStorage} (the shared JDBC storage with a MySQL
 * dialect) and {@link dev.profilestore.mysql.MysqlMessaging} (a polled messages table).
 */
package dev.profilestore.mysql;
