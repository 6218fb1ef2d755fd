package dev.profilestore.peer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import javax.crypto.AEADBadTagException;

/**
 * A message on a peer connection: a 4-byte length, then the sealed bytes of (2-byte channel length, channel in
 * UTF-8, payload).
 */
final class Frames {

    /** The largest payload sent to a peer; larger ones go through the fallback. */
    static final int MAX_PAYLOAD = 1 << 20;
    private static final int MAX_CHANNEL_BYTES = 0xffff;
    /** Room for the channel and the tag around the largest payload. */
    private static final int MAX_SEALED = MAX_PAYLOAD + MAX_CHANNEL_BYTES + 64;

    /** A frame as received. */
    record Frame(String channel, byte[] payload) {}

    private Frames() {}

    /** Whether a message fits a frame at all. */
    static boolean fits(String channel, byte[] payload) {
        return payload.length <= MAX_PAYLOAD && channel.length() * 3 <= MAX_CHANNEL_BYTES;
    }

    static void write(DataOutputStream out, FrameCipher cipher, String channel, byte[] payload) throws IOException {
        byte[] name = channel.getBytes(StandardCharsets.UTF_8);
        byte[] plain = ByteBuffer.allocate(2 + name.length + payload.length).putShort((short) name.length).put(name)
                .put(payload).array();
        byte[] sealed = cipher.seal(plain);
        out.writeInt(sealed.length);
        out.write(sealed);
    }

    /**
     * Reads and opens the next frame.
     *
     * @throws AEADBadTagException when it fails authentication (forged, altered, replayed or out of order)
     * @throws IOException when the stream ends or the length is impossible
     */
    static Frame read(DataInputStream in, FrameCipher cipher) throws IOException, AEADBadTagException {
        int length = in.readInt();
        if (length < 2 || length > MAX_SEALED) {
            throw new Handshake.Rejected("a frame of impossible length " + length);
        }
        byte[] sealed = new byte[length];
        in.readFully(sealed);
        ByteBuffer plain = ByteBuffer.wrap(cipher.open(sealed));
        int nameLength = plain.getShort() & 0xffff;
        if (nameLength > plain.remaining()) {
            throw new Handshake.Rejected("a frame whose channel runs past its end");
        }
        byte[] name = new byte[nameLength];
        plain.get(name);
        byte[] payload = new byte[plain.remaining()];
        plain.get(payload);
        return new Frame(new String(name, StandardCharsets.UTF_8), payload);
    }
}
