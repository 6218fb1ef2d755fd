package dev.profilestore.cli.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's final accounting, shared by both ways of knowing the truth: the {@link Oracle} of threads mode (which
 * follows every change in real time) and the {@link ReportedHistory} of processes mode (which rebuilds the histories
 * from what the server processes reported). Both end with the same question: given exactly which changes each stored
 * profile holds, were receipts granted once, trades stored whole, and does the economy add up?
 */
final class Ledger {

    private Ledger() {
    }

    /**
     * Settles the audit.
     *
     * @param stored the changes each stored profile holds, in order, by key (only keys present in {@code finals})
     * @param finals every profile's stored document, by key
     * @param pendingMessages messages still unprocessed in the store, by key
     * @param requested the receipts the shop's sends were acknowledged for, with their prices
     * @param problems the problems found so far; the ledger's own are added
     */
    static Oracle.Audit settle(Map<String, List<Op>> stored, Map<String, DemoPlayer> finals,
                               Map<String, Integer> pendingMessages, Map<String, Long> requested,
                               List<Oracle.Problem> problems) {
        pendingMessages.forEach((key, n) -> {
            if (n > 0) {
                problems.add(new Oracle.Problem(Oracle.Kind.INVARIANT,
                        key + ": " + n + " message(s) still unprocessed after every profile was loaded"));
            }
        });
        Map<String, Integer> grants = new LinkedHashMap<>();
        Map<Long, Map<String, Integer>> trades = new HashMap<>();
        long earned = 0;
        for (var e : stored.entrySet()) {
            for (Op op : e.getValue()) {
                switch (op) {
                    case Op.Earn earn -> earned += earn.coins();
                    case Op.Grant grant -> grants.merge(grant.receiptId(), 1, Integer::sum);
                    case Op.TradeSide side -> trades.computeIfAbsent(side.tradeId(), t -> new HashMap<>())
                            .merge(e.getKey(), 1, Integer::sum);
                }
            }
        }
        long duplicates = 0;
        long grantedValue = 0;
        for (var g : grants.entrySet()) {
            if (g.getValue() > 1) {
                duplicates += g.getValue() - 1;
                problems.add(new Oracle.Problem(Oracle.Kind.DUPLICATE_GRANT,
                        "receipt " + g.getKey() + " was granted " + g.getValue() + " times"));
            }
            Long price = requested.get(g.getKey());
            if (price == null) {
                problems.add(new Oracle.Problem(Oracle.Kind.INVARIANT, "receipt " + g.getKey() + " was granted but never requested"));
            } else {
                grantedValue += price;
            }
        }
        for (var r : requested.entrySet()) {
            if (!grants.containsKey(r.getKey())) {
                problems.add(new Oracle.Problem(Oracle.Kind.INVARIANT,
                        "receipt " + r.getKey() + " was acknowledged to the shop but never granted"));
            }
        }
        trades.forEach((trade, sides) -> {
            if (sides.size() == 1) {
                problems.add(new Oracle.Problem(Oracle.Kind.INVARIANT, "trade " + trade + " is stored on one side only: " + sides));
            }
        });
        long economy = 0;
        for (DemoPlayer d : finals.values()) {
            economy += d.coins;
            for (DemoPlayer.Item i : d.items) {
                economy += i.value();
            }
        }
        long granted = earned + grantedValue;
        long lost = problems.stream().filter(p -> p.kind() == Oracle.Kind.LOST_ACKNOWLEDGED_SAVE).count();
        long invariants = problems.stream().filter(p -> p.kind() == Oracle.Kind.INVARIANT).count();
        boolean clean = duplicates == 0 && lost == 0 && invariants == 0 && economy == granted;
        List<String> details = problems.stream().map(p -> p.kind() + ": " + p.detail()).limit(50).toList();
        if (economy != granted && details.size() < 50) {
            details = new ArrayList<>(details);
            details.add("ECONOMY: coins and item values total " + economy + ", but " + granted + " was earned or bought");
        }
        return new Oracle.Audit(duplicates, lost, economy, granted, invariants, clean, grants.size(), details);
    }

    /** The document a sequence of changes makes from a new profile. */
    static DemoPlayer replay(List<Op> ops) {
        DemoPlayer d = new DemoPlayer();
        for (Op op : ops) {
            op.applyTo(d);
            d.ops++;
            d.chain = DemoPlayer.nextChain(d.chain, op.id());
        }
        return d;
    }

    /** How a stored document differs from the one its history makes, or null when they agree. */
    static String difference(DemoPlayer expected, DemoPlayer actual) {
        if (expected.coins != actual.coins) {
            return "coins " + actual.coins + ", expected " + expected.coins;
        }
        Comparator<DemoPlayer.Item> byId = Comparator.comparing(DemoPlayer.Item::id);
        List<DemoPlayer.Item> a = new ArrayList<>(actual.items);
        List<DemoPlayer.Item> e = new ArrayList<>(expected.items);
        a.sort(byId);
        e.sort(byId);
        if (!a.equals(e)) {
            return "items " + a.size() + ", expected " + e.size();
        }
        if (!expected.receipts.equals(actual.receipts)) {
            return "receipts differ";
        }
        return null;
    }
}
