package dev.profilestore.minestom.example;

import java.util.Map;
import java.util.TreeMap;

/**
 * A player's profile in the example game. Besides the coins it keeps what an audit needs to tell duplicated from
 * lost coins: what each session earned, and every gift by id.
 */
public final class Wallet {
    /** The balance. */
    public long coins;
    /** Coins earned on the timer, by the session (epoch) that earned them: each session writes only its own entry. */
    public Map<String, Long> earned = new TreeMap<>();
    /** Gifts received, by gift id: a gift is applied once however often its message arrives. */
    public Map<String, Long> received = new TreeMap<>();
    /** Gifts paid for whose message is not yet known to be written, by gift id (sent again by the next load). */
    public Map<String, Gift> outbox = new TreeMap<>();
    /** Gifts paid for and delivered to the recipient's message queue, by gift id. */
    public Map<String, Long> sent = new TreeMap<>();

    /**
     * A gift waiting in the outbox.
     *
     * @param to the recipient's profile key
     * @param coins how many coins
     */
    public record Gift(String to, long coins) {
    }

    /**
     * The message a gift travels in.
     *
     * @param id the gift id
     * @param coins how many coins
     */
    public record GiftMessage(String id, long coins) {
    }

    /**
     * Applies a gift once: a second delivery of the same gift changes nothing.
     *
     * @return whether this call applied it
     */
    public boolean receive(GiftMessage gift) {
        if (received.containsKey(gift.id())) {
            return false;
        }
        received.put(gift.id(), gift.coins());
        coins += gift.coins();
        return true;
    }

    /** What the coins should be, from the history this profile holds: earned plus received minus given away. */
    public long expectedCoins() {
        long total = 0;
        for (long n : earned.values()) {
            total += n;
        }
        for (long n : received.values()) {
            total += n;
        }
        for (long n : sent.values()) {
            total -= n;
        }
        for (Gift g : outbox.values()) {
            total -= g.coins();
        }
        return total;
    }
}
