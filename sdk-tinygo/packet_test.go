package xdperf

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

var (
	testSrcMAC = MustParseMAC("02:00:00:00:00:01")
	testDstMAC = MustParseMAC("02:00:00:00:00:02")
	testSrc4   = MustParseAddr("198.18.0.1")
	testDst4   = MustParseAddr("198.18.0.2")
	testSrc6   = MustParseAddr("fd00:5844::1")
	testDst6   = MustParseAddr("fd00:5844::2")
)

// ---- an independent checksum reference, written straight from RFC 1071 / 768 / 793 /
// 8200 §8.1 / 4443 §2.3, sharing no code with checksum.go: it builds the pseudo-header as
// bytes and sums 16-bit words with encoding/binary into a uint64.

func refSum(data []byte) uint16 {
	if len(data)%2 == 1 {
		data = append(append([]byte(nil), data...), 0)
	}
	var s uint64
	for i := 0; i < len(data); i += 2 {
		s += uint64(binary.BigEndian.Uint16(data[i:]))
	}
	for s > 0xffff {
		s = (s >> 16) + (s & 0xffff)
	}
	return ^uint16(s)
}

func refPseudo(ip []byte, proto byte, l4len int) []byte {
	var p []byte
	switch ip[0] >> 4 {
	case 4: // RFC 768 / 793: src, dst, zero, protocol, length (16 bits)
		p = append(p, ip[12:20]...)
		p = append(p, 0, proto, byte(l4len>>8), byte(l4len))
	case 6: // RFC 8200 §8.1: src, dst, upper-layer length (32 bits), 3 zero bytes, next header
		p = append(p, ip[8:40]...)
		p = binary.BigEndian.AppendUint32(p, uint32(l4len))
		p = append(p, 0, 0, 0, proto)
	}
	return p
}

// refVerify checks every checksum of a frame built by Builder: the IPv4 header sums to
// zero, the L4 segment (with its pseudo-header where one applies) sums to zero, and the
// IP and UDP length fields agree with the frame.
func refVerify(t *testing.T, f *Frame) {
	t.Helper()
	b := f.Bytes
	ip := b[f.L3:]
	switch f.IPVersion {
	case 4:
		if got := refSum(ip[:20]); got != 0 {
			t.Errorf("IPv4 header does not verify (residue %#04x)", got)
		}
		if tl := int(binary.BigEndian.Uint16(ip[2:])); tl != len(ip) {
			t.Errorf("IPv4 total length %d, frame has %d bytes from L3", tl, len(ip))
		}
	case 6:
		if pl := int(binary.BigEndian.Uint16(ip[4:])); pl != len(ip)-40 {
			t.Errorf("IPv6 payload length %d, want %d", pl, len(ip)-40)
		}
	}
	seg := b[f.L4:]
	var pseudo []byte
	if f.L4Proto != ProtoICMP {
		pseudo = refPseudo(ip, f.L4Proto, len(seg))
	}
	if got := refSum(append(pseudo, seg...)); got != 0 {
		t.Errorf("L4 (protocol %d) checksum does not verify (residue %#04x)", f.L4Proto, got)
	}
	if f.L4Proto == ProtoUDP {
		if ul := int(binary.BigEndian.Uint16(seg[4:])); ul != len(seg) {
			t.Errorf("UDP length %d, want %d", ul, len(seg))
		}
		if binary.BigEndian.Uint16(seg[6:]) == 0 {
			t.Errorf("UDP checksum written as 0")
		}
	}
}

