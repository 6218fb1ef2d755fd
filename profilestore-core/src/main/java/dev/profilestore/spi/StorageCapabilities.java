package dev.profilestore.spi;

/**
 * Optional abilities a backend declares instead of faking.
 *
 * @param versions whether snapshots ({@link RecordWrite.Versioning#SNAPSHOT}) are kept; values preserved by
 *     {@link RecordWrite.Versioning#PRESERVE_PREVIOUS} are kept, listed and readable on every backend regardless
 * @param atomicMultiWrite whether {@link Storage#writeAll} commits several keys atomically
 */
public record StorageCapabilities(boolean versions, boolean atomicMultiWrite) {

    /** Everything supported. */
    public static StorageCapabilities all() {
        return new StorageCapabilities(true, true);
    }
}
