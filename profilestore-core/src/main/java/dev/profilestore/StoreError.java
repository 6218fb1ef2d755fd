package dev.profilestore;

/**
 * A failed store operation, reported through {@link ProfileStore#onError()}.
 *
 * @param message what failed, for people
 * @param storeName the store
 * @param key the profile key
 * @param cause the exception
 */
public record StoreError(String message, String storeName, String key, Throwable cause) {}