func mustBuild(t *testing.T, b *Builder) *Frame {
	t.Helper()
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func hexBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Frames produced by a second, independent implementation (scapy 2.5.0, which computes
// its own lengths and checksums); the builder must match them byte for byte.
func TestBuilderMatchesIndependentVectors(t *testing.T) {
	pl56 := make([]byte, 56)
	for i := range pl56 {
		pl56[i] = byte(i)
	}
	cases := []struct {
		name  string
		build *Builder
		want  string
	}{
		{"vlan ipv4 udp",
			NewBuilder().Ethernet(testSrcMAC, testDstMAC).VLAN(100, 5).
				IPv4With(testSrc4, testDst4, IPv4Header{TOS: 0x10, ID: 0x1234, DontFragment: true, TTL: 64}).
				UDP(1234, 5678).Payload([]byte("hello, xdperf")),
			"0200000000020200000000018100a0640800451000291234400040119c58c6120001c612000204d2162e0015c44268656c6c6f2c20786470657266"},
		{"ipv6 udp",
			NewBuilder().Ethernet(testSrcMAC, testDstMAC).
				IPv6With(testSrc6, testDst6, IPv6Header{TrafficClass: 0x20, FlowLabel: 0x12345}).
				UDP(1000, 9).Payload([]byte("1234567")),
			"02000000000202000000000186dd62012345000f1140fd005844000000000000000000000001fd00584400000000000000000000000203e80009000f80b531323334353637"},
		{"ipv4 tcp syn with mss, sack, timestamps, wscale",
			NewBuilder().Ethernet(testSrcMAC, testDstMAC).
				IPv4With(testSrc4, testDst4, IPv4Header{ID: 1, DontFragment: true}).
				TCP(TCPHeader{SrcPort: 40000, DstPort: 80, Seq: 0x01020304, Flags: TCPSyn, Window: 64240,
					MSS: 1460, SACKPermitted: true, Timestamps: true, TSVal: 123456, HasWindowScale: true, WindowScale: 7}),
			"02000000000202000000000108004500003c000140004006ae93c6120001c61200029c4000500102030400000000a002faf03e0f0000020405b40402080a0001e2400000000001030307"},
		{"ipv6 tcp with timestamps",
			NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv6(testSrc6, testDst6).
				TCP(TCPHeader{SrcPort: 443, DstPort: 50000, Seq: 1000, Ack: 2000, Flags: TCPPsh | TCPAck, Window: 501,
					Timestamps: true, TSVal: 7, TSEcr: 9}).
				Payload([]byte("abcde")),
			"02000000000202000000000186dd6000000000250640fd005844000000000000000000000001fd00584400000000000000000000000201bbc350000003e8000007d0801801f5cf9300000101080a00000007000000096162636465"},
		{"ipv4 icmp echo",
			NewBuilder().Ethernet(testSrcMAC, testDstMAC).
				IPv4With(testSrc4, testDst4, IPv4Header{ID: 1, DontFragment: true}).
				ICMPEcho(0x4242, 7).Payload(pl56),
			"020000000002020000000001080045000054000140004001ae80c6120001c61200020800bea342420007000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637"},
		{"ipv6 icmpv6 echo",
			NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv6(testSrc6, testDst6).
				ICMPv6Echo(0x4242, 7).Payload(pl56),
			"02000000000202000000000186dd6000000000403a40fd005844000000000000000000000001fd00584400000000000000000000000280009b9b42420007000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mustBuild(t, c.build)
			want := hexBytes(t, c.want)
			if !bytes.Equal(f.Bytes, want) {
				t.Fatalf("frame differs\n got %x\nwant %x", f.Bytes, want)
			}
			refVerify(t, f)
			if !VerifyChecksums(f.Bytes, f.Checksums) {
				t.Errorf("VerifyChecksums refuses the frame")
			}
		})
	}
}

// The frame the Java golden vector set-basic carries (its checksums filled by the host's
// ChecksumFiller): built with the builder's defaults it must come out identical.
func TestBuilderMatchesJavaGoldenFrame(t *testing.T) {
	f := mustBuild(t, NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc4, testDst4).
		UDP(5201, 5201).MeasurementHeader(0).PadTo(64))
	want := hexBytes(t, "020000000002020000000001080045000032000040004011ae93c6120001c612000214511451001ef20758df0000000000000000000000000000000100000000")
	if !bytes.Equal(f.Bytes, want) {
		t.Fatalf("frame differs\n got %x\nwant %x", f.Bytes, want)
	}
	if f.L3 != 14 || f.L4 != 34 || f.MH != 42 || f.Payload != 42 || f.IPVersion != 4 || f.L4Proto != ProtoUDP {
		t.Errorf("offsets: %+v", f)
	}
	wantRules := []ChecksumRule{{KindIPv4Header, 14, 0}, {KindUDP, 14, 34}}
	if len(f.Checksums) != 2 || f.Checksums[0] != wantRules[0] || f.Checksums[1] != wantRules[1] {
		t.Errorf("checksum rules %+v, want %+v", f.Checksums, wantRules)
	}
}

// RFC 1071-style textbook example: the IPv4 header 4500 0073 0000 4000 4011 ---- c0a8 0001
// c0a8 00c7 has checksum 0xb861.
func TestIPv4HeaderChecksumKnownValue(t *testing.T) {
	h := hexBytes(t, "450000730000400040110000c0a80001c0a800c7")
	if got := InternetChecksum(h); got != 0xb861 {
		t.Fatalf("checksum %#04x, want 0xb861", got)
	}
	f := make([]byte, 14+len(h))
	copy(f[14:], h)
	if err := ApplyChecksums(f, []ChecksumRule{ChecksumIPv4(14)}); err != nil {
		t.Fatal(err)
	}
	if f[24] != 0xb8 || f[25] != 0x61 {
		t.Fatalf("ApplyChecksums wrote %x", f[24:26])
	}
}

