package dev.profilestore.peer;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One direction of one peer connection: AES-256-GCM under a key derived for this connection alone (from the shared
 * secret and both sides' fresh nonces), with the frame's sequence number as its IV. Neither side sends the
 * number: each counts. So a frame that was altered, replayed, dropped, reordered or taken from another connection
 * fails to open, and the reader closes the connection. Not thread-safe: one writer or one reader owns it.
 */
final class FrameCipher {

    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final Cipher cipher;
    private long sequence;

    FrameCipher(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is missing from this JVM", e);
        }
    }

    byte[] seal(byte[] plain) {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv(sequence++)));
            return cipher.doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM sealing failed", e);
        }
    }

    /** Opens the next frame; {@link AEADBadTagException} when it is not the next frame this connection's peer sealed. */
    byte[] open(byte[] sealed) throws AEADBadTagException {
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv(sequence)));
            byte[] plain = cipher.doFinal(sealed);
            sequence++;
            return plain;
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM opening failed", e);
        }
    }

    private static byte[] iv(long sequence) {
        return ByteBuffer.allocate(12).putInt(0).putLong(sequence).array();
    }
}
