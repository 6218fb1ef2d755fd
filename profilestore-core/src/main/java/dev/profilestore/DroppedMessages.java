package dev.profilestore;

/**
 * A key's message queue passed its cap and the oldest messages were dropped.
 *
 * @param storeName the store
 * @param key the profile key
 * @param count how many messages were dropped
 */
public record DroppedMessages(String storeName, String key, int count) {}
