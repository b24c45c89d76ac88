package dev.xdperf.features;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * IPFIX (RFC 7011) to a file or a UDP collector. The templates open the stream and follow
 * every export ({@link #flush}) again (RFC 7011 section 8.4: over UDP they must be resent);
 * data sets go out whenever a message is full, so memory stays flat in the per-packet tiers;
 * messages stay below {@value #UDP_MESSAGE} bytes on UDP. Standard information
 * elements only: one template for IPv4 and one for IPv6 flows, an options template that
 * carries the sampling rate (samplingPacketInterval 305 / samplingPacketSpace 306,
 * RFC 5477), and one that carries completeness (exportedFlowRecordTotalCount 42,
 * notSentFlowTotalCount 166, ignoredPacketTotalCount 164). A per-packet record is a flow of
 * one packet whose start and end are its arrival time.
 */
final class IpfixFeatureWriter implements FeatureWriter {
    static final int VERSION = 10;
    static final int TEMPLATE_SET = 2;
    static final int OPTIONS_TEMPLATE_SET = 3;
    static final int TEMPLATE_V4 = 256;
    static final int TEMPLATE_V6 = 257;
    static final int TEMPLATE_SAMPLING = 258;
    static final int TEMPLATE_COMPLETENESS = 259;
    static final int UDP_MESSAGE = 1400;
    static final int FILE_MESSAGE = 65000;
    static final long NTP_OFFSET = 2_208_988_800L;   // seconds from 1900-01-01 to 1970-01-01

    // Information elements (IANA registry) and their lengths in our templates.
    static final int[][] FLOW_V4 = {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 2}, {2, 8}, {1, 8}, {156, 8}, {157, 8}};
    static final int[][] FLOW_V6 = {{27, 16}, {28, 16}, {7, 2}, {11, 2}, {4, 1}, {6, 2}, {2, 8}, {1, 8}, {156, 8}, {157, 8}};
    static final int OBSERVATION_DOMAIN_ID = 149;
    static final int[][] SAMPLING = {{OBSERVATION_DOMAIN_ID, 4}, {305, 4}, {306, 4}};
    static final int[][] COMPLETENESS = {{OBSERVATION_DOMAIN_ID, 4}, {42, 8}, {166, 8}, {164, 8}};

    private final OutputStream file;
    private final DatagramSocket socket;
    private final InetSocketAddress collector;
    private final int maxMessage;
    private final int domain;
    private final FeatureTier tier;
    private final List<byte[]> v4 = new ArrayList<>();
    private final List<byte[]> v6 = new ArrayList<>();
    private int v4Bytes;
    private int v6Bytes;
    private long sequence;       // data records sent before the current message (RFC 7011 3.1)
    private long written;

    private IpfixFeatureWriter(OutputStream file, DatagramSocket socket, InetSocketAddress collector, FeatureMetadata meta,
                               int domain) {
        this.file = file;
        this.socket = socket;
        this.collector = collector;
        this.maxMessage = socket != null ? UDP_MESSAGE : FILE_MESSAGE;
        this.domain = domain;
        this.tier = meta.tier();
    }

    static IpfixFeatureWriter toFile(OutputStream out, FeatureMetadata meta, int domain) throws IOException {
        IpfixFeatureWriter w = new IpfixFeatureWriter(new java.io.BufferedOutputStream(out, 1 << 16), null, null, meta, domain);
        w.send(w.header(), 0);
        return w;
    }

    static IpfixFeatureWriter toCollector(InetSocketAddress collector, FeatureMetadata meta, int domain) throws IOException {
        DatagramSocket s = new DatagramSocket();
        IpfixFeatureWriter w = new IpfixFeatureWriter(null, s, collector, meta, domain);
        w.send(w.header(), 0);
        return w;
    }

    @Override
    public void packet(PacketRecord r) throws IOException {
        byte[] a = java.util.Arrays.copyOf(r.src, r.addressLength());
        byte[] b = java.util.Arrays.copyOf(r.dst, r.addressLength());
        add(r.family, a, b, r.sport, r.dport, r.proto, r.tcpFlags, 1, r.len, r.timeNs, r.timeNs);
    }

    @Override
    public void flow(FlowRecord f) throws IOException {
        FlowKey k = f.key();
        add(k.family(), k.src(), k.dst(), k.sport(), k.dport(), k.proto(), f.tcpFlags(), f.packets(), f.bytes(),
                f.firstNs(), f.lastNs());
    }

    private void add(int family, byte[] src, byte[] dst, int sport, int dport, int proto, int flags, long packets,
                     long bytes, long startNs, long endNs) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(2 * src.length + 2 + 2 + 1 + 2 + 8 + 8 + 8 + 8);
        b.put(src).put(dst).putShort((short) sport).putShort((short) dport).put((byte) proto).putShort((short) flags)
                .putLong(packets).putLong(bytes).putLong(ntp(startNs)).putLong(ntp(endNs));
        byte[] rec = b.array();
        int id = family == 6 ? TEMPLATE_V6 : TEMPLATE_V4;
        // Message header 16 + set header 4: send the set before the message would overflow.
        if (20 + (family == 6 ? v6Bytes : v4Bytes) + rec.length > maxMessage) {
            sendData(id);
        }
        (family == 6 ? v6 : v4).add(rec);
        if (family == 6) {
            v6Bytes += rec.length;
        } else {
            v4Bytes += rec.length;
        }
        written++;
    }

    /** dateTimeNanoseconds (RFC 7011 6.1.10): NTP seconds since 1900 and a binary fraction. */
    static long ntp(long unixNs) {
        long sec = Math.floorDiv(unixNs, 1_000_000_000L);
        long ns = Math.floorMod(unixNs, 1_000_000_000L);
        long frac = (ns << 32) / 1_000_000_000L;
        return ((sec + NTP_OFFSET) << 32) | frac;
    }

    private static byte[] template(int id, int[][] fields) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * fields.length);
        b.putShort((short) id).putShort((short) fields.length);
        for (int[] f : fields) {
            b.putShort((short) f[0]).putShort((short) f[1]);
        }
        return b.array();
    }

    private static byte[] optionsTemplate(int id, int[][] fields) {
        ByteBuffer b = ByteBuffer.allocate(6 + 4 * fields.length);
        b.putShort((short) id).putShort((short) fields.length).putShort((short) 1);   // one scope field
        for (int[] f : fields) {
            b.putShort((short) f[0]).putShort((short) f[1]);
        }
        return b.array();
    }

    private static byte[] set(int id, List<byte[]> records) {
        int len = 4;
        for (byte[] r : records) {
            len += r.length;
        }
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putShort((short) id).putShort((short) len);
        records.forEach(b::put);
        return b.array();
    }

    /** The templates and the sampling options record, as the sets that open every export. */
    private List<byte[]> header() {
        List<byte[]> sets = new ArrayList<>();
        sets.add(set(TEMPLATE_SET, List.of(template(TEMPLATE_V4, FLOW_V4), template(TEMPLATE_V6, FLOW_V6))));
        sets.add(set(OPTIONS_TEMPLATE_SET, List.of(optionsTemplate(TEMPLATE_SAMPLING, SAMPLING),
                optionsTemplate(TEMPLATE_COMPLETENESS, COMPLETENESS))));
        ByteBuffer s = ByteBuffer.allocate(12);
        s.putInt(domain).putInt(1).putInt(tier.sampleN() - 1);
        sets.add(set(TEMPLATE_SAMPLING, List.of(s.array())));
        return sets;
    }

    /** Sends the buffered data records and then the templates again (UDP collectors may have missed them). */
    @Override
    public void flush() throws IOException {
        sendData(TEMPLATE_V4);
        sendData(TEMPLATE_V6);
        send(header(), 0);
        if (file != null) {
            file.flush();
        }
    }

    private void sendData(int templateId) throws IOException {
        List<byte[]> pending = templateId == TEMPLATE_V4 ? v4 : v6;
        if (pending.isEmpty()) {
            return;
        }
        send(List.of(set(templateId, pending)), pending.size());
        pending.clear();
        if (templateId == TEMPLATE_V4) {
            v4Bytes = 0;
        } else {
            v6Bytes = 0;
        }
    }

    private void send(List<byte[]> sets, long records) throws IOException {
        if (sets.isEmpty()) {
            return;
        }
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        int len = 16 + sets.stream().mapToInt(x -> x.length).sum();
        ByteBuffer h = ByteBuffer.allocate(16);
        h.putShort((short) VERSION).putShort((short) len).putInt((int) (System.currentTimeMillis() / 1000))
                .putInt((int) sequence).putInt(domain);
        m.write(h.array());
        for (byte[] s : sets) {
            m.write(s);
        }
        byte[] bytes = m.toByteArray();
        if (socket != null) {
            socket.send(new DatagramPacket(bytes, bytes.length, collector));
        } else {
            file.write(bytes);
        }
        sequence += records;
    }

    @Override
    public void finish(Map<String, Long> summary) throws IOException {
        flush();
        ByteBuffer c = ByteBuffer.allocate(28);
        c.putInt(domain).putLong(written).putLong(summary.getOrDefault("records_lost", 0L))
                .putLong(summary.getOrDefault("packets_without_features", 0L));
        send(List.of(set(TEMPLATE_COMPLETENESS, List.of(c.array()))), 0);
        close();
    }

    @Override
    public long written() {
        return written;
    }

    @Override
    public void close() throws IOException {
        if (file != null) {
            file.close();
        }
        if (socket != null) {
            socket.close();
        }
    }
}
