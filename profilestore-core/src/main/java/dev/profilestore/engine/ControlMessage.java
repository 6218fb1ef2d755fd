package dev.profilestore.engine;

import java.nio.charset.StandardCharsets;

/**
 * The hints servers send each other over messaging, on the channel of the receiving server. A plain
 * text line {@code kind|store|epoch|fromServer|key} with each field URL-encoded, so names holding '|'
 * survive.
 */
record ControlMessage(Kind kind, String store, long epoch, String fromServer, String key) {

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
        return (kind + "|" + enc(store) + "|" + epoch + "|" + enc(fromServer) + "|" + enc(key)).getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes a message, or returns null for anything malformed (messaging is untrusted input). */
    static ControlMessage decode(byte[] payload) {
        String s = new String(payload, StandardCharsets.UTF_8);
        String[] parts = s.split("\\|", 5);
        if (parts.length != 5) {
            return null;
        }
        try {
            return new ControlMessage(Kind.valueOf(parts[0]), dec(parts[1]), Long.parseLong(parts[2]), dec(parts[3]),
                    dec(parts[4]));
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
