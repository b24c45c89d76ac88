package dev.xdperf.registry.server;

import dev.xdperf.registry.Manifest;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A publish request's body, multipart/form-data (RFC 7578), read as it arrives: the
 * {@code artifact} part streams into a temporary file (hashed and counted on the way, never
 * held in memory) and the small parts ({@code manifest}, {@code signature}, {@code key}) into
 * bounded buffers. The artifact's size limit is checked on every byte, so it holds exactly;
 * the whole body is bounded too, so a refused upload is still read to its end (and the client
 * hears why) at a cost of no more than the limit.
 */
final class Upload implements AutoCloseable {
    static final String CONTENT_TYPE = "multipart/form-data";
    /** Room for the parts' headers, the boundaries and the small parts beside the artifact and manifest. */
    static final long OVERHEAD = 64 * 1024;
    private static final int SMALL_PART = 4096;
    private static final int MAX_HEADER_BYTES = 8192;
    private static final Pattern BOUNDARY = Pattern.compile("(?i)(?:^|;)\\s*boundary=(?:\"([^\"]{1,70})\"|([^;\\s]{1,70}))");
    private static final Pattern PART_NAME = Pattern.compile("(?i)(?:^|;)\\s*name=\"([^\"]*)\"");

    byte[] manifest;
    String signature;
    String key;
    Blobs.Staged artifact;
    long artifactBytes;

    private Upload() {}

