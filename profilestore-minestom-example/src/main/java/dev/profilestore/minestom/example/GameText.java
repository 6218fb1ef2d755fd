package dev.profilestore.minestom.example;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

/**
 * The chat lines the example game sends its players about their profile, in a form both people and the bot read:
 * {@code ps <kind> <fields...>}.
 */
public final class GameText {

    /**
     * The profile is live on this server: {@code ps live <server> <epoch> <coins> <load µs>}, the last being how long
     * the session start took during the login.
     */
    public static final String LIVE = "live";
    /** A save landed: {@code ps saved <epoch> <coins earned by this session, as saved>}. */
    public static final String SAVED = "saved";
    /** A coin was earned: {@code ps earned <epoch> <coins earned by this session>} (the action bar). */
    public static final String EARNED = "earned";
    /** A gift's message is written: {@code ps gift-sent <id> <coins>}. */
    public static final String GIFT_SENT = "gift-sent";
    /** A gift was applied: {@code ps gift-got <id> <coins>}. */
    public static final String GIFT_GOT = "gift-got";
    /** A change was refused (the profile is leaving or lost): {@code ps refused <what>}. */
    public static final String REFUSED = "refused";

    private GameText() {
    }

    /**
     * A line.
     *
     * @param kind one of the kinds above
     * @param fields its fields, without spaces
     * @return the text
     */
    public static String line(String kind, Object... fields) {
        var b = new StringBuilder("ps ").append(kind);
        for (Object f : fields) {
            b.append(' ').append(f);
        }
        return b.toString();
    }

    /**
     * Parses a line.
     *
     * @param text a chat line
     * @return its kind and fields, or empty when it is not a profile line
     */
    public static Optional<String[]> parse(String text) {
        if (!text.startsWith("ps ")) {
            return Optional.empty();
        }
        return Optional.of(text.substring(3).split(" "));
    }

    /** The profile key of a player by name: the offline-mode UUID the client and server agree on. */
    public static String keyOfName(String name) {
        return UUID.nameUUIDFromBytes(("OfflinePlayer:" + name).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
