/**
 * Messaging straight between game servers: {@link dev.profilestore.peer.PeerMessaging} sends the engine's control
 * messages to the server they are for over one authenticated, encrypted TCP connection, and keeps the store's own
 * messaging as the fallback and as the directory through which servers learn each other's addresses.
 *
 * <p>Exports {@code dev.profilestore.peer}; needs {@code dev.profilestore.core} (the {@code spi} package) and
 * {@code org.slf4j}, and nothing beyond the JDK's {@code java.base}.
 */
package dev.profilestore.peer;
