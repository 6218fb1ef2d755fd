package dev.profilestore.engine;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * The hints servers send each other over messaging, on the channel of the receiving server. A plain
 * text line {@code kind|store|epoch|fromServer|key} with each field URL-encoded, so names holding '|'
 * survive; a TAKEOVER may append its {@link Request} as six more fields, a HANDED its {@link Handed} as four.
 */
record ControlMessage(Kind kind, String store, long epoch, String fromServer, String key, Request request,
                      Handed handed) {

    /**
     * The largest record a HANDED notice carries, whatever the transport takes (its
     * {@link dev.profilestore.spi.Messaging#maxPayload()} is the other limit; base64 grows a record by a third).
     * Larger ones are left out and the requester reads the record instead: past this size, one read costs less
     * than the record sent again, base64 and all, through the messaging.
     */
    static final int HANDED_RECORD_MAX = 64 * 1024;

    ControlMessage(Kind kind, String store, long epoch, String fromServer, String key) {
        this(kind, store, epoch, fromServer, key, null, null);
    }

    ControlMessage(Kind kind, String store, long epoch, String fromServer, String key, Request request) {
        this(kind, store, epoch, fromServer, key, request, null);
    }

    /**
     * Who asks for the profile: the requester's identity, which the holder's last save writes as the new
     * lock. {@code baseRevision} and {@code revision} say what the requester's request write did, when there
     * was one; a first ask is sent before any write, both then {@link #UNWRITTEN}. The revisions are kept in
     * the line so servers of the previous version, which use them, still parse it; this version never uses
     * them to skip a read.
     */
    record Request(long baseRevision, long revision, String appId, String sessionId, long atMs, String leaseId) {

        static final long UNWRITTEN = -1;

        /** A requester's first ask, written nowhere: it only says who asks. */
        static Request asked(Envelope.Takeover who) {
            return new Request(UNWRITTEN, UNWRITTEN, who.appId(), who.sessionId(), who.atMs(), who.leaseId());
        }

        boolean written() {
            return revision != UNWRITTEN;
        }

        Envelope.Takeover takeover(String fromServer) {
            return new Envelope.Takeover(appId, fromServer, sessionId, atMs, leaseId);
        }
    }

    /**
     * The record a holder's last save wrote when it handed the lock to the requester: the requester begins
     * on it without reading. {@code record} is null when it was too large to send; the requester reads then.
     * Only a hint, like every message: the requester uses it only when its lock names the requester's own
     * start (a random session id), and its every later write is a compare-and-set on this revision.
     */
    record Handed(long revision, Instant createdAt, Instant updatedAt, byte[] record) {}

    enum Kind {
        /** "Please save and release": sent by a requester to the holder. */
        TAKEOVER,
        /** "I released it": sent by the holder to the requester, which wakes at once. */
        RELEASED,
        /** "The lock is yours": the holder's last save handed the lock to the requester; carries the record. */
        HANDED,
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
        if (handed != null) {
            line += "|" + handed.revision() + "|" + handed.createdAt() + "|" + handed.updatedAt() + "|"
                    + (handed.record() == null ? "" : Base64.getEncoder().encodeToString(handed.record()));
        }
        return line.getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes a message, or returns null for anything malformed (messaging is untrusted input). */
    static ControlMessage decode(byte[] payload) {
        String s = new String(payload, StandardCharsets.UTF_8);
        String[] parts = s.split("\\|", -1);
        if (parts.length != 5 && parts.length != 9 && parts.length != 11) {
            return null;
        }
        try {
            Request request = parts.length == 11 ? new Request(Long.parseLong(parts[5]), Long.parseLong(parts[6]),
                    dec(parts[7]), dec(parts[8]), Long.parseLong(parts[9]), dec(parts[10])) : null;
            Handed handed = parts.length == 9 ? new Handed(Long.parseLong(parts[5]), Instant.parse(parts[6]),
                    Instant.parse(parts[7]), parts[8].isEmpty() ? null : Base64.getDecoder().decode(parts[8])) : null;
            return new ControlMessage(Kind.valueOf(parts[0]), dec(parts[1]), Long.parseLong(parts[2]), dec(parts[3]),
                    dec(parts[4]), request, handed);
        } catch (IllegalArgumentException | DateTimeParseException e) {
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
