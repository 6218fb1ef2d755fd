package dev.profilestore.engine;

import dev.profilestore.ProfileStore;

/** Placeholder while the engine is written. */
public final class StoreEngine {
    private StoreEngine() {}

    /** Creates the store. */
    public static <T> ProfileStore<T> create(Settings<T> settings) {
        throw new UnsupportedOperationException("engine not written yet");
    }
}
