package dev.profilestore;

/**
 * Validation of store names and profile keys: the rules {@link ProfileStore} applies, public so that tools
 * (the CLI, backends that build their own keys) refuse a bad name with the same message before touching a store.
 */
public final class Names {

    /** Longest store name, as in the original. */
    public static final int MAX_STORE_NAME = 50;
    /** Longest profile key (the original allowed 50; 100 leaves room for prefixed UUIDs). */
    public static final int MAX_KEY = 100;

    private Names() {}

    /** Checks a store name; throws {@link InvalidKeyException} naming the problem. */
    public static String storeName(String name) {
        return check("store name", name, MAX_STORE_NAME);
    }

    /** Checks a profile key; throws {@link InvalidKeyException} naming the problem. */
    public static String key(String key) {
        return check("profile key", key, MAX_KEY);
    }

    private static String check(String what, String value, int max) {
        if (value == null) {
            throw new InvalidKeyException(what + " must not be null");
        }
        if (value.isEmpty()) {
            throw new InvalidKeyException(what + " must not be empty");
        }
        if (value.length() > max) {
            throw new InvalidKeyException(what + " is " + value.length() + " characters long; the limit is " + max
                    + ": \"" + value.substring(0, 20) + "...\"");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) && !validSurrogate(value, i)) {
                throw new InvalidKeyException(what + " \"" + printable(value) + "\" contains control or invalid character U+"
                        + String.format("%04X", (int) c) + " at index " + i);
            }
        }
        return value;
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                b.append(String.format("\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }
}