    /** The boundary of a publish's Content-Type; refuses any other type (415) or a type without a boundary (400). */
    static String boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith(CONTENT_TYPE)) {
            throw ApiError.unsupportedType("a publish is " + CONTENT_TYPE + " with the parts manifest, signature, key (optional) and"
                    + " artifact (docs/registry.md), not " + (contentType == null ? "a body without Content-Type" : contentType));
        }
        Matcher m = BOUNDARY.matcher(contentType.substring(CONTENT_TYPE.length()));
        if (!m.find()) {
            throw ApiError.badRequest("the Content-Type " + CONTENT_TYPE + " has no boundary");
        }
        return m.group(1) != null ? m.group(1) : m.group(2);
    }

    /**
     * Reads the whole body: at most {@code maxArtifact} bytes of artifact (one more is refused
     * with 413) and at most {@code maxBody} bytes in all.
     */
    static Upload read(InputStream body, String boundary, Blobs blobs, long maxArtifact, long maxBody) throws IOException {
        Upload u = new Upload();
        try {
            u.parse(new Reader(new Bounded(body, maxBody), boundary), blobs, maxArtifact);
            return u;
        } catch (IOException | RuntimeException e) {
            u.close();
            throw e;
        }
    }

    private void parse(Reader r, Blobs blobs, long maxArtifact) throws IOException {
        if (!r.scanTo(null)) {
            throw ApiError.badRequest("request body is not multipart/form-data: no boundary line (--" + r.boundaryText + ")");
        }
        Set<String> seen = new LinkedHashSet<>();
        String problem = null;
        while (r.afterDelimiter()) {
            String name = partName(r.headers());
            if (!seen.add(name)) {
                throw ApiError.badRequest("request body has the part \"" + name + "\" twice");
            }
            Sink sink;
            switch (name) {
                case "artifact" -> {
                    artifact = blobs.stage();
                    sink = new Sink() {
                        @Override
                        void accept(byte[] b, int n) throws IOException {
                            long room = maxArtifact - artifact.size();
                            if (room > 0) {
                                artifact.write(b, 0, (int) Math.min(room, n));
                            }
                            artifactBytes += n;
                        }
                    };
                }
                case "manifest", "signature", "key" -> sink = new Buffer(name.equals("manifest") ? Manifest.MAX_BYTES + 1 : SMALL_PART);
                default -> throw ApiError.badRequest("request body has the part \"" + name
                        + "\"; a publish has the parts manifest, signature, key (optional) and artifact");
            }
            if (!r.scanTo(sink)) {
                throw ApiError.badRequest("request body ends inside the part \"" + name + "\" (was the upload cut off?)");
            }
            sink.flush();
            if (sink instanceof Buffer b) {
                if (b.over && !name.equals("manifest")) {
                    problem = "the part \"" + name + "\" is more than " + SMALL_PART + " bytes";
                }
                switch (name) {
                    case "manifest" -> manifest = b.bytes();
                    case "signature" -> signature = new String(b.bytes(), StandardCharsets.US_ASCII).strip();
                    default -> key = new String(b.bytes(), StandardCharsets.US_ASCII).strip();
                }
            }
        }
        if (artifact != null && artifactBytes > maxArtifact) {
            throw ApiError.tooLarge("artifact is " + artifactBytes + " bytes, over this registry's limit of " + maxArtifact);
        }
        if (problem != null) {
            throw ApiError.badRequest(problem);
        }
        for (String required : new String[] {"manifest", "artifact"}) {
            if (!seen.contains(required)) {
                throw ApiError.badRequest("request body has no \"" + required + "\" part");
            }
        }
        if (signature == null) {
            signature = "";
        }
    }

    private static String partName(String headers) {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase("Content-Disposition")) {
                String v = line.substring(colon + 1).strip();
                if (!v.toLowerCase(Locale.ROOT).startsWith("form-data")) {
                    break;
                }
                Matcher m = PART_NAME.matcher(v.substring("form-data".length()));
                if (m.find()) {
                    return m.group(1);
                }
            }
        }
        throw ApiError.badRequest("a part of the request body has no Content-Disposition: form-data; name=\"...\" header");
    }

    @Override
    public void close() {
        if (artifact != null) {
            artifact.close();
        }
    }

    // ------------------------------------------------------------------ reading

    /** Where a part's bytes go, in chunks. */
    private abstract static class Sink {
        private final byte[] chunk = new byte[64 * 1024];
        private int n;

        final void put(int b) throws IOException {
            chunk[n++] = (byte) b;
            if (n == chunk.length) {
                flush();
            }
        }

        final void put(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                put(b[i]);
            }
        }

        final void flush() throws IOException {
            if (n > 0) {
                accept(chunk, n);
                n = 0;
            }
        }

        abstract void accept(byte[] b, int n) throws IOException;
    }

    /** Keeps up to {@code cap} bytes; {@link #over} says whether there were more. */
    private static final class Buffer extends Sink {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int cap;
        boolean over;

        Buffer(int cap) {
            this.cap = cap;
        }

        @Override
        void accept(byte[] b, int n) {
            int room = cap - out.size();
            out.write(b, 0, Math.max(0, Math.min(room, n)));
            over |= n > room;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** The body, refused with 413 beyond {@code max} bytes. */
    private static final class Bounded extends FilterInputStream {
        private final long max;
        private long read;

        Bounded(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                read += n;
                if (read > max) {
                    throw ApiError.tooLarge("request body is over this registry's limit of " + max + " bytes");
                }
            }
            return n;
        }
    }

    /** Finds the delimiters (CRLF "--" boundary) in the stream with Knuth-Morris-Pratt, passing the bytes between them on. */
    private static final class Reader {
        private final InputStream in;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private int lim;
        private final byte[] delimiter;
        private final int[] fail;
        final String boundaryText;
        private boolean first = true;

        Reader(InputStream in, String boundary) {
            this.in = in;
            this.boundaryText = boundary;
            this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
            this.fail = new int[delimiter.length];
            for (int i = 1, k = 0; i < delimiter.length; i++) {
                while (k > 0 && delimiter[i] != delimiter[k]) {
                    k = fail[k - 1];
                }
                if (delimiter[i] == delimiter[k]) {
                    k++;
                }
                fail[i] = k;
            }
        }

        private int next() throws IOException {
            if (pos == lim) {
                lim = in.read(buf, 0, buf.length);
                pos = 0;
                if (lim <= 0) {
                    lim = 0;
                    return -1;
                }
            }
            return buf[pos++] & 0xff;
        }

        /** Passes bytes to {@code sink} (null: drops them) up to the next delimiter; false at the end of the body. */
        boolean scanTo(Sink sink) throws IOException {
            int j = 0;
            if (first) {
                first = false;
                j = 2;   // the body may start with the boundary line itself: as if a CRLF came before it
            }
            for (int b; (b = next()) >= 0; ) {
                while (j > 0 && b != (delimiter[j] & 0xff)) {
                    int k = fail[j - 1];
                    if (sink != null) {
                        sink.put(delimiter, 0, j - k);
                    }
                    j = k;
                }
                if (b == (delimiter[j] & 0xff)) {
                    if (++j == delimiter.length) {
                        return true;
                    }
                } else if (sink != null) {
                    sink.put(b);
                }
            }
            return false;
        }

        /** After a delimiter: true when a part follows (its headers next), false after the closing "--". */
        boolean afterDelimiter() throws IOException {
            int a = next();
            while (a == ' ' || a == '\t') {
                a = next();
            }
            int b = next();
            if (a == '-' && b == '-') {
                return false;
            }
            if (a == '\r' && b == '\n') {
                return true;
            }
            throw ApiError.badRequest("request body is not multipart/form-data: a boundary line is followed by neither CRLF nor \"--\"");
        }

        /** A part's header lines, up to the empty line. */
        String headers() throws IOException {
            ByteArrayOutputStream h = new ByteArrayOutputStream();
            int prev3 = -1;
            int prev2 = -1;
            int prev1 = -1;
            for (int b; ; ) {
                b = next();
                if (b < 0) {
                    throw ApiError.badRequest("request body ends inside a part's headers");
                }
                h.write(b);
                if (h.size() > MAX_HEADER_BYTES) {
                    throw ApiError.badRequest("a part's headers are longer than " + MAX_HEADER_BYTES + " bytes");
                }
                if (prev3 == '\r' && prev2 == '\n' && prev1 == '\r' && b == '\n') {
                    return h.toString(StandardCharsets.UTF_8);
                }
                if (h.size() == 2 && prev1 == '\r' && b == '\n') {
                    return "";   // a part with no headers
                }
                prev3 = prev2;
                prev2 = prev1;
                prev1 = b;
            }
        }
    }
}