func TestBuilderChecksumsVerifyIndependently(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		for _, l4 := range []string{"udp", "tcp", "icmp"} {
			for _, n := range []int{0, 1, 2, 17, 100, 1401} {
				for _, vlan := range []bool{false, true} {
					b := NewBuilder().Ethernet(testSrcMAC, testDstMAC)
					if vlan {
						b.VLAN(42, 3)
					}
					if v6 {
						b.IPv6With(testSrc6, testDst6, IPv6Header{HopLimit: 3, FlowLabel: 0xfffff, TrafficClass: 0xb8})
					} else {
						b.IPv4With(testSrc4, testDst4, IPv4Header{TTL: 3, ID: 0xbeef, TOS: 0xb8})
					}
					switch {
					case l4 == "udp":
						b.UDP(uint16(n), 0xffff)
					case l4 == "tcp":
						b.TCP(TCPHeader{SrcPort: 1, DstPort: 2, Seq: uint32(n) * 0x01010101, Flags: TCPAck, Window: 0xffff,
							Timestamps: n%2 == 0, TSVal: 1, MSS: uint16(n)})
					case v6:
						b.ICMPv6Echo(uint16(n), 0xffff)
					default:
						b.ICMPEcho(uint16(n), 0xffff)
					}
					p := make([]byte, n)
					for i := range p {
						p[i] = byte(i*7 + n)
					}
					f := mustBuild(t, b.Payload(p))
					refVerify(t, f)
					if t.Failed() {
						t.Fatalf("v6=%v %s payload %d vlan %v: %x", v6, l4, n, vlan, f.Bytes)
					}
				}
			}
		}
	}
}

// A UDP checksum that comes out 0 is sent as 0xffff (RFC 768).
func TestUDPZeroChecksumIsFFFF(t *testing.T) {
	base := mustBuild(t, NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc4, testDst4).UDP(1, 2).Zeros(2))
	// Choose the last two payload bytes so that the sum becomes 0xffff (checksum 0).
	frame := append([]byte(nil), base.Bytes...)
	frame[len(frame)-2], frame[len(frame)-1] = 0, 0
	frame[40], frame[41] = 0, 0
	s, _ := ChecksumOf(frame, ChecksumUDP(14, 34))
	// Adding s as a word makes the complement of the sum 0.
	frame[len(frame)-2], frame[len(frame)-1] = byte(s>>8), byte(s)
	if err := ApplyChecksums(frame, []ChecksumRule{ChecksumUDP(14, 34)}); err != nil {
		t.Fatal(err)
	}
	if frame[40] != 0xff || frame[41] != 0xff {
		t.Fatalf("UDP checksum %x, want ffff", frame[40:42])
	}
	if refSum(append(refPseudo(frame[14:], ProtoUDP, len(frame)-34), frame[34:]...)) != 0 {
		t.Fatalf("0xffff does not verify")
	}
}

func TestBuilderOffsets(t *testing.T) {
	f := mustBuild(t, NewBuilder().Ethernet(testSrcMAC, testDstMAC).VLAN(7, 0).IPv6(testSrc6, testDst6).
		TCP(TCPHeader{Timestamps: true, MSS: 1460}).MeasurementHeader(9).Zeros(10))
	if f.VLAN != 14 || f.L3 != 18 || f.L4 != 58 || f.IPVersion != 6 || f.L4Proto != ProtoTCP {
		t.Fatalf("offsets %+v", f)
	}
	// MSS (4) + NOP NOP TS (12): data offset 36 bytes.
	if f.Bytes[f.L4+12]>>4 != 9 {
		t.Errorf("data offset %d words", f.Bytes[f.L4+12]>>4)
	}
	if f.TSVal != f.L4+20+4+4 || f.Payload != f.L4+36 || f.MH != f.Payload {
		t.Errorf("TSVal %d Payload %d MH %d", f.TSVal, f.Payload, f.MH)
	}
	if f.SrcAddr() != 26 || f.DstAddr() != 42 || f.SrcAddrLow() != 38 || f.DstAddrLow() != 54 || f.TTL() != 25 {
		t.Errorf("address offsets %d %d %d %d %d", f.SrcAddr(), f.DstAddr(), f.SrcAddrLow(), f.DstAddrLow(), f.TTL())
	}
	if f.SrcPort() != 58 || f.DstPort() != 60 || f.TCPSeq() != 62 || f.TCPAck() != 66 {
		t.Errorf("port offsets")
	}
	mh := f.Bytes[f.MH : f.MH+MeasurementHeaderLen]
	if binary.BigEndian.Uint16(mh) != 0x58DF || binary.BigEndian.Uint16(mh[2:]) != 9 || mh[17] != 1 {
		t.Errorf("measurement header %x", mh)
	}
	if tci := binary.BigEndian.Uint16(f.Bytes[14:]); tci != 7 || binary.BigEndian.Uint16(f.Bytes[12:]) != EtherTypeVLAN ||
		binary.BigEndian.Uint16(f.Bytes[16:]) != EtherTypeIPv6 {
		t.Errorf("VLAN tag %x", f.Bytes[12:18])
	}
	v4 := mustBuild(t, NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc4, testDst4).ICMPEcho(1, 2))
	if v4.SrcAddr() != 26 || v4.DstAddr() != 30 || v4.SrcAddrLow() != 26 || v4.TTL() != 22 || v4.IPv4ID() != 18 ||
		v4.EchoID() != 38 || v4.EchoSeq() != 40 || v4.Payload != 42 || v4.MH != 0 {
		t.Errorf("IPv4 offsets %+v", v4)
	}

	// The frame's template carries its checksums and measurement header and validates.
	tmpl := f.Template(9, 3, 10, IncrementPerFlow(f.SrcPort(), 2, 1, 100, 1), Random(f.TSVal, 4, 0, 1<<32-1))
	if tmpl.MHOffset != uint16(f.MH) || len(tmpl.Checksums) != 1 || tmpl.Checksums[0] != ChecksumTCP(18, 58) {
		t.Errorf("template %+v", tmpl)
	}
	if err := NewTemplateSet(tmpl).Validate(); err != nil {
		t.Errorf("template from builder does not validate: %v", err)
	}
	tmpl.Frame[0] = 0xee
	if f.Bytes[0] == 0xee {
		t.Errorf("Template shares the frame's bytes")
	}
}

