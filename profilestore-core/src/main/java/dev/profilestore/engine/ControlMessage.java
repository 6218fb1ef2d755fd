package dev.profilestore.engine;

import java.nio.charset.StandardCharsets;

/**
 * The hints servers send each other over messaging, on the channel of the receiving server. A plain
 * text line {@code kind|store|epoch|fromServer|key} with each field URL-encoded, so names holding '|'
 * survive; a TAKEOVER may append its {@link Request} as six more fields.
 */
record ControlMessage(Kind kind, String store, long epoch, String fromServer, String key, Request request) {

    ControlMessage(Kind kind, String store, long epoch, String fromServer, String key) {
        this(kind, store, epoch, fromServer, key, null);
    }

    /**
     * What a requester's takeover-request write did: it took the record from {@code baseRevision} to
     * {@code revision} by setting nothing but this takeover. A holder whose own last write or read is
     * {@code baseRevision} therefore knows the record at {@code revision} without reading it, and its
     * release can compare-and-set at once: one store round trip less on the handoff's critical path.
     * Only a hint: a wrong one makes the compare-and-set fail, and the release reads and tries again.
     */
    record Request(long baseRevision, long revision, String appId, String sessionId, long atMs, String leaseId) {

        Envelope.Takeover takeover(String fromServer) {
            return new Envelope.Takeover(appId, fromServer, sessionId, atMs, leaseId);
        }
    }

    enum Kind {
        /** "Please save and release": sent by a requester to the holder. */
        TAKEOVER,
        /** "I released it": sent by the holder to the requester, which wakes at once. */
        RELEASED,
        /** "A message is waiting": sent by a message sender to the holder, which saves to pick it up. */
        MESSAGE
    }

    static String channel(String serverId) {
        return "profilestore." + serverId;
    }

    byte[] encode() {
        String line = kind + "|" + enc(store) + "|" + epoch + "|" + enc(fromServer) + "|" + enc(key);
        if (request != null) {
            line += "|" + request.baseRevision() + "|" + request.revision() + "|" + enc(request.appId()) + "|"
                    + enc(request.sessionId()) + "|" + request.atMs() + "|" + enc(request.leaseId());
        }
        return line.getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes a message, or returns null for anything malformed (messaging is untrusted input). */
    static ControlMessage decode(byte[] payload) {
        String s = new String(payload, StandardCharsets.UTF_8);
        String[] parts = s.split("\\|", -1);
        if (parts.length != 5 && parts.length != 11) {
            return null;
        }
        try {
            Request request = parts.length == 11 ? new Request(Long.parseLong(parts[5]), Long.parseLong(parts[6]),
                    dec(parts[7]), dec(parts[8]), Long.parseLong(parts[9]), dec(parts[10])) : null;
            return new ControlMessage(Kind.valueOf(parts[0]), dec(parts[1]), Long.parseLong(parts[2]), dec(parts[3]),
                    dec(parts[4]), request);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String dec(String s) {
        return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
