package dev.profilestore.cli.demo;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit of {@code demo --processes} has teeth: fed protocol lines as the server processes print them, it passes
 * an honest history (a killed server's unacknowledged change may vanish) and reports an invented acknowledgement, an
 * acknowledged save the store lost, a receipt granted twice, and documents no server made.
 */
class ReportedHistoryTest {

    private static final String ALICE = "player-0001";
    private static final String BOB = "player-0002";

    private final ReportedHistory history = new ReportedHistory();
    private final Map<String, Long> requested = new TreeMap<>();
    private long nextId = 1;

    /** One session of one server on one profile: reports what {@link GameServer} reports, through the line codec. */
    private final class Session {
        final String server;
        final String key;
        final long epoch;
        final List<Op> ops;

        Session(String server, String key, long epoch, List<Op> loaded) {
            this.server = server;
            this.key = key;
            this.epoch = epoch;
            this.ops = new ArrayList<>(loaded);
            DemoPlayer d = doc();
            report(server, new ServerEvent.Started(key, 1, epoch, d.ops, d.chain, d.coins, 1000));
        }

        DemoPlayer doc() {
            return Ledger.replay(ops);
        }

        Session apply(Op op) {
            long before = doc().chain;
            ops.add(op);
            DemoPlayer after = doc();
            report(server, new ServerEvent.Applied(key, epoch, before, op, after.ops, after.chain));
            return this;
        }

        Session earn(long coins) {
            return apply(new Op.Earn(nextId++, coins));
        }

        Session grant(String receipt, long price) {
            return apply(new Op.Grant(nextId++, receipt, new DemoPlayer.Item(receipt, "sword", price)));
        }

        Session save(boolean release) {
            DemoPlayer d = doc();
            report(server, new ServerEvent.Saved(key, epoch, d.ops, d.chain, release));
            return this;
        }
    }

    private void report(String server, ServerEvent event) {
        // Through the protocol, as the parent reads it from a server's standard output.
        history.record(server, ServerEvent.parse(event.toLine()).orElseThrow());
    }

    private Oracle.Audit audit(Map<String, List<Op>> stored) {
        Map<String, DemoPlayer> finals = new TreeMap<>();
        Map<String, Integer> pending = new TreeMap<>();
        stored.forEach((key, ops) -> {
            finals.put(key, Ledger.replay(ops));
            pending.put(key, 0);
        });
        return history.audit(finals, pending, requested);
    }

    /** Alice and Bob play on server-1, trade, and Alice hops to server-2; server-2 is then killed. */
    private Map<String, List<Op>> honestRun() {
        requested.put("r-1", 120L);
        Session alice = new Session("server-1", ALICE, 1, List.of()).earn(30).grant("r-1", 120);
        Session bob = new Session("server-1", BOB, 1, List.of()).earn(5);
        long trade = nextId++;
        alice.apply(new Op.TradeSide(nextId++, trade, -10, List.of(), List.of()));
        bob.apply(new Op.TradeSide(nextId++, trade, 10, List.of(), List.of()));
        alice.save(false);
        bob.save(true);
        alice.save(true); // the hop: the last save releases the lock
        Session next = new Session("server-2", ALICE, 2, alice.ops).earn(7).save(false);
        next.earn(100); // never acknowledged: server-2 is killed now, and this change may vanish
        new Session("auditor", ALICE, 3, next.ops.subList(0, next.ops.size() - 1)).save(true);
        new Session("auditor", BOB, 2, bob.ops).save(true);
        return Map.of(ALICE, next.ops.subList(0, next.ops.size() - 1), BOB, bob.ops);
    }

    @Test
    void anHonestHistory_withAKilledServersUnsavedChange_isClean() {
        Oracle.Audit audit = audit(honestRun());
        assertThat(audit.problems()).isEmpty();
        assertThat(audit.clean()).isTrue();
        assertThat(audit.economyTotal()).isEqualTo(audit.grantedTotal()).isEqualTo(30 + 120 + 5 + 7);
        assertThat(audit.receiptsGranted()).isEqualTo(1);
        assertThat(history.coinsEarned()).as("earned in memory, saved or not").isEqualTo(30 + 5 + 7 + 100);
    }

    @Test
    void anInventedAcknowledgement_isALostAcknowledgedSave() {
        Map<String, List<Op>> stored = honestRun();
        report("server-2", new ServerEvent.Saved(ALICE, 2, 9, 123456789L, false));
        Oracle.Audit audit = audit(stored);
        assertThat(audit.clean()).isFalse();
        assertThat(audit.lostAcknowledgedSaves()).isEqualTo(1);
        assertThat(audit.problems()).singleElement().asString()
                .startsWith("LOST_ACKNOWLEDGED_SAVE").contains(ALICE, "server-2", "9 changes");
    }

    @Test
    void anAcknowledgedSaveThatTheStoreNoLongerHolds_isALostAcknowledgedSave() {
        Map<String, List<Op>> stored = new TreeMap<>(honestRun());
        Session alice = new Session("server-3", ALICE, 4, stored.get(ALICE)).earn(1).save(false).earn(2).save(false);
        stored.put(ALICE, alice.ops.subList(0, alice.ops.size() - 1)); // the store went back to the first save
        Oracle.Audit audit = audit(stored);
        assertThat(audit.clean()).isFalse();
        assertThat(audit.lostAcknowledgedSaves()).isEqualTo(1);
        assertThat(audit.problems()).anyMatch(p -> p.startsWith("LOST_ACKNOWLEDGED_SAVE") && p.contains("epoch 4"));
    }

    @Test
    void aReceiptGrantedTwice_isADuplicatedGrant_andInflatesTheEconomy() {
        Map<String, List<Op>> stored = new TreeMap<>(honestRun());
        // A purchase handler without the receipt check, on a server that got the resent message.
        Session bob = new Session("server-3", BOB, 3, stored.get(BOB)).grant("r-1", 120).save(true);
        stored.put(BOB, bob.ops);
        Oracle.Audit audit = audit(stored);
        assertThat(audit.clean()).isFalse();
        assertThat(audit.duplicatedGrants()).isEqualTo(1);
        assertThat(audit.problems()).anyMatch(p -> p.startsWith("DUPLICATE_GRANT") && p.contains("granted 2 times"));
        assertThat(audit.economyTotal()).isEqualTo(audit.grantedTotal() + 120);
    }

    @Test
    void aStoredDocumentThatNoServerMade_isAnInvariantViolation() {
        Map<String, List<Op>> stored = new TreeMap<>(honestRun());
        List<Op> forged = new ArrayList<>(stored.get(BOB));
        forged.add(new Op.Earn(999_999, 1_000)); // written behind every server's back
        stored.put(BOB, forged);
        Oracle.Audit audit = audit(stored);
        assertThat(audit.clean()).isFalse();
        assertThat(audit.invariantViolations()).isPositive();
        assertThat(audit.problems()).anyMatch(p -> p.contains(BOB) && p.contains("unknown history"));
    }

    @Test
    void twoSessionsWithOneEpoch_areAnInvariantViolation() {
        Map<String, List<Op>> stored = honestRun();
        new Session("server-9", BOB, 1, List.of());
        Oracle.Audit audit = audit(stored);
        assertThat(audit.clean()).isFalse();
        assertThat(audit.problems()).anyMatch(p -> p.startsWith("INVARIANT") && p.contains("two sessions had epoch 1"));
    }
}
