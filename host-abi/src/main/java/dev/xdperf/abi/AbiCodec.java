package dev.xdperf.abi;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The binary encoding of docs/abi.md: run requests and template sets, little-endian. */
public final class AbiCodec {
    static final byte[] REQUEST_MAGIC = {'X', 'D', 'R', 'Q'};
    static final byte[] SET_MAGIC = {'X', 'D', 'T', 'S'};

    private AbiCodec() {}

    // ---- run request

    public static byte[] encode(RunRequest r) {
        Writer w = new Writer();
        w.bytes(REQUEST_MAGIC);
        w.u16(r.abi().major()).u16(r.abi().minor()).u16(r.mtu()).u16(r.cpus());
        w.bytes(r.srcMac()).bytes(r.dstMac());
        w.u16(r.frameSize()).u16(r.streamBase());
        if (r.srcAddrs().size() > RunRequest.MAX_ADDRS || r.dstAddrs().size() > RunRequest.MAX_ADDRS) {
            throw new AbiException("a run request carries at most " + RunRequest.MAX_ADDRS + " addresses per side");
        }
        w.u8(r.srcAddrs().size()).u8(r.dstAddrs().size()).u16(0);
        r.srcAddrs().forEach(w::addr);
        r.dstAddrs().forEach(w::addr);
        if (r.options().size() > RunRequest.MAX_OPTIONS) {
            throw new AbiException("a run request carries at most " + RunRequest.MAX_OPTIONS + " options");
        }
        w.u16(r.options().size());
        for (Map.Entry<String, String> o : r.options()) {
            w.str(o.getKey()).str(o.getValue());
        }
        return w.toByteArray();
    }

    public static RunRequest decodeRequest(byte[] bytes) {
        Reader in = new Reader(bytes, "run request");
        in.magic(REQUEST_MAGIC);
        AbiVersion abi = new AbiVersion(in.u16(), in.u16());
        int mtu = in.u16();
        int cpus = in.u16();
        byte[] src = in.bytes(6);
        byte[] dst = in.bytes(6);
        int frameSize = in.u16();
        int streamBase = in.u16();
        int ns = in.u8();
        int nd = in.u8();
        in.reserved(2);
        if (ns > RunRequest.MAX_ADDRS || nd > RunRequest.MAX_ADDRS) {
            throw new AbiException("run request: more than " + RunRequest.MAX_ADDRS + " addresses");
        }
        List<InetAddress> srcAddrs = new ArrayList<>();
        for (int i = 0; i < ns; i++) {
            srcAddrs.add(in.addr());
        }
        List<InetAddress> dstAddrs = new ArrayList<>();
        for (int i = 0; i < nd; i++) {
            dstAddrs.add(in.addr());
        }
        int no = in.u16();
        if (no > RunRequest.MAX_OPTIONS) {
            throw new AbiException("run request: " + no + " options, at most " + RunRequest.MAX_OPTIONS);
        }
        List<Map.Entry<String, String>> options = new ArrayList<>();
        for (int i = 0; i < no; i++) {
            options.add(Map.entry(in.str(), in.str()));
        }
        in.end();
        return new RunRequest(abi, mtu, cpus, src, dst, frameSize, streamBase, srcAddrs, dstAddrs, options);
    }

    // ---- template set

