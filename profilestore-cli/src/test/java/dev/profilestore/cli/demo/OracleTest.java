package dev.profilestore.cli.demo;

import dev.profilestore.SessionEndReason;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's oracle judges overlapping sessions by what the servers report, in whatever order it arrives. */
class OracleTest {

    private final Oracle oracle = new Oracle();

    @Test
    void aHoldersEndReportedAfterTheNextStart_isNoOverlap() {
        oracle.sessionStarted("k", "server-1", 2, new DemoPlayer(), 0);
        oracle.sessionStarted("k", "server-2", 4, new DemoPlayer(), 10);   // server-1's end is still on its way
        oracle.sessionEnded("k", 2, SessionEndReason.EXTERNAL, false, 11);

        assertThat(oracle.problems()).isEmpty();
    }

    @Test
    void aLiveHolderThatNeverReportsItsEnd_whileAnotherStarts_isTwoSessionsAtOnce() {
        oracle.sessionStarted("k", "server-1", 2, new DemoPlayer(), 0);
        oracle.sessionStarted("k", "server-2", 4, new DemoPlayer(), 10);

        assertThat(oracle.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Oracle.Kind.INVARIANT);
            assertThat(p.detail()).contains("two sessions active at once");
        });
    }

    @Test
    void aCrashedHoldersSession_isTakenOverWithoutAProblem() {
        oracle.sessionStarted("k", "server-1", 2, new DemoPlayer(), 0);
        oracle.sessionStarted("k", "server-2", 4, new DemoPlayer(), 10);
        oracle.serverCrashed("server-1", 11);                                // the crash is reported late too

        assertThat(oracle.problems()).isEmpty();
    }
}
