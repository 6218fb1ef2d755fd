package dev.profilestore.cli.demo;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;

/**
 * A change the simulation makes to one profile. Each has a unique id; applying it changes the document the
 * same way every time, so the audit can replay a profile's history and compare it with what the store holds.
 * Written as JSON with a {@code type} field, so server processes can report the changes they make (see
 * {@link ServerEvent}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = Op.Earn.class, name = "earn"),
        @JsonSubTypes.Type(value = Op.Grant.class, name = "grant"),
        @JsonSubTypes.Type(value = Op.TradeSide.class, name = "trade")})
public sealed interface Op {

    /** The change's unique id. */
    long id();

    /** Applies the change to a document (without touching {@code ops} and {@code chain}). */
    void applyTo(DemoPlayer d);

    /**
     * The player earned coins by playing.
     *
     * @param id change id
     * @param coins coins earned
     */
    record Earn(long id, long coins) implements Op {
        @Override
        public void applyTo(DemoPlayer d) {
            d.coins += coins;
        }
    }

    /**
     * A purchase receipt was granted: the item is added and the receipt remembered.
     *
     * @param id change id
     * @param receiptId the receipt
     * @param item the item it grants
     */
    record Grant(long id, String receiptId, DemoPlayer.Item item) implements Op {
        @Override
        public void applyTo(DemoPlayer d) {
            d.items.add(item);
            d.receipts.add(receiptId);
            while (d.receipts.size() > DemoPlayer.RECEIPTS_KEPT) {
                d.receipts.remove(0);
            }
        }
    }

    /**
     * One side of a trade between two players on one server.
     *
     * @param id change id
     * @param tradeId shared by both sides
     * @param coins coins gained (negative: paid)
     * @param gained items received
     * @param given items handed over
     */
    record TradeSide(long id, long tradeId, long coins, List<DemoPlayer.Item> gained, List<DemoPlayer.Item> given)
            implements Op {
        @Override
        public void applyTo(DemoPlayer d) {
            d.coins += coins;
            d.items.removeIf(given::contains);
            d.items.addAll(gained);
        }
    }
}
