package dev.profilestore.peer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The start of every peer connection: both sides prove they know the shared secret, over fresh nonces from both,
 * and derive the connection's frame key. The secret itself never crosses the wire.
 *
 * <pre>
 * connecting side:  MAGIC, nonceC
 * listening side:   MAGIC, nonceS, its instance id, HMAC(secret, "server", nonceC, nonceS, id)
 * connecting side:  HMAC(secret, "client", nonceC, nonceS, id)
 * frame key:        HMAC(secret, "frames", nonceC, nonceS, id)
 * </pre>
 *
 * <p>The two proofs carry different labels, so one side's proof cannot be sent back as the other's; the listening
 * side's fresh nonce makes a recorded handshake useless. The connecting side checks the instance id too: an
 * address that now belongs to another instance (a restarted server) is not the peer it meant to reach.
 */
final class Handshake {

    private static final byte[] MAGIC = {'P', 'S', 'P', '1'};
    private static final int MAX_ID_BYTES = 512;

    private Handshake() {}

    /** Thrown when the other side does not know the secret, or is not who was expected. */
    static final class Rejected extends IOException {
        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(message);
        }
    }

    /** The connecting side: returns the cipher for the frames it sends. */
    static FrameCipher connect(Socket socket, byte[] secret, String expectedInstance) throws IOException {
        var out = new DataOutputStream(socket.getOutputStream());
        var in = new DataInputStream(socket.getInputStream());
        byte[] nonceC = PeerCrypto.nonce();
        out.write(MAGIC);
        out.write(nonceC);
        out.flush();
        readMagic(in);
        byte[] nonceS = in.readNBytes(PeerCrypto.NONCE_BYTES);
        int idLength = in.readUnsignedShort();
        if (nonceS.length != PeerCrypto.NONCE_BYTES || idLength > MAX_ID_BYTES) {
            throw new Rejected("malformed handshake");
        }
        byte[] id = in.readNBytes(idLength);
        byte[] proofS = in.readNBytes(PeerCrypto.MAC_BYTES);
        if (id.length != idLength || !PeerCrypto.same(proofS, PeerCrypto.hmac(secret, "server", nonceC, nonceS, id))) {
            throw new Rejected("the listening side does not know the secret");
        }
        String instance = new String(id, StandardCharsets.UTF_8);
        if (expectedInstance != null && !expectedInstance.equals(instance)) {
            throw new Rejected("the address now belongs to instance " + instance + ", not " + expectedInstance);
        }
        out.write(PeerCrypto.hmac(secret, "client", nonceC, nonceS, id));
        out.flush();
        return new FrameCipher(PeerCrypto.hmac(secret, "frames", nonceC, nonceS, id));
    }

    /** The listening side: returns the cipher for the frames it receives. */
    static FrameCipher accept(Socket socket, byte[] secret, String instance) throws IOException {
        var out = new DataOutputStream(socket.getOutputStream());
        var in = new DataInputStream(socket.getInputStream());
        readMagic(in);
        byte[] nonceC = in.readNBytes(PeerCrypto.NONCE_BYTES);
        if (nonceC.length != PeerCrypto.NONCE_BYTES) {
            throw new Rejected("malformed handshake");
        }
        byte[] nonceS = PeerCrypto.nonce();
        byte[] id = instance.getBytes(StandardCharsets.UTF_8);
        out.write(MAGIC);
        out.write(nonceS);
        out.writeShort(id.length);
        out.write(id);
        out.write(PeerCrypto.hmac(secret, "server", nonceC, nonceS, id));
        out.flush();
        byte[] proofC = in.readNBytes(PeerCrypto.MAC_BYTES);
        if (!PeerCrypto.same(proofC, PeerCrypto.hmac(secret, "client", nonceC, nonceS, id))) {
            throw new Rejected("the connecting side does not know the secret");
        }
        return new FrameCipher(PeerCrypto.hmac(secret, "frames", nonceC, nonceS, id));
    }

    private static void readMagic(DataInputStream in) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new Rejected("not a ProfileStore peer (bad magic)");
        }
    }
}
