package dev.profilestore.spi;

/**
 * Optional abilities a backend declares instead of faking.
 *
 * @param versions whether {@link Storage#versions} and {@link Storage#readVersion} return saved versions
 * @param atomicMultiWrite whether {@link Storage#writeAll} commits several keys atomically
 */
public record StorageCapabilities(boolean versions, boolean atomicMultiWrite) {

    /** Everything supported. */
    public static StorageCapabilities all() {
        return new StorageCapabilities(true, true);
    }
}
