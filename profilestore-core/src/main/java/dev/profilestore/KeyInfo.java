package dev.profilestore;

import java.time.Instant;

/**
 * Store-side facts about a profile key (Roblox's DataStoreKeyInfo).
 *
 * @param createdAt when the key was first written, by the store's clock
 * @param updatedAt when the record was last written, by the store's clock
 * @param version the record's revision, as a string
 */
public record KeyInfo(Instant createdAt, Instant updatedAt, String version) {}
