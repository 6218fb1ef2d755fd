package dev.profilestore.peer;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What instances tell each other on the directory channel of the fallback messaging: where they listen and which
 * channels they serve. One text line, {@code kind|instance|host|port|channel|mac}, fields URL-encoded, signed
 * with the shared secret: a note that fails its check is ignored, so nobody without the secret can point servers
 * at an address of their choosing.
 *
 * @param kind what the note says
 * @param instance the sending instance's random id (a restarted server has a new one)
 * @param host the host the sender advertises
 * @param port the port the sender advertises
 * @param channel the channel the note is about; empty for {@link Kind#WHO} about every channel and for {@link Kind#BYE}
 */
record DirectoryNote(Kind kind, String instance, String host, int port, String channel) {

    /** The kinds of note. */
    enum Kind {
        /** "I serve this channel at this address." */
        HERE,
        /** "I no longer serve this channel." */
        GONE,
        /** "Who serves this channel (every channel, when empty)?": servers that do answer HERE. */
        WHO,
        /** "I am closing": forget every channel of this instance. */
        BYE
    }

    byte[] encode(byte[] secret) {
        String body = kind + "|" + enc(instance) + "|" + enc(host) + "|" + port + "|" + enc(channel);
        return (body + "|" + mac(secret, body)).getBytes(StandardCharsets.UTF_8);
    }

    /** The note in {@code payload}, or null when it is malformed or not signed with {@code secret}. */
    static DirectoryNote decode(byte[] payload, byte[] secret) {
        String line = new String(payload, StandardCharsets.UTF_8);
        int cut = line.lastIndexOf('|');
        if (cut < 0 || !PeerCrypto.same(line.substring(cut + 1).getBytes(StandardCharsets.UTF_8),
                mac(secret, line.substring(0, cut)).getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        String[] f = line.substring(0, cut).split("\\|", -1);
        if (f.length != 5) {
            return null;
        }
        try {
            return new DirectoryNote(Kind.valueOf(f[0]), dec(f[1]), dec(f[2]), Integer.parseInt(f[3]), dec(f[4]));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String mac(byte[] secret, String body) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(PeerCrypto.hmac(secret, "directory", body.getBytes(StandardCharsets.UTF_8)));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
