package dev.jfutures.cluster.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks the tasks a pool sends to members, with the cluster's shared key (HMAC-SHA256
 * over the pool, the task, the send and every byte the member will decode). A member runs only
 * what holders of its key signed. It is integrity, not secrecy: the bytes travel in clear (no
 * TLS in Hazelcast Community), and anyone who can read the network sees the tasks.
 *
 * <p>Thread-safe: a {@link Mac} per use.
 */
public final class Signer {

    /** The shortest key accepted, in bytes. */
    public static final int MIN_KEY_BYTES = 16;

    private final SecretKeySpec key;

    /**
     * A signer with a key.
     *
     * @param key the shared key, at least {@value #MIN_KEY_BYTES} bytes
     * @throws IllegalArgumentException if the key is shorter
     */
    public Signer(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("a cluster key must have at least " + MIN_KEY_BYTES + " bytes, not "
                    + (key == null ? "none" : key.length));
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /**
     * A new random key.
     *
     * @return 32 random bytes
     */
    public static byte[] newKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    /**
     * The signature of a send.
     *
     * @param pool the pool's id
     * @param call the call's id
     * @param send the send number
     * @param parts the bytes the member will decode, in order (null parts count as empty)
     * @return the signature
     */
    public byte[] sign(UUID pool, long call, int send, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            ByteBuffer head = ByteBuffer.allocate(16 + 8 + 4);
            head.putLong(pool.getMostSignificantBits()).putLong(pool.getLeastSignificantBits()).putLong(call).putInt(send);
            mac.update(head.array());
            for (byte[] p : parts) {
                byte[] b = p == null ? new byte[0] : p;
                mac.update(ByteBuffer.allocate(4).putInt(b.length).array());
                mac.update(b);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /**
     * Whether a signature is this key's for a send (compared in constant time).
     *
     * @param signature the signature received
     * @param pool the pool's id
     * @param call the call's id
     * @param send the send number
     * @param parts the bytes, as for {@link #sign}
     * @return true if it matches
     */
    public boolean verify(byte[] signature, UUID pool, long call, int send, byte[]... parts) {
        return signature != null && MessageDigest.isEqual(signature, sign(pool, call, send, parts));
    }

    /**
     * A short public fingerprint of the key, to tell keys apart in messages without showing them.
     *
     * @return 8 hex digits
     */
    public String fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(
                    ("jfutures-key-fingerprint:" + java.util.HexFormat.of().formatHex(key.getEncoded()))
                            .getBytes(StandardCharsets.US_ASCII));
            return java.util.HexFormat.of().formatHex(d, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