    public static byte[] encode(TemplateSet set) {
        Writer w = new Writer();
        w.bytes(SET_MAGIC);
        w.u16(set.abi().major()).u16(set.abi().minor());
        if (set.templates().isEmpty() || set.templates().size() > TemplateSet.MAX_TEMPLATES) {
            throw new AbiException("a template set holds 1.." + TemplateSet.MAX_TEMPLATES + " templates, not " + set.templates().size());
        }
        w.u16(set.templates().size()).u16(0);
        for (PacketTemplate t : set.templates()) {
            if (t.fields().size() > TemplateSet.MAX_FIELDS || t.checksums().size() > TemplateSet.MAX_CHECKSUMS) {
                throw new AbiException("a template holds at most " + TemplateSet.MAX_FIELDS + " field rules and "
                        + TemplateSet.MAX_CHECKSUMS + " checksum rules");
            }
            w.u16(t.length()).u16(t.streamId()).u32(t.weight()).u32(t.flows()).u16(t.mhOffset());
            w.u8(t.fields().size()).u8(t.checksums().size());
            w.bytes(t.frame());
            for (FieldRule f : t.fields()) {
                w.u16(f.offset()).u8(f.width()).u8(f.op().code).u8(f.scope().code).u8(0).u16(f.values().size());
                w.u64(f.min()).u64(f.max()).u64(f.step());
                f.values().forEach(w::u64);
            }
            for (ChecksumRule c : t.checksums()) {
                w.u8(c.kind().code).u8(0).u16(c.l3Offset()).u16(c.l4Offset()).u16(0);
            }
        }
        return w.toByteArray();
    }

    public static TemplateSet decodeSet(byte[] bytes) {
        Reader in = new Reader(bytes, "template set");
        in.magic(SET_MAGIC);
        AbiVersion abi = new AbiVersion(in.u16(), in.u16());
        int nt = in.u16();
        in.reserved(2);
        if (nt < 1 || nt > TemplateSet.MAX_TEMPLATES) {
            throw new AbiException("template set: " + nt + " templates, expected 1.." + TemplateSet.MAX_TEMPLATES);
        }
        List<PacketTemplate> templates = new ArrayList<>(nt);
        for (int t = 0; t < nt; t++) {
            in.where = "template " + t;
            int len = in.u16();
            if (len < TemplateSet.MIN_FRAME || len > TemplateSet.MAX_FRAME) {
                throw new AbiException("template " + t + ": frame length " + len + " is outside "
                        + TemplateSet.MIN_FRAME + ".." + TemplateSet.MAX_FRAME);
            }
            int stream = in.u16();
            long weight = in.u32();
            long flows = in.u32();
            int mh = in.u16();
            int nf = in.u8();
            int nc = in.u8();
            if (nf > TemplateSet.MAX_FIELDS) {
                throw new AbiException("template " + t + ": " + nf + " field rules, at most " + TemplateSet.MAX_FIELDS);
            }
            if (nc > TemplateSet.MAX_CHECKSUMS) {
                throw new AbiException("template " + t + ": " + nc + " checksum rules, at most " + TemplateSet.MAX_CHECKSUMS);
            }
            byte[] frame = in.bytes(len);
            List<FieldRule> fields = new ArrayList<>();
            for (int i = 0; i < nf; i++) {
                in.where = "template " + t + " field rule " + i;
                int off = in.u16();
                int width = in.u8();
                FieldRule.Op op = wrap(in.where, () -> FieldRule.Op.of(in.u8()));
                FieldRule.Scope scope = wrap(in.where, () -> FieldRule.Scope.of(in.u8()));
                in.reserved(1);
                int nl = in.u16();
                long min = in.u64();
                long max = in.u64();
                long step = in.u64();
                if (nl > FieldRule.MAX_LIST) {
                    throw new AbiException(in.where + ": list of " + nl + " values, at most " + FieldRule.MAX_LIST);
                }
                List<Long> values = new ArrayList<>();
                for (int v = 0; v < nl; v++) {
                    values.add(in.u64());
                }
                fields.add(new FieldRule(off, width, op, scope, min, max, step, values));
            }
            List<ChecksumRule> checksums = new ArrayList<>();
            for (int i = 0; i < nc; i++) {
                in.where = "template " + t + " checksum rule " + i;
                ChecksumRule.Kind kind = wrap(in.where, () -> ChecksumRule.Kind.of(in.u8()));
                in.reserved(1);
                int l3 = in.u16();
                int l4 = in.u16();
                in.reserved(2);
                checksums.add(new ChecksumRule(kind, l3, l4));
            }
            templates.add(new PacketTemplate(frame, stream, (int) Math.min(weight, Integer.MAX_VALUE), flows, mh, fields, checksums));
        }
        in.where = "template set";
        in.end();
        return new TemplateSet(abi, templates);
    }

