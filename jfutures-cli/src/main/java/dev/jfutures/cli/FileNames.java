package dev.jfutures.cli;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * How file names reach the output as the bytes they are on disk.
 *
 * <p>A Linux file name is bytes, not text, and need not be valid UTF-8. The JDK turns names into
 * strings with the file-name encoding ({@code sun.jnu.encoding}), fixed at start from the locale's
 * {@code LC_CTYPE} and not settable with {@code -D}. Under a UTF-8 locale each invalid byte becomes
 * U+FFFD: the name is lost, and the path cannot be opened. Under ISO-8859-1 each byte becomes the
 * char of the same value, and back: every name round-trips. So the launcher runs the JVM in a
 * Latin-1 {@code LC_CTYPE} it makes once ({@code C.ISO-8859-1}, with {@code localedef}, under
 * {@code LOCPATH}), and then every string that came from the system (names, arguments, error
 * messages) is a <em>byte string</em>: one char per byte. {@link Main} writes stdout and stderr in
 * the same encoding, so those chars become the original bytes again, and {@code find}'s plain and
 * {@code -0} output equals GNU find's byte for byte.
 *
 * <p>JSON must be UTF-8 text, so {@link #json} decodes a byte string: valid UTF-8 becomes its
 * characters, and each byte that is not part of valid UTF-8 becomes <code>&#92;udcXX</code> (XX its value),
 * the lone low surrogate of Python's {@code surrogateescape} (PEP 383): Python's {@code
 * os.fsencode(json.loads(...))} gives back the original bytes.
 *
 * @since 0.1
 */
final class FileNames {

    /** Whether strings from the system are byte strings: the file-name encoding is ISO-8859-1. */
    static final boolean BYTES = isLatin1(System.getProperty("sun.jnu.encoding", ""));

    private FileNames() {
    }

    static boolean isLatin1(String encoding) {
        try {
            return Charset.forName(encoding).equals(StandardCharsets.ISO_8859_1);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * A path as a JSON string literal, for a writer in the file-name encoding.
     *
     * @param path the path, as the JDK gave it
     * @return the literal: with {@link #BYTES}, as a byte string of its UTF-8 encoding (so that the
     *     writer writes UTF-8), invalid bytes as <code>&#92;udcXX</code>; else {@link Json#quote}
     */
    static String json(String path) {
        return BYTES ? latin1(Json.quote(decode(path)).getBytes(StandardCharsets.UTF_8)) : Json.quote(path);
    }

    /**
     * A byte string decoded as UTF-8; each byte of no valid sequence becomes U+DC00 + its value
     * (a lone surrogate, which {@link Json#quote} escapes as <code>&#92;udcXX</code>).
     */
    static String decode(String bytes) {
        byte[] b = bytes.getBytes(StandardCharsets.ISO_8859_1);
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        CharBuffer out = CharBuffer.allocate(b.length);
        while (true) {
            CoderResult r = d.decode(in, out, true);
            if (r.isUnderflow()) {
                break;
            }
            if (r.isError()) {
                // Invalid: each byte of the bad sequence on its own, then decoding goes on after it.
                for (int i = 0; i < r.length(); i++) {
                    int v = in.get() & 0xff;
                    out.put((char) (0xdc00 + v));
                }
            } else {
                throw new IllegalStateException("overflow: a UTF-8 decoding is never longer than its bytes");
            }
        }
        out.flip();
        return out.toString();
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
