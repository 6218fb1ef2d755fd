package dev.profilestore.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profilestore.StorageException;
import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.WriteResult;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** MySQL/MariaDB-specific behaviour: URIs, the server clock whatever the session time zone, schema checks. */
final class MysqlBackendTest {

    private static RecordWrite text(String s) {
        return new RecordWrite(s.getBytes(StandardCharsets.UTF_8), Set.of(), RecordWrite.Versioning.NONE);
    }

    @Test
    void openByUri_writesAndReads() {
        try (Storage storage = MysqlStorage.open(EmbeddedMariaDb.uri())) {
            String key = "uri-" + System.nanoTime();
            assertThat(storage.write("s", key, Storage.ABSENT, text("x"))).isInstanceOf(WriteResult.Written.class);
            assertThat(storage.read("s", key)).isPresent();
        }
    }

    @Test
    void leases_agreeBetweenSessionsInDifferentTimeZones() {
        JdbcStorageOptions options = JdbcStorageOptions.defaults().withTablePrefix("tz_");
        String base = EmbeddedMariaDb.jdbcUrl();
        try (Storage tokyo = MysqlStorage.open(base + "?sessionVariables=time_zone='+09:00'", "root", null, options);
                Storage lima = MysqlStorage.open(base + "?sessionVariables=time_zone='-05:00'", "root", null, options)) {
            String server = "tz-" + System.nanoTime();
            tokyo.renewLease(server, Duration.ofMinutes(1));
            assertThat(lima.isLeaseLive(server)).isTrue();
            lima.renewLease(server, Duration.ZERO);
            assertThat(tokyo.isLeaseLive(server)).isFalse();
        }
    }

    @Test
    void recordTimes_areTheServersUtcClock() throws Exception {
        try (Storage storage = MysqlStorage.open(EmbeddedMariaDb.uri())) {
            String key = "clock-" + System.nanoTime();
            WriteResult.Written w = (WriteResult.Written) storage.write("s", key, Storage.ABSENT, text("x"));
            try (Connection c = DriverManager.getConnection(EmbeddedMariaDb.jdbcUrl(), "root", null);
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT UNIX_TIMESTAMP()")) {
                rs.next();
                assertThat(Math.abs(rs.getLong(1) - w.updatedAt().getEpochSecond())).isLessThanOrEqualTo(5);
            }
        }
    }

    @Test
    void open_schemaNewerThanTheLibrary_isRefusedUntouched() throws Exception {
        JdbcStorageOptions options = JdbcStorageOptions.defaults().withTablePrefix("future_");
        MysqlStorage.open(EmbeddedMariaDb.jdbcUrl(), "root", null, options).close();
        try (Connection c = DriverManager.getConnection(EmbeddedMariaDb.jdbcUrl(), "root", null);
                Statement s = c.createStatement()) {
            s.execute("UPDATE future_schema_version SET version = 42");
        }

        assertThatThrownBy(() -> MysqlStorage.open(EmbeddedMariaDb.jdbcUrl(), "root", null, options))
                .isInstanceOf(StorageException.class).hasMessageContaining("version 42");
    }

    @Test
    void open_unreachableServer_failsWithStorageExceptionNamingIt() {
        assertThatThrownBy(() -> MysqlStorage.open("mysql://nobody@127.0.0.1:1/none?connectTimeout=2000"))
                .isInstanceOf(StorageException.class).hasMessageContaining("127.0.0.1:1");
    }
}
