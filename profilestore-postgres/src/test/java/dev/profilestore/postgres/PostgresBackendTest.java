package dev.profilestore.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.profilestore.StorageException;
import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.WriteResult;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** PostgreSQL-specific behaviour: listener recovery, namespaces, URIs, schema checks, payload type. */
final class PostgresBackendTest {

    private static RecordWrite text(String s) {
        return new RecordWrite(s.getBytes(StandardCharsets.UTF_8), Set.of(), RecordWrite.Versioning.NONE);
    }

    private static int terminateListeners() throws Exception {
        try (Connection c = DriverManager.getConnection(EmbeddedPg.jdbcUrl()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE application_name = '" + PostgresMessaging.LISTENER_APPLICATION_NAME + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void listener_killedByTheServer_reconnectsAndDeliversAgain() throws Exception {
        try (Messaging sender = PostgresMessaging.open(EmbeddedPg.uri());
                Messaging receiver = PostgresMessaging.open(EmbeddedPg.uri())) {
            List<String> received = new CopyOnWriteArrayList<>();
            receiver.subscribe("recovery", p -> received.add(new String(p, StandardCharsets.UTF_8)));
            sender.publish("recovery", "before".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("before"));

            assertThat(terminateListeners()).as("listener connections terminated").isGreaterThanOrEqualTo(2);

            AtomicInteger attempt = new AtomicInteger();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                sender.publish("recovery", ("after " + attempt.incrementAndGet()).getBytes(StandardCharsets.UTF_8));
                return received.stream().anyMatch(m -> m.startsWith("after"));
            });
        }
    }

    @Test
    void messaging_differentNamespaces_doNotHearEachOther() {
        String url = EmbeddedPg.jdbcUrl();
        try (Messaging a = PostgresMessaging.open(url, "postgres", null, "deployment-a");
                Messaging b = PostgresMessaging.open(url, "postgres", null, "deployment-b")) {
            List<String> atB = new CopyOnWriteArrayList<>();
            b.subscribe("shared", p -> atB.add(new String(p, StandardCharsets.UTF_8)));
            a.publish("shared", "from a".getBytes(StandardCharsets.UTF_8));
            b.publish("shared", "from b".getBytes(StandardCharsets.UTF_8));

            await().atMost(Duration.ofSeconds(10)).until(() -> atB.contains("from b"));
            assertThat(atB).containsExactly("from b");
        }
    }

    @Test
    void publish_payloadOverTheNotifyLimit_isDroppedNotThrown() {
        try (Messaging m = PostgresMessaging.open(EmbeddedPg.uri())) {
            m.publish("big", new byte[PostgresMessaging.MAX_PAYLOAD + 1]);
        }
    }

    @Test
    void openByUri_writesAndReads() {
        try (Storage storage = PostgresStorage.open(EmbeddedPg.uri())) {
            String key = "uri-" + System.nanoTime();
            assertThat(storage.write("s", key, Storage.ABSENT, text("x"))).isInstanceOf(WriteResult.Written.class);
            assertThat(storage.read("s", key)).isPresent();
        }
    }

    @Test
    void storageOpenedByUri_offersMessagingOnTheSameServer_thatCarriesNotices() {
        try (Storage storage = PostgresStorage.open(EmbeddedPg.uri());
             Messaging one = storage.openMessaging(); Messaging two = storage.openMessaging()) {
            List<String> heard = new CopyOnWriteArrayList<>();
            two.subscribe("derived", p -> heard.add(new String(p, StandardCharsets.UTF_8)));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                one.publish("derived", "hello".getBytes(StandardCharsets.UTF_8));
                assertThat(heard).contains("hello");
            });
        }
    }

    @Test
    void payload_isStoredAsByteaExactlyAsWritten() throws Exception {
        try (Storage storage = PostgresStorage.open(EmbeddedPg.uri())) {
            storage.write("bytea", "k", Storage.ABSENT, text("{\"b\": 1,   \"a\": 2}"));
        }
        try (Connection c = DriverManager.getConnection(EmbeddedPg.jdbcUrl()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_typeof(payload)::text, convert_from(payload, 'UTF8')"
                        + " FROM profilestore_records WHERE store = 'bytea' AND record_key = 'k'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("bytea");
            assertThat(rs.getString(2)).isEqualTo("{\"b\": 1,   \"a\": 2}");
        }
    }

    @Test
    void open_unreachableServer_failsWithStorageExceptionNamingIt() {
        assertThatThrownBy(() -> PostgresStorage.open("postgres://nobody@127.0.0.1:1/none?connectTimeout=2"))
                .isInstanceOf(StorageException.class).hasMessageContaining("PostgreSQL")
                .hasMessageContaining("127.0.0.1:1");
    }

    @Test
    void open_twiceOnOneDatabase_migratesOnce() {
        JdbcStorageOptions options = JdbcStorageOptions.defaults().withTablePrefix("twice_");
        try (Storage a = PostgresStorage.open(EmbeddedPg.jdbcUrl(), "postgres", null, options);
                Storage b = PostgresStorage.open(EmbeddedPg.jdbcUrl(), "postgres", null, options)) {
            a.write("s", "k", Storage.ABSENT, text("a"));
            assertThat(b.read("s", "k")).isPresent();
        }
    }
}
