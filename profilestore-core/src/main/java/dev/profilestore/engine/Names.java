package dev.profilestore.engine;

/**
 * The former home of name validation, kept because the CLI's demo package and the engine's own
 * classes still call it. The rules live in {@link dev.profilestore.Names}; new code uses that.
 */
public final class Names {

    private Names() {}

    /** Same as {@link dev.profilestore.Names#storeName}. */
    public static String storeName(String name) {
        return dev.profilestore.Names.storeName(name);
    }

    /** Same as {@link dev.profilestore.Names#key}. */
    public static String key(String key) {
        return dev.profilestore.Names.key(key);
    }
}
