package dev.profilestore.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreUriTest {

    @Test
    void sqliteUri_parsesRelativeAndAbsolutePaths() {
        assertThat(StoreUri.parse("sqlite:profiles.db")).isEqualTo(new StoreUri.Sqlite(Path.of("profiles.db")));
        assertThat(StoreUri.parse("sqlite:dir/x.db")).isEqualTo(new StoreUri.Sqlite(Path.of("dir/x.db")));
        assertThat(StoreUri.parse("SQLITE:///tmp-x/x.db")).isEqualTo(new StoreUri.Sqlite(Path.of("/tmp-x/x.db")));
    }

    @Test
    void memoryUri_parses_andRejectsAnythingAfterTheColon() {
        assertThat(StoreUri.parse("memory:")).isEqualTo(new StoreUri.Memory());
        assertThatThrownBy(() -> StoreUri.parse("memory:foo")).isInstanceOf(CliException.class)
                .hasMessageContaining("memory:");
    }

    @Test
    void malformedUris_failNamingTheProblem() {
        assertThatThrownBy(() -> StoreUri.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> StoreUri.parse("profiles.db")).hasMessageContaining("no scheme")
                .hasMessageContaining("sqlite:profiles.db");
        assertThatThrownBy(() -> StoreUri.parse("sqlite:")).hasMessageContaining("no file path");
        assertThatThrownBy(() -> StoreUri.parse("ftp://x")).hasMessageContaining("unknown scheme 'ftp'");
        assertThatThrownBy(() -> StoreUri.parse("redis:oops")).hasMessageContaining("redis://host");
    }

    @Test
    void anUnreachableServer_isAOneLineErrorWithoutThePassword() {
        StoreUri uri = StoreUri.parse("postgres://admin:s3cret@127.0.0.1:1/game");
        assertThat(uri).isInstanceOf(StoreUri.Server.class);
        assertThatThrownBy(() -> uri.open(StoreUri.OpenMode.EXISTING, java.time.Duration.ZERO))
                .isInstanceOf(CliException.class).hasMessageContaining("cannot open postgres://admin:***@127.0.0.1:1/game")
                .hasMessageNotContaining("s3cret")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aMissingPassword_comesFromTheEnvironment_onlyWhenAUserIsNamed() {
        assertThat(StoreUri.Server.withPasswordFromEnvironment("postgres://app@db:5432/game", "p@ss word"))
                .isEqualTo("postgres://app:p%40ss+word@db:5432/game");
        assertThat(StoreUri.Server.withPasswordFromEnvironment("postgres://app:given@db/game", "env"))
                .isEqualTo("postgres://app:given@db/game");
        assertThat(StoreUri.Server.withPasswordFromEnvironment("redis://cache:6379", "env")).isEqualTo("redis://cache:6379");
        assertThat(StoreUri.Server.withPasswordFromEnvironment("mysql://app@db/game", null)).isEqualTo("mysql://app@db/game");
    }
}
