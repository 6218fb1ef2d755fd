/**
 * ProfileStore's core: the public API ({@code dev.profilestore}), the storage and messaging SPIs a backend
 * implements, the in-memory store, migration and operator reading.
 *
 * <p>The session engine ({@code dev.profilestore.engine}) is not exported: the builder is its only way in, so
 * nothing outside this module can build an engine with unchecked settings or read a record's layout behind the
 * API's back.
 *
 * <p>Profile data is (de)serialized by Jackson, so an application whose data classes live in a named module opens
 * their package to {@code com.fasterxml.jackson.databind}.
 */
module dev.profilestore.core {
    // Exported signatures use Jackson's ObjectMapper and JsonNode (codecs, migration, admin).
    requires transitive com.fasterxml.jackson.databind;
    // ProfileImport reads rows of a JDBC query (JdbcRows, SqlRow take a ResultSet or Connection).
    requires transitive java.sql;
    requires org.slf4j;
    // Loaded only when a MeterRegistry is handed to the builder; an application that does so requires it itself.
    requires static micrometer.core;

    exports dev.profilestore;
    exports dev.profilestore.admin;
    exports dev.profilestore.memory;
    exports dev.profilestore.migration;
    exports dev.profilestore.spi;
    exports dev.profilestore.time;

    uses dev.profilestore.spi.StoreProvider;
    uses dev.profilestore.spi.DefaultStorageProvider;
}
