/** The PostgreSQL backend: storage over pgjdbc and HikariCP, messaging over LISTEN/NOTIFY. */
@SuppressWarnings("requires-automatic")
module dev.profilestore.postgres {
    requires transitive dev.profilestore.jdbc;
    requires org.postgresql.jdbc;
    // Exported signatures take a HikariConfig (the pool settings a caller may tune).
    requires transitive com.zaxxer.hikari;
    requires org.slf4j;

    exports dev.profilestore.postgres;

    provides dev.profilestore.spi.StoreProvider with dev.profilestore.postgres.PostgresStoreProvider;
}
