package dev.profilestore.spi;

/**
 * Optional abilities a backend declares instead of faking.
 *
 * @param versions whether snapshots ({@link RecordWrite.Versioning#SNAPSHOT}) are kept; values preserved by
 *     {@link RecordWrite.Versioning#PRESERVE_PREVIOUS} are kept, listed and readable on every backend regardless
 * @param atomicMultiWrite whether {@link Storage#writeAll} commits several keys atomically
 * @param nonBlocking whether every call returns without waiting for I/O or for another thread's long work (an
 *     in-process store). The engine then makes its calls on its own thread instead of handing each to an I/O
 *     thread and back: two thread switches a call, most of a session cycle's cost on such a store. A store that
 *     may block must say false, or it stalls every session of the store while it waits.
 */
public record StorageCapabilities(boolean versions, boolean atomicMultiWrite, boolean nonBlocking) {

    /** A store whose calls may block (every networked or file-backed one). */
    public StorageCapabilities(boolean versions, boolean atomicMultiWrite) {
        this(versions, atomicMultiWrite, false);
    }

    /** Everything supported; calls may block. */
    public static StorageCapabilities all() {
        return new StorageCapabilities(true, true);
    }

    /** The same abilities, with calls that may block: what a decorator that may add waiting declares. */
    public StorageCapabilities blocking() {
        return new StorageCapabilities(versions, atomicMultiWrite, false);
    }
}
