package dev.profilestore.peer;

import java.util.concurrent.atomic.LongAdder;

/**
 * What an instance of {@link PeerMessaging} has done since it was built, for metrics and diagnostics.
 *
 * @param sentToPeers messages written to a peer connection
 * @param receivedFromPeers authenticated messages received from peers
 * @param sentThroughFallback messages sent through the fallback messaging (no known peer, a peer down, too large)
 * @param rejectedConnections connections refused because the other side did not prove it knows the secret
 * @param rejectedFrames frames dropped because they failed authentication (each closes its connection)
 */
public record PeerStats(long sentToPeers, long receivedFromPeers, long sentThroughFallback, long rejectedConnections,
                        long rejectedFrames) {

    /** The live counters behind a snapshot. */
    static final class Counters {
        final LongAdder sent = new LongAdder();
        final LongAdder received = new LongAdder();
        final LongAdder fallback = new LongAdder();
        final LongAdder rejectedConnections = new LongAdder();
        final LongAdder rejectedFrames = new LongAdder();

        PeerStats snapshot() {
            return new PeerStats(sent.sum(), received.sum(), fallback.sum(), rejectedConnections.sum(),
                    rejectedFrames.sum());
        }
    }
}
