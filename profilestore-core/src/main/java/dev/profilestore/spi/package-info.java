/**
 * The two service-provider interfaces a backend implements: {@link dev.profilestore.spi.Storage}
 * (durable records with one atomic compare-and-set per write) and {@link dev.profilestore.spi.Messaging}
 * (best-effort publish/subscribe for control hints).
 *
 * <p>Both are deliberately small and blocking. The session engine owns the lock protocol, retries,
 * threading and encoding; a backend only moves bytes atomically. Correctness never depends on
 * messaging: a lost message only makes a handoff fall back to polling.
 */
package dev.profilestore.spi;
