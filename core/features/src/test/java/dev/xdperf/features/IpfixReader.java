package dev.xdperf.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small IPFIX (RFC 7011) reader for the tests, written from the RFC: messages, template
 * and options template sets, data sets decoded with their templates. It checks the framing
 * (version, lengths, set padding) as it goes.
 */
final class IpfixReader {
    /** A template: information element ids and lengths, and how many are scope fields. */
    record Template(int id, int[] ies, int[] lengths, int scopeCount) {
        int recordLength() {
            int n = 0;
            for (int l : lengths) {
                n += l;
            }
            return n;
        }
    }

    /** A data record: the template it came with and its values by information element. */
    record DataRecord(int templateId, Map<Integer, byte[]> values) {
        long number(int ie) {
            byte[] v = values.get(ie);
            assertTrue(v != null, "record of template " + templateId + " has no IE " + ie);
            long n = 0;
            for (byte b : v) {
                n = n << 8 | (b & 0xff);
            }
            return n;
        }

        byte[] bytes(int ie) {
            return values.get(ie);
        }
    }

    final Map<Integer, Template> templates = new HashMap<>();
    final List<DataRecord> records = new ArrayList<>();
    final List<Long> sequenceNumbers = new ArrayList<>();
    int messages;
    int observationDomain;

    /** Reads a stream of concatenated messages (a file) or one message (a datagram). */
    IpfixReader read(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.remaining() > 0) {
            int start = b.position();
            assertEquals(10, b.getShort() & 0xffff, "IPFIX version");
            int length = b.getShort() & 0xffff;
            assertTrue(length >= 16 && start + length <= bytes.length, "message length " + length);
            b.getInt();   // export time
            sequenceNumbers.add(b.getInt() & 0xffffffffL);
            observationDomain = b.getInt();
            messages++;
            int end = start + length;
            while (b.position() < end) {
                int setStart = b.position();
                int setId = b.getShort() & 0xffff;
                int setLength = b.getShort() & 0xffff;
                assertTrue(setLength >= 4 && setStart + setLength <= end, "set length " + setLength);
                int setEnd = setStart + setLength;
                if (setId == 2 || setId == 3) {
                    while (setEnd - b.position() >= 4) {
                        int id = b.getShort() & 0xffff;
                        int count = b.getShort() & 0xffff;
                        int scope = setId == 3 ? b.getShort() & 0xffff : 0;
                        int[] ies = new int[count];
                        int[] lengths = new int[count];
                        for (int i = 0; i < count; i++) {
                            ies[i] = b.getShort() & 0xffff;
                            lengths[i] = b.getShort() & 0xffff;
                            assertTrue((ies[i] & 0x8000) == 0, "only IANA information elements expected");
                        }
                        assertTrue(id >= 256, "template id " + id);
                        templates.put(id, new Template(id, ies, lengths, scope));
                    }
                } else {
                    assertTrue(setId >= 256, "set id " + setId);
                    Template t = templates.get(setId);
                    assertTrue(t != null, "data set " + setId + " before its template");
                    while (setEnd - b.position() >= t.recordLength()) {
                        Map<Integer, byte[]> v = new LinkedHashMap<>();
                        for (int i = 0; i < t.ies.length; i++) {
                            byte[] field = new byte[t.lengths[i]];
                            b.get(field);
                            v.put(t.ies[i], field);
                        }
                        records.add(new DataRecord(setId, v));
                    }
                }
                b.position(setEnd);
            }
            assertEquals(end, b.position(), "sets fill the message");
        }
        return this;
    }

    List<DataRecord> withTemplate(int id) {
        return records.stream().filter(r -> r.templateId == id).toList();
    }

    /** Data records whose template carries information element {@code ie}. */
    List<DataRecord> having(int ie) {
        return records.stream().filter(r -> r.values.containsKey(ie)).toList();
    }

    /** dateTimeNanoseconds back to Unix nanoseconds. */
    static long unixNanos(long ntp) {
        long sec = (ntp >>> 32) - IpfixFeatureWriter.NTP_OFFSET;
        long frac = ntp & 0xffffffffL;
        return sec * 1_000_000_000L + ((frac * 1_000_000_000L + (1L << 31)) >>> 32);
    }
}
