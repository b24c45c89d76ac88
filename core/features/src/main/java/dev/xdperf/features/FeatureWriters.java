package dev.xdperf.features;

import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Opens the writer for an output: a file, "-" for standard output, or udp://HOST:PORT (IPFIX). */
public final class FeatureWriters {
    private FeatureWriters() {}

    public static FeatureWriter open(FeatureFormat format, String out, FeatureMetadata meta) {
        try {
            if (out.startsWith("udp://")) {
                if (format != FeatureFormat.IPFIX) {
                    throw new IllegalArgumentException("--features-out " + out + ": a UDP collector takes IPFIX, not "
                            + format.extension + " (use --features-format ipfix)");
                }
                return IpfixFeatureWriter.toCollector(collector(out), meta, (int) (ProcessHandle.current().pid() & 0x7fffffff));
            }
            OutputStream stream = out.equals("-") ? new FilterOutputStream(System.out) {
                @Override
                public void close() throws IOException {
                    flush();   // leave standard output open for the report
                }
            } : new FileOutputStream(Path.of(out).toFile());
            return switch (format) {
                case CSV -> new TextFeatureWriter(stream, false, meta);
                case JSONL -> new TextFeatureWriter(stream, true, meta);
                case ARROW -> new ArrowFeatureWriter(stream, meta);
                case IPFIX -> IpfixFeatureWriter.toFile(stream, meta, (int) (ProcessHandle.current().pid() & 0x7fffffff));
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("open --features-out " + out + ": " + e.getMessage());
        }
    }

    static InetSocketAddress collector(String out) {
        try {
            URI u = new URI(out);
            if (u.getHost() == null || u.getPort() < 1) {
                throw new IllegalArgumentException("--features-out " + out + " is not udp://HOST:PORT");
            }
            InetSocketAddress a = new InetSocketAddress(u.getHost(), u.getPort());
            if (a.isUnresolved()) {
                throw new IllegalArgumentException("--features-out " + out + ": cannot resolve " + u.getHost());
            }
            return a;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--features-out " + out + " is not udp://HOST:PORT");
        }
    }
}
