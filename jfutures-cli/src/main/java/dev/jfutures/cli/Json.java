package dev.jfutures.cli;

/** The little JSON the commands write. */
final class Json {

    private Json() {
    }

    /**
     * A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped; U+2028
     * and U+2029 too, so that the output is also valid JavaScript; and a lone surrogate (not part of
     * a pair), which UTF-8 cannot encode, as <code>&#92;uXXXX</code>.
     *
     * @param s the text
     * @return the quoted text
     */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                case '\b': b.append("\\b"); break;
                case '\f': b.append("\\f"); break;
                default:
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        b.append(c).append(s.charAt(++i));   // a pair: one character, UTF-8 encodes it
                    } else if (c < 0x20 || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)) {
                        // A lone surrogate: FileNames's U+DC80-U+DCFF for bytes that are not UTF-8.
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }
}
