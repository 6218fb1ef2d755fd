package dev.profilestore;

/**
 * A key held a value that was not a valid profile, and a session start or message replaced it,
 * reported through {@link ProfileStore#onOverwrite()}. The old value was kept as a saved version
 * first; nothing is silently destroyed.
 *
 * @param storeName the store
 * @param key the profile key
 * @param problem what was wrong with the old value
 */
public record Overwrite(String storeName, String key, String problem) {}