    private static <T> T wrap(String where, java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (AbiException e) {
            throw new AbiException(where + ": " + e.getMessage());
        }
    }

    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Writer u8(int v) {
            out.write(v);
            return this;
        }

        Writer u16(int v) {
            if (v < 0 || v > 0xffff) {
                throw new AbiException("value " + v + " does not fit 16 bits");
            }
            out.write(v);
            out.write(v >>> 8);
            return this;
        }

        Writer u32(long v) {
            if (v < 0 || v > 0xffffffffL) {
                throw new AbiException("value " + v + " does not fit 32 bits");
            }
            for (int i = 0; i < 4; i++) {
                out.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        Writer u64(long v) {
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        Writer str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u16(b.length);
            return bytes(b);
        }

        Writer addr(InetAddress a) {
            u8(a instanceof Inet6Address ? 6 : 4);
            return bytes(a.getAddress());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    static final class Reader {
        private final ByteBuffer b;
        private final String what;
        String where;

        Reader(byte[] bytes, String what) {
            this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            this.what = what;
            this.where = what;
        }

        private void need(int n) {
            if (b.remaining() < n) {
                throw new AbiException(where + ": truncated at byte " + b.position() + " (needs " + n + " more)");
            }
        }

        void magic(byte[] m) {
            need(4);
            byte[] got = bytes(4);
            if (!java.util.Arrays.equals(got, m)) {
                throw new AbiException(what + ": bad magic (expected \"" + new String(m, StandardCharsets.US_ASCII) + "\")");
            }
        }

        int u8() {
            need(1);
            return b.get() & 0xff;
        }

        int u16() {
            need(2);
            return b.getShort() & 0xffff;
        }

        long u32() {
            need(4);
            return b.getInt() & 0xffffffffL;
        }

        long u64() {
            need(8);
            return b.getLong();
        }

        byte[] bytes(int n) {
            need(n);
            byte[] out = new byte[n];
            b.get(out);
            return out;
        }

        void reserved(int n) {
            int at = b.position();
            for (byte x : bytes(n)) {
                if (x != 0) {
                    throw new AbiException(where + ": reserved byte at " + at + " is not 0");
                }
            }
        }

        String str() {
            int n = u16();
            byte[] raw = bytes(n);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(raw)).toString();
            } catch (CharacterCodingException e) {
                throw new AbiException(where + ": a string is not UTF-8");
            }
        }

        InetAddress addr() {
            int family = u8();
            int len = switch (family) {
                case 4 -> 4;
                case 6 -> 16;
                default -> throw new AbiException(where + ": address family " + family + " is not 4 or 6");
            };
            try {
                InetAddress a = InetAddress.getByAddress(bytes(len));
                if (family == 6 && a instanceof Inet4Address) {
                    // an IPv4-mapped IPv6 address: keep it as IPv6 bytes
                    return Inet6Address.getByAddress(null, a.getAddress().length == 16 ? a.getAddress() : mapped(a), null);
                }
                return a;
            } catch (UnknownHostException e) {
                throw new AbiException(where + ": bad address");
            }
        }

        private static byte[] mapped(InetAddress v4) {
            byte[] out = new byte[16];
            out[10] = (byte) 0xff;
            out[11] = (byte) 0xff;
            System.arraycopy(v4.getAddress(), 0, out, 12, 4);
            return out;
        }

        void end() {
            if (b.hasRemaining()) {
                throw new AbiException(what + ": " + b.remaining() + " trailing bytes after the end");
            }
        }
    }
}
