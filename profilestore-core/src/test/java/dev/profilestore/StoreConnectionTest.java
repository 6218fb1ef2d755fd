package dev.profilestore;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing and option errors of {@link StoreConnection}; core has no backend module on its test class path. */
class StoreConnectionTest {

    @Test
    void sqliteUris_holdAPath() {
        assertThat(StoreUri.parse("sqlite:profiles.db")).isEqualTo(new StoreUri.Sqlite(Path.of("profiles.db")));
        assertThat(StoreUri.parse("sqlite:dir/x.db")).isEqualTo(new StoreUri.Sqlite(Path.of("dir/x.db")));
        assertThat(StoreUri.parse("SQLITE:///tmp-x/x.db")).isEqualTo(new StoreUri.Sqlite(Path.of("/tmp-x/x.db")));
    }

    @Test
    void serverUris_keepTheUri_andNormalisePostgresql() {
        assertThat(StoreUri.parse("postgresql://db/game")).isEqualTo(new StoreUri.Server("postgres", "postgresql://db/game"));
        assertThat(StoreUri.parse("rediss://cache:6380")).isEqualTo(new StoreUri.Server("rediss", "rediss://cache:6380"));
        assertThat(StoreUri.parse("redis-sentinel://s1:26379,s2:26379#profiles"))
                .isEqualTo(new StoreUri.Server("redis-sentinel", "redis-sentinel://s1:26379,s2:26379#profiles"));
        assertThat(StoreUri.parse("mariadb://app@db/game")).isEqualTo(new StoreUri.Server("mariadb", "mariadb://app@db/game"));
    }

    @Test
    void badUris_areRefusedNamingTheFault() {
        assertThatThrownBy(() -> StoreUri.parse("")).isInstanceOf(StoreConfigException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> StoreUri.parse("profiles.db")).hasMessageContaining("no scheme")
                .hasMessageContaining("sqlite:profiles.db");
        assertThatThrownBy(() -> StoreUri.parse("sqlite:")).hasMessageContaining("no file path");
        assertThatThrownBy(() -> StoreUri.parse("ftp://x")).hasMessageContaining("unknown scheme 'ftp'");
        assertThatThrownBy(() -> StoreUri.parse("redis:oops")).hasMessageContaining("redis://host");
        assertThatThrownBy(() -> StoreUri.parse("memory:foo")).hasMessageContaining("takes nothing");
        assertThatThrownBy(() -> StoreUri.parse("ftp://admin:s3cret@x")).hasMessageNotContaining("s3cret");
    }

    @Test
    void aPasswordNeverAppearsInTheRedactedForm() {
        StoreUri uri = StoreUri.parse("postgres://admin:s3cret@127.0.0.1:1/game");
        assertThat(uri.redacted()).isEqualTo("postgres://admin:***@127.0.0.1:1/game");
        assertThat(uri.toString()).doesNotContain("s3cret");
    }

    @Test
    void aMissingPassword_isAdded_onlyWhenAUserIsNamedWithoutOne() {
        assertThat(new StoreUri.Server("postgres", "postgres://app@db:5432/game").withPassword("p@ss word").uri())
                .isEqualTo("postgres://app:p%40ss+word@db:5432/game");
        assertThat(new StoreUri.Server("postgres", "postgres://app:given@db/game").withPassword("env").uri())
                .isEqualTo("postgres://app:given@db/game");
        assertThat(new StoreUri.Server("redis", "redis://cache:6379").withPassword("env").uri()).isEqualTo("redis://cache:6379");
        assertThat(new StoreUri.Server("mysql", "mysql://app@db/game").withPassword(null).uri()).isEqualTo("mysql://app@db/game");
    }

    @Test
    void aBackendModuleMissingFromTheClassPath_isNamed() {
        assertThatThrownBy(() -> StoreConnection.open("sqlite:x.db")).isInstanceOfSatisfying(BackendNotFoundException.class,
                e -> {
                    assertThat(e.module()).isEqualTo("dev.profilestore:profilestore-sqlite");
                    assertThat(e).hasMessage("no ProfileStore backend for 'sqlite:' URIs on the class path: add"
                            + " dev.profilestore:profilestore-sqlite");
                });
        assertThatThrownBy(() -> StoreConnection.open("rediss://cache:6380"))
                .hasMessageEndingWith("add dev.profilestore:profilestore-redis");
        assertThatThrownBy(() -> StoreConnection.open("postgresql://db/game"))
                .hasMessageEndingWith("add dev.profilestore:profilestore-postgres");
        assertThatThrownBy(() -> StoreConnection.open("mariadb://db/game"))
                .hasMessageEndingWith("add dev.profilestore:profilestore-mysql");
        assertThat(Path.of("x.db")).doesNotExist();
    }

    @Test
    void memory_isBuiltIn_andStoresProfiles() {
        try (StoreConnection connection = StoreConnection.open(Map.of("uri", "memory:"));
             ProfileStore<Map> store = ProfileStore.builder("S", Map.class, HashMap::new)
                     .storage(connection.storage()).messaging(connection.messaging()).build()) {
            Profile<Map> profile = store.startSession("k").orElseThrow();
            assertThat(profile.isActive()).isTrue();
            assertThat(connection.description()).startsWith("memory:");
        }
    }

    @Test
    void options_areChecked_byKeyAndValue() {
        assertThatThrownBy(() -> StoreConnection.open(Map.of("url", "memory:")))
                .isInstanceOf(StoreConfigException.class)
                .hasMessage("unknown store option 'url'; known: create, lock-timeout, password-env, uri");
        assertThatThrownBy(() -> StoreConnection.open(Map.of("create", "true")))
                .hasMessageContaining("'uri' is missing");
        assertThatThrownBy(() -> StoreConnection.open(Map.of("uri", "memory:", "create", "yes")))
                .hasMessageContaining("'create' must be true or false, was 'yes'");
        assertThatThrownBy(() -> StoreConnection.open(Map.of("uri", "memory:", "lock-timeout", "-1")))
                .hasMessageContaining("'lock-timeout' must be a number of seconds");
        assertThatThrownBy(() -> StoreConnection.open(Map.of("uri", "memory:", "lock-timeout", "soon")))
                .hasMessageContaining("'lock-timeout' must be a number of seconds");
    }
}
