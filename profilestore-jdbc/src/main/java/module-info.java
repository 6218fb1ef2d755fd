/**
 * What the SQL backends share: one storage over a {@link dev.profilestore.jdbc.SqlDialect}, polling messaging,
 * the schema, database URIs and connection pools.
 */
@SuppressWarnings("requires-automatic")
module dev.profilestore.jdbc {
    requires transitive dev.profilestore.core;
    // Exported signatures take DataSources and Connections.
    requires transitive java.sql;
    requires org.slf4j;
    // Only the server backends (PostgreSQL, MariaDB/MySQL) pool connections; SQLite does not ship HikariCP.
    requires static com.zaxxer.hikari;

    exports dev.profilestore.jdbc;
}
