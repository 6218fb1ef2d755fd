/** The embedded SQLite backend, and the default storage of a store built without one. */
module dev.profilestore.sqlite {
    requires transitive dev.profilestore.jdbc;
    requires org.xerial.sqlitejdbc;
    requires org.slf4j;

    exports dev.profilestore.sqlite;

    provides dev.profilestore.spi.StoreProvider with dev.profilestore.sqlite.SqliteStoreProvider;
    provides dev.profilestore.spi.DefaultStorageProvider with dev.profilestore.sqlite.SqliteDefaultStorageProvider;
}
