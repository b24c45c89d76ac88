package dev.xdperf.cli;

/** Text from elsewhere (a registry, a key file's comment) made safe to print: no terminal escapes get through. */
final class Terminal {
    private Terminal() {}

    /** {@code text} with every control character (C0, DEL, C1, and bidi/format controls) shown as {@code \\uXXXX}. */
    static String printable(String text) {
        return escape(text, false);
    }

    /** Like {@link #printable} but keeps line feeds and tabs: for messages that may span lines. */
    static String printableLines(String text) {
        return escape(text, true);
    }

    private static String escape(String text, boolean keepLines) {
        if (text == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            int type = Character.getType(c);
            if (keepLines && (c == '\n' || c == '\t')) {
                b.append((char) c);
            } else if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
