package dev.xdperf.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every writer, read back by an independent reader: CSV and JSON by hand and Jackson, Arrow by Arrow Java, IPFIX by IpfixReader. */
class WritersTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static PacketRecord packet(int i, boolean v6) throws Exception {
        PacketRecord r = new PacketRecord();
        r.timeNs = 1_700_000_000_123_456_789L + i;
        r.family = v6 ? 6 : 4;
        byte[] s = InetAddress.getByName(v6 ? "fd00:5844::1" : "198.18.0.1").getAddress();
        byte[] d = InetAddress.getByName(v6 ? "fd00:5844::2" : "198.18.0.2").getAddress();
        System.arraycopy(s, 0, r.src, 0, s.length);
        System.arraycopy(d, 0, r.dst, 0, d.length);
        r.sport = 1000 + i;
        r.dport = 5201;
        r.proto = v6 ? 6 : 17;
        r.len = 64 + i;
        r.vlan = i % 2 == 0 ? 100 + i : -1;
        r.tcpFlags = v6 ? 0x12 : 0;
        r.xdperf = i % 3 != 0;
        r.stream = 7;
        r.txCpu = 1;
        r.seq = 4_000_000_000L + i;
        return r;
    }

    static List<PacketRecord> packets() throws Exception {
        List<PacketRecord> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.add(packet(i, i >= 5));
        }
        return out;
    }

    static FlowRecord flow(int i, boolean v6) throws Exception {
        PacketRecord p = packet(i, v6);
        return new FlowRecord(new FlowKey(FrameParser.flowKey(p)), 100 + i, 6400 + i, 1_700_000_000_000_000_000L + i,
                1_700_000_001_000_000_000L + i, 0x1b);
    }

    private Path write(FeatureFormat format, FeatureTier tier, boolean flows) throws Exception {
        Path f = dir.resolve("out." + format.extension);
        FeatureWriter w = FeatureWriters.open(format, f.toString(), new FeatureMetadata("xdp", "eth9", tier, 42));
        if (flows) {
            w.flow(flow(1, false));
            w.flow(flow(2, true));
        } else {
            for (PacketRecord p : packets()) {
                w.packet(p);
            }
        }
        w.finish(Map.of("records_lost", 3L, "packets_without_features", 4L));
        return f;
    }

    @Test
    void csvHasMetadataHeaderRowsAndSummary() throws Exception {
        List<String> lines = Files.readAllLines(write(FeatureFormat.CSV, FeatureTier.sampled(10), false));
        assertTrue(lines.contains("# sampling_rate=10"), lines::toString);
        assertTrue(lines.contains("# tier=sampled"));
        List<String> data = lines.stream().filter(l -> !l.startsWith("#")).toList();
        assertEquals(String.join(",", FeatureWriter.PACKET_COLUMNS), data.get(0));
        assertEquals(11, data.size());
        assertEquals("1700000000123456789,4,198.18.0.1,198.18.0.2,1000,5201,17,64,100,0,,,", data.get(1));
        assertEquals("1700000000123456790,4,198.18.0.1,198.18.0.2,1001,5201,17,65,,0,7,1,4000000001", data.get(2));
        assertEquals("1700000000123456794,6,fd00:5844::1,fd00:5844::2,1005,5201,6,69,,18,7,1,4000000005", data.get(6));
        assertTrue(lines.contains("# summary records_lost=3"));
    }

    @Test
    void jsonLinesStartWithMetaAndEndWithSummary() throws Exception {
        List<String> lines = Files.readAllLines(write(FeatureFormat.JSONL, FeatureTier.FLOWS, true));
        assertEquals(4, lines.size());
        JsonNode meta = JSON.readTree(lines.get(0)).path("meta");
        assertEquals("flows", meta.path("tier").asText());
        assertEquals("1", meta.path("sampling_rate").asText());
        JsonNode v4 = JSON.readTree(lines.get(1));
        assertEquals("198.18.0.1", v4.path("src").asText());
        assertEquals(101, v4.path("packets").asLong());
        assertEquals(0x1b, v4.path("tcp_flags").asInt());
        JsonNode v6 = JSON.readTree(lines.get(2));
        assertEquals("fd00:5844::2", v6.path("dst").asText());
        assertEquals(6, v6.path("proto").asInt());
        assertEquals(3, JSON.readTree(lines.get(3)).path("summary").path("records_lost").asLong());
    }

    @Test
    void jsonNullsForAbsentFields() throws Exception {
        List<String> lines = Files.readAllLines(write(FeatureFormat.JSONL, FeatureTier.FULL, false));
        JsonNode first = JSON.readTree(lines.get(1));
        assertTrue(first.path("stream_id").isNull());
        assertEquals(100, first.path("vlan").asInt());
        JsonNode second = JSON.readTree(lines.get(2));
        assertTrue(second.path("vlan").isNull());
        assertEquals(4_000_000_001L, second.path("seq").asLong());
    }

    @Test
    void arrowStreamReadsBackWithArrowJava() throws Exception {
        Path f = write(FeatureFormat.ARROW, FeatureTier.sampled(100), false);
        try (RootAllocator alloc = new RootAllocator();
             ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(Files.readAllBytes(f)), alloc)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            assertEquals("100", root.getSchema().getCustomMetadata().get("sampling_rate"));
            assertEquals("xdp", root.getSchema().getCustomMetadata().get("receiver"));
            assertEquals(List.of(FeatureWriter.PACKET_COLUMNS),
                    root.getSchema().getFields().stream().map(x -> x.getName()).toList());
            assertEquals(new ArrowType.Int(64, true), root.getSchema().findField("time_ns").getType());
            assertTrue(reader.loadNextBatch());
            assertEquals(10, root.getRowCount());
            List<PacketRecord> expected = packets();
            for (int i = 0; i < 10; i++) {
                PacketRecord p = expected.get(i);
                assertEquals(p.timeNs, ((BigIntVector) root.getVector("time_ns")).get(i));
                assertEquals(p.srcText().replace("fd00:5844:0:0:0:0:0:1", "fd00:5844::1"),
                        new String(((VarCharVector) root.getVector("src")).get(i)));
                assertEquals(p.sport, ((UInt2Vector) root.getVector("sport")).get(i) & 0xffff);
                assertEquals(p.proto, ((UInt1Vector) root.getVector("proto")).get(i) & 0xff);
                UInt2Vector vlan = (UInt2Vector) root.getVector("vlan");
                assertEquals(p.vlan < 0, vlan.isNull(i), "vlan null at " + i);
                if (p.vlan >= 0) {
                    assertEquals(p.vlan, vlan.get(i));
                }
                UInt4Vector seq = (UInt4Vector) root.getVector("seq");
                assertEquals(!p.xdperf, seq.isNull(i));
                if (p.xdperf) {
                    assertEquals(p.seq, Integer.toUnsignedLong(seq.get(i)));
                }
            }
            assertFalse(reader.loadNextBatch());
        }
    }

    @Test
    void arrowSplitsLargeOutputsIntoBatches() throws Exception {
        Path f = dir.resolve("big.arrow");
        FeatureWriter w = FeatureWriters.open(FeatureFormat.ARROW, f.toString(), new FeatureMetadata("af_packet", "eth9", FeatureTier.FULL, 1));
        PacketRecord p = packet(1, false);
        int n = ArrowFeatureWriter.BATCH + 1000;
        for (int i = 0; i < n; i++) {
            p.seq = i;
            w.packet(p);
        }
        w.finish(Map.of());
        long rows = 0;
        long sum = 0;
        try (RootAllocator alloc = new RootAllocator();
             ArrowStreamReader reader = new ArrowStreamReader(Files.newInputStream(f), alloc)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            while (reader.loadNextBatch()) {
                for (int i = 0; i < root.getRowCount(); i++) {
                    sum += Integer.toUnsignedLong(((UInt4Vector) root.getVector("seq")).get(i));
                }
                rows += root.getRowCount();
            }
        }
        assertEquals(n, rows);
        assertEquals((long) n * (n - 1) / 2, sum);
    }

    @Test
    void ipfixHasTemplatesWithStandardElementsAndTheRecords() throws Exception {
        Path f = write(FeatureFormat.IPFIX, FeatureTier.FLOWS, true);
        IpfixReader r = new IpfixReader().read(Files.readAllBytes(f));
        IpfixReader.Template v4 = r.templates.get(IpfixFeatureWriter.TEMPLATE_V4);
        assertArrayEquals(new int[] {8, 12, 7, 11, 4, 6, 2, 1, 156, 157}, v4.ies());
        assertArrayEquals(new int[] {27, 28, 7, 11, 4, 6, 2, 1, 156, 157}, r.templates.get(IpfixFeatureWriter.TEMPLATE_V6).ies());
        IpfixReader.DataRecord a = r.withTemplate(IpfixFeatureWriter.TEMPLATE_V4).get(0);
        assertArrayEquals(InetAddress.getByName("198.18.0.1").getAddress(), a.bytes(8));
        assertEquals(1001, a.number(7));
        assertEquals(5201, a.number(11));
        assertEquals(17, a.number(4));
        assertEquals(101, a.number(2));
        assertEquals(6401, a.number(1));
        assertEquals(0x1b, a.number(6));
        FlowRecord expected = flow(1, false);
        assertEquals(expected.firstNs(), IpfixReader.unixNanos(a.number(156)), 1);
        assertEquals(expected.lastNs(), IpfixReader.unixNanos(a.number(157)), 1);
        IpfixReader.DataRecord b = r.withTemplate(IpfixFeatureWriter.TEMPLATE_V6).get(0);
        assertArrayEquals(InetAddress.getByName("fd00:5844::2").getAddress(), b.bytes(28));
        IpfixReader.DataRecord sampling = r.having(305).get(0);
        assertEquals(1, sampling.number(305));
        assertEquals(0, sampling.number(306));
        IpfixReader.DataRecord done = r.having(166).get(0);
        assertEquals(2, done.number(42), "exportedFlowRecordTotalCount");
        assertEquals(3, done.number(166), "notSentFlowTotalCount");
        assertEquals(4, done.number(164), "ignoredPacketTotalCount");
        assertEquals(2, r.records.stream().filter(x -> x.templateId() < 258).count());
    }

    @Test
    void ipfixCarriesTheSamplingRate() throws Exception {
        IpfixReader r = new IpfixReader().read(Files.readAllBytes(write(FeatureFormat.IPFIX, FeatureTier.sampled(64), false)));
        IpfixReader.DataRecord s = r.having(305).get(0);
        assertEquals(1, s.number(305), "samplingPacketInterval");
        assertEquals(63, s.number(306), "samplingPacketSpace");
        assertEquals(10, r.withTemplate(IpfixFeatureWriter.TEMPLATE_V4).size() + r.withTemplate(IpfixFeatureWriter.TEMPLATE_V6).size());
        assertEquals(1, r.withTemplate(IpfixFeatureWriter.TEMPLATE_V4).get(0).number(2), "a packet is a flow of one");
    }

    @Test
    void ipfixSequenceNumbersCountDataRecords() throws Exception {
        Path f = dir.resolve("many.ipfix");
        FeatureWriter w = FeatureWriters.open(FeatureFormat.IPFIX, f.toString(), new FeatureMetadata("xdp", "eth9", FeatureTier.FULL, 1));
        PacketRecord p = packet(1, false);
        for (int i = 0; i < 5000; i++) {
            w.packet(p);
        }
        w.finish(Map.of());
        IpfixReader r = new IpfixReader().read(Files.readAllBytes(f));
        assertEquals(5000, r.withTemplate(IpfixFeatureWriter.TEMPLATE_V4).size());
        assertTrue(r.messages > 2, "records are spread over several messages");
        long last = r.sequenceNumbers.get(r.sequenceNumbers.size() - 1);
        assertEquals(5000, last, "the last message follows all 5000 data records");
    }

    @Test
    void udpOutputNeedsIpfix() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FeatureWriters.open(FeatureFormat.CSV, "udp://127.0.0.1:4739", new FeatureMetadata("xdp", "x", FeatureTier.FLOWS, 1)));
        assertTrue(e.getMessage().contains("IPFIX"), e.getMessage());
        assertNull(null);
    }
}
