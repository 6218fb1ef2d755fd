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
    void knownButNotYetBuiltBackends_areRefusedAtOpen_withoutLeakingPasswords() {
        StoreUri uri = StoreUri.parse("postgres://admin:s3cret@db.internal:5432/game");
        assertThat(uri).isInstanceOf(StoreUri.NotBuiltIn.class);
        assertThatThrownBy(() -> uri.open(StoreUri.OpenMode.EXISTING, java.time.Duration.ZERO))
                .isInstanceOf(CliException.class).hasMessageContaining("not built into this CLI")
                .hasMessageNotContaining("s3cret");
    }
}