func TestBuilderRefusals(t *testing.T) {
	cases := []struct {
		b    *Builder
		want string
	}{
		{NewBuilder().IPv4(testSrc4, testDst4), "must follow Ethernet"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc6, testDst4), "IPv4 needs IPv4 addresses"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv6(testSrc4, testDst4), "IPv6 needs IPv6 addresses"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).UDP(1, 2), "must follow an IP header"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv6(testSrc6, testDst6).ICMPEcho(1, 2), "ICMP needs an IPv4 header"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc4, testDst4).ICMPv6Echo(1, 2), "ICMPv6 needs an IPv6 header"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).VLAN(4096, 0), "out of range"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).VLAN(1, 0).VLAN(2, 0), "only one VLAN tag"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc4, testDst4).VLAN(1, 0), "VLAN must follow Ethernet"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc4, testDst4).IPv4(testSrc4, testDst4), "once"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc4, testDst4).UDP(1, 2).TCP(TCPHeader{}), "once"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc4, testDst4).UDP(1, 2).Zeros(1500), "frame length 1542"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc4, testDst4).TCP(TCPHeader{HasWindowScale: true, WindowScale: 15}), "window scale"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv6With(testSrc6, testDst6, IPv6Header{FlowLabel: 1 << 20}), "flow label"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).MeasurementHeader(1), "must follow the headers"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc4, testDst4).UDP(1, 2).MeasurementHeader(1).MeasurementHeader(2), "only one measurement header"},
		{NewBuilder().Zeros(20), "payload before the Ethernet header"},
		{NewBuilder().Ethernet(testSrcMAC, testDstMAC).Ethernet(testSrcMAC, testDstMAC), "Ethernet must come first"},
		{NewBuilder(), "frame length 0"},
	}
	for _, c := range cases {
		_, err := c.b.Build()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error containing %q", err, c.want)
		}
	}
}

func TestTCPFlagsAndWindow(t *testing.T) {
	f := mustBuild(t, NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc4, testDst4).
		TCP(TCPHeader{SrcPort: 1, DstPort: 2, Flags: TCPFin | TCPRst | TCPUrg | TCPEce | TCPCwr, Window: 0x1234, Urgent: 0x5678}))
	h := f.Bytes[f.L4:]
	if h[13] != 0xe5 || binary.BigEndian.Uint16(h[14:]) != 0x1234 || binary.BigEndian.Uint16(h[18:]) != 0x5678 || h[12] != 0x50 {
		t.Fatalf("TCP header %x", h)
	}
	if len(f.Bytes) != 54 {
		t.Fatalf("length %d", len(f.Bytes))
	}
	// SACK permitted alone: NOP NOP SACKOK.
	f = mustBuild(t, NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc4, testDst4).TCP(TCPHeader{SACKPermitted: true}))
	if !bytes.Equal(f.Bytes[f.L4+20:], []byte{1, 1, 4, 2}) || f.TSVal != 0 {
		t.Fatalf("options %x", f.Bytes[f.L4+20:])
	}
	refVerify(t, f)
}
