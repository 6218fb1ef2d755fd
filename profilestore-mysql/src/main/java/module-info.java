/** The MariaDB/MySQL backend: storage over the MariaDB driver and HikariCP, messaging by polling a table. */
module dev.profilestore.mysql {
    requires transitive dev.profilestore.jdbc;
    requires org.mariadb.jdbc;
    // Exported signatures take a HikariConfig (the pool settings a caller may tune).
    requires transitive com.zaxxer.hikari;
    requires org.slf4j;

    exports dev.profilestore.mysql;

    provides dev.profilestore.spi.StoreProvider with dev.profilestore.mysql.MysqlStoreProvider;
}
