package dev.profilestore.cli.demo;

import dev.profilestore.SessionEndReason;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

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

    /** Applies {@code op} to {@code doc} as the demo's servers do, and reports it to the oracle. */
    private void apply(DemoPlayer doc, long epoch, Op op) {
        long before = doc.chain;
        op.applyTo(doc);
        doc.ops++;
        doc.chain = DemoPlayer.nextChain(before, op.id());
        oracle.applied("k", epoch, op, before, doc);
    }

    private static DemoPlayer copy(DemoPlayer d) {
        DemoPlayer c = new DemoPlayer();
        c.coins = d.coins;
        c.ops = d.ops;
        c.chain = d.chain;
        return c;
    }

    @Test
    void aCommitPutBack_dropsTheUndoneChanges_andTheStoreMayHoldTheEarlierPoint() {
        DemoPlayer doc = new DemoPlayer();
        oracle.sessionStarted("k", "server-1", 2, doc, 0);
        apply(doc, 2, new Op.Earn(1, 5));
        DemoPlayer beforeTrade = copy(doc);
        apply(doc, 2, new Op.TradeSide(2, 1, -3, List.of(), List.of()));   // the commit did not land: put back
        doc = beforeTrade;
        apply(doc, 2, new Op.Earn(3, 7));

        oracle.acknowledged("k", 2, doc);
        oracle.sessionEnded("k", 2, SessionEndReason.EXTERNAL, false, 5);
        oracle.sessionStarted("k", "server-2", 4, doc, 10);

        assertThat(oracle.problems()).isEmpty();
        Oracle.Audit audit = oracle.audit(Map.of("k", doc), Map.of(), Map.of());
        assertThat(audit.clean()).as(audit.problems().toString()).isTrue();
        assertThat(audit.economyTotal()).isEqualTo(12);
    }

    @Test
    void dataPutBackBehindAnAcknowledgedSave_isALostSave() {
        DemoPlayer doc = new DemoPlayer();
        oracle.sessionStarted("k", "server-1", 2, doc, 0);
        apply(doc, 2, new Op.Earn(1, 5));
        DemoPlayer earlier = copy(doc);
        apply(doc, 2, new Op.Earn(2, 6));
        oracle.acknowledged("k", 2, doc);
        apply(earlier, 2, new Op.Earn(3, 7));                              // a change on the older document

        assertThat(oracle.problems()).singleElement()
                .satisfies(p -> assertThat(p.kind()).isEqualTo(Oracle.Kind.LOST_ACKNOWLEDGED_SAVE));
    }

    @Test
    void aChangeThatFollowsNoPointOfTheHistory_isAnInvariantViolation() {
        DemoPlayer doc = new DemoPlayer();
        oracle.sessionStarted("k", "server-1", 2, doc, 0);
        apply(doc, 2, new Op.Earn(1, 5));
        DemoPlayer stranger = new DemoPlayer();
        stranger.ops = 1;
        stranger.chain = 12345;
        apply(stranger, 2, new Op.Earn(2, 6));

        assertThat(oracle.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Oracle.Kind.INVARIANT);
            assertThat(p.detail()).contains("does not follow the history");
        });
    }
}
