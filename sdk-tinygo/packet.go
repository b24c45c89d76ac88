package xdperf

import "strconv"

// EtherTypes written by the builder.
const (
	EtherTypeIPv4 = 0x0800
	EtherTypeIPv6 = 0x86DD
	EtherTypeVLAN = 0x8100
)

// Header sizes.
const (
	EthernetHeaderLen = 14
	VLANTagLen        = 4
	IPv4HeaderLen     = 20
	IPv6HeaderLen     = 40
	UDPHeaderLen      = 8
	TCPHeaderLen      = 20 // without options
	ICMPEchoLen       = 8  // type, code, checksum, identifier, sequence
)

// TCP flags.
const (
	TCPFin = 0x01
	TCPSyn = 0x02
	TCPRst = 0x04
	TCPPsh = 0x08
	TCPAck = 0x10
	TCPUrg = 0x20
	TCPEce = 0x40
	TCPCwr = 0x80
)

// IPv4Header holds the settable fields of an IPv4 header (no options: IHL is 5). Total
// length, protocol and checksum are filled in by Build.
type IPv4Header struct {
	TOS          uint8 // DSCP << 2 | ECN
	ID           uint16
	DontFragment bool
	TTL          uint8 // 0 means 64
}

// IPv6Header holds the settable fields of an IPv6 header. Payload length and next header
// are filled in by Build.
type IPv6Header struct {
	TrafficClass uint8
	FlowLabel    uint32 // 20 bits
	HopLimit     uint8  // 0 means 64
}

// TCPHeader holds a TCP header and the options the builder can write. Data offset and
// checksum are filled in by Build. Options are laid out as Linux does: MSS, SACK permitted,
// timestamps, window scale, padded with NOPs to a multiple of 4 bytes.
type TCPHeader struct {
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            uint8 // TCPSyn | TCPAck ...
	Window           uint16
	Urgent           uint16

	MSS            uint16 // 0: no MSS option
	SACKPermitted  bool
	Timestamps     bool // write the timestamps option with TSVal and TSEcr
	TSVal, TSEcr   uint32
	WindowScale    uint8
	HasWindowScale bool // write the window scale option with WindowScale
}

// Frame is what Builder.Build returns: the frame bytes and where its headers are. An
// offset of 0 means "absent" (a frame always starts with its Ethernet header).
type Frame struct {
	Bytes     []byte
	VLAN      int   // offset of the 802.1Q tag control information (PCP, DEI, VLAN id), 0 if untagged
	L3        int   // offset of the IPv4 or IPv6 header
	IPVersion int   // 4 or 6, 0 without IP header
	L4        int   // offset of the UDP, TCP, ICMP or ICMPv6 header
	L4Proto   uint8 // ProtoUDP, ProtoTCP, ProtoICMP, ProtoICMPv6, 0 without L4 header
	Payload   int   // offset of the first byte after the last header (== len(Bytes) without payload)
	MH        int   // offset of the measurement header
	TSVal     int   // offset of the TCP timestamp value (TSEcr follows 4 bytes later)

	// Checksums holds the checksum rules that keep this frame's IPv4 header and L4
	// checksums right; Build has already applied them to Bytes.
	Checksums []ChecksumRule
}

// Offsets of fields most often varied by field rules (absent layers give meaningless
// offsets, which Validate refuses).

// SrcPort is the offset of the UDP or TCP source port (width 2).
func (f *Frame) SrcPort() int { return f.L4 }

// DstPort is the offset of the UDP or TCP destination port (width 2).
func (f *Frame) DstPort() int { return f.L4 + 2 }

// SrcAddr is the offset of the IPv4 (4 bytes) or IPv6 (16 bytes) source address.
func (f *Frame) SrcAddr() int {
	if f.IPVersion == 6 {
		return f.L3 + 8
	}
	return f.L3 + 12
}

// DstAddr is the offset of the IPv4 (4 bytes) or IPv6 (16 bytes) destination address.
func (f *Frame) DstAddr() int {
	if f.IPVersion == 6 {
		return f.L3 + 24
	}
	return f.L3 + 16
}

// SrcAddrLow is the offset of the last 4 bytes of the source address (all of an IPv4
// address, the interface id's low half for IPv6), for width-4 rules.
func (f *Frame) SrcAddrLow() int { return f.SrcAddr() + 4*(f.addrWords()-1) }

// DstAddrLow is the offset of the last 4 bytes of the destination address.
func (f *Frame) DstAddrLow() int { return f.DstAddr() + 4*(f.addrWords()-1) }

func (f *Frame) addrWords() int {
	if f.IPVersion == 6 {
		return 4
	}
	return 1
}

// IPv4ID is the offset of the IPv4 identification (width 2).
func (f *Frame) IPv4ID() int { return f.L3 + 4 }

// TTL is the offset of the IPv4 TTL or the IPv6 hop limit (width 1).
func (f *Frame) TTL() int {
	if f.IPVersion == 6 {
		return f.L3 + 7
	}
	return f.L3 + 8
}

// TCPSeq is the offset of the TCP sequence number (width 4).
func (f *Frame) TCPSeq() int { return f.L4 + 4 }

// TCPAck is the offset of the TCP acknowledgment number (width 4).
func (f *Frame) TCPAck() int { return f.L4 + 8 }

// EchoID is the offset of the ICMP or ICMPv6 echo identifier (width 2).
func (f *Frame) EchoID() int { return f.L4 + 4 }

// EchoSeq is the offset of the ICMP or ICMPv6 echo sequence number (width 2).
func (f *Frame) EchoSeq() int { return f.L4 + 6 }

// Template makes a template of this frame: a copy of its bytes, its measurement header
// offset and its checksum rules, with the given stream id, weight, flows and field rules.
func (f *Frame) Template(streamID uint16, weight, flows uint32, fields ...FieldRule) Template {
	return Template{
		StreamID:  streamID,
		Weight:    weight,
		Flows:     flows,
		MHOffset:  uint16(f.MH),
		Frame:     append([]byte(nil), f.Bytes...),
		Fields:    append([]FieldRule(nil), fields...),
		Checksums: append([]ChecksumRule(nil), f.Checksums...),
	}
}

// Builder assembles a frame header by header, in wire order: Ethernet, an optional VLAN
// tag, IPv4 or IPv6, then UDP, TCP, ICMP echo or ICMPv6 echo, then an optional measurement
// header and payload. Methods chain; the first mistake is kept and returned by Build.
// Every method takes the source before the destination.
type Builder struct {
	buf       []byte
	err       error
	etherType int // offset of the EtherType to fill in, -1 once an L3 header has been written
	f         Frame
}

// NewBuilder starts a frame.
func NewBuilder() *Builder { return &Builder{etherType: -1} }

func (b *Builder) fail(msg string) *Builder {
	if b.err == nil {
		b.err = errorf("frame builder: %s", msg)
	}
	return b
}

func (b *Builder) grow(n int) []byte {
	start := len(b.buf)
	for i := 0; i < n; i++ {
		b.buf = append(b.buf, 0)
	}
	return b.buf[start : start+n]
}

// Ethernet writes the Ethernet header (destination, source, EtherType). The EtherType is
// filled in by the header that follows (IPv4 0x0800, IPv6 0x86DD, or VLAN 0x8100).
func (b *Builder) Ethernet(src, dst MAC) *Builder {
	if len(b.buf) != 0 {
		return b.fail("Ethernet must come first")
	}
	h := b.grow(EthernetHeaderLen)
	copy(h[0:6], dst[:])
	copy(h[6:12], src[:])
	b.etherType = 12
	return b
}

// VLAN inserts an 802.1Q tag (TPID 0x8100) with VLAN id vid (0..4095) and priority pcp (0..7).
func (b *Builder) VLAN(vid uint16, pcp uint8) *Builder {
	if b.etherType < 0 || b.f.L3 != 0 {
		return b.fail("VLAN must follow Ethernet")
	}
	if b.f.VLAN != 0 {
		return b.fail("only one VLAN tag is supported")
	}
	if vid > 4095 || pcp > 7 {
		return b.fail("VLAN id " + strconv.Itoa(int(vid)) + " / priority " + strconv.Itoa(int(pcp)) + " out of range (0..4095 / 0..7)")
	}
	putBE16(b.buf[b.etherType:], EtherTypeVLAN)
	h := b.grow(VLANTagLen)
	putBE16(h, uint16(pcp)<<13|vid)
	b.f.VLAN = len(b.buf) - VLANTagLen
	b.etherType = len(b.buf) - 2
	return b
}

func (b *Builder) beginL3(etherType uint16) bool {
	if b.err != nil {
		return false
	}
	if b.etherType < 0 || b.f.L3 != 0 {
		b.fail("an IP header must follow Ethernet (or its VLAN tag), once")
		return false
	}
	putBE16(b.buf[b.etherType:], etherType)
	b.etherType = -1
	b.f.L3 = len(b.buf)
	return true
}

// IPv4 writes an IPv4 header with TTL 64, DF set and identification 0.
func (b *Builder) IPv4(src, dst Addr) *Builder {
	return b.IPv4With(src, dst, IPv4Header{DontFragment: true})
}

// IPv4With writes an IPv4 header with the given fields.
func (b *Builder) IPv4With(src, dst Addr, h IPv4Header) *Builder {
	if !src.Is4() || !dst.Is4() {
		return b.fail("IPv4 needs IPv4 addresses, got " + src.String() + " -> " + dst.String())
	}
	if !b.beginL3(EtherTypeIPv4) {
		return b
	}
	p := b.grow(IPv4HeaderLen)
	p[0] = 0x45
	p[1] = h.TOS
	putBE16(p[4:], h.ID)
	if h.DontFragment {
		p[6] = 0x40
	}
	p[8] = h.TTL
	if p[8] == 0 {
		p[8] = 64
	}
	copy(p[12:16], src.ip[:4])
	copy(p[16:20], dst.ip[:4])
	b.f.IPVersion = 4
	b.f.Checksums = append(b.f.Checksums, ChecksumIPv4(b.f.L3))
	return b
}

// IPv6 writes an IPv6 header with hop limit 64, traffic class 0 and flow label 0.
func (b *Builder) IPv6(src, dst Addr) *Builder {
	return b.IPv6With(src, dst, IPv6Header{})
}

// IPv6With writes an IPv6 header with the given fields.
func (b *Builder) IPv6With(src, dst Addr, h IPv6Header) *Builder {
	if !src.Is6() || !dst.Is6() {
		return b.fail("IPv6 needs IPv6 addresses, got " + src.String() + " -> " + dst.String())
	}
	if h.FlowLabel > 0xfffff {
		return b.fail("IPv6 flow label " + strconv.FormatUint(uint64(h.FlowLabel), 10) + " does not fit 20 bits")
	}
	if !b.beginL3(EtherTypeIPv6) {
		return b
	}
	p := b.grow(IPv6HeaderLen)
	putBE32(p, 6<<28|uint32(h.TrafficClass)<<20|h.FlowLabel)
	p[7] = h.HopLimit
	if p[7] == 0 {
		p[7] = 64
	}
	copy(p[8:24], src.ip[:])
	copy(p[24:40], dst.ip[:])
	b.f.IPVersion = 6
	return b
}

func (b *Builder) beginL4(proto uint8, what string) bool {
	if b.err != nil {
		return false
	}
	if b.f.L3 == 0 || b.f.L4 != 0 {
		b.fail(what + " must follow an IP header, once")
		return false
	}
	if b.f.IPVersion == 4 {
		b.buf[b.f.L3+9] = proto
	} else {
		b.buf[b.f.L3+6] = proto
	}
	b.f.L4 = len(b.buf)
	b.f.L4Proto = proto
	return true
}

// UDP writes a UDP header; Build fills in its length and checksum.
func (b *Builder) UDP(srcPort, dstPort uint16) *Builder {
	if !b.beginL4(ProtoUDP, "UDP") {
		return b
	}
	p := b.grow(UDPHeaderLen)
	putBE16(p, srcPort)
	putBE16(p[2:], dstPort)
	b.f.Checksums = append(b.f.Checksums, ChecksumUDP(b.f.L3, b.f.L4))
	return b
}

// TCP writes a TCP header with its options; Build fills in its checksum.
func (b *Builder) TCP(h TCPHeader) *Builder {
	if !b.beginL4(ProtoTCP, "TCP") {
		return b
	}
	var opts []byte
	if h.MSS != 0 {
		opts = append(opts, 2, 4, byte(h.MSS>>8), byte(h.MSS))
	}
	tsAt := -1
	switch {
	case h.SACKPermitted && h.Timestamps:
		opts = append(opts, 4, 2, 8, 10)
		tsAt = len(opts)
		opts = append(opts, make([]byte, 8)...)
	case h.Timestamps:
		opts = append(opts, 1, 1, 8, 10)
		tsAt = len(opts)
		opts = append(opts, make([]byte, 8)...)
	case h.SACKPermitted:
		opts = append(opts, 1, 1, 4, 2)
	}
	if tsAt >= 0 {
		putBE32(opts[tsAt:], h.TSVal)
		putBE32(opts[tsAt+4:], h.TSEcr)
	}
	if h.HasWindowScale {
		if h.WindowScale > 14 {
			return b.fail("TCP window scale " + strconv.Itoa(int(h.WindowScale)) + " is above 14")
		}
		opts = append(opts, 1, 3, 3, h.WindowScale)
	}
	p := b.grow(TCPHeaderLen + len(opts))
	putBE16(p, h.SrcPort)
	putBE16(p[2:], h.DstPort)
	putBE32(p[4:], h.Seq)
	putBE32(p[8:], h.Ack)
	p[12] = byte((TCPHeaderLen + len(opts)) / 4 << 4)
	p[13] = h.Flags
	putBE16(p[14:], h.Window)
	putBE16(p[18:], h.Urgent)
	copy(p[TCPHeaderLen:], opts)
	if tsAt >= 0 {
		b.f.TSVal = b.f.L4 + TCPHeaderLen + tsAt
	}
	b.f.Checksums = append(b.f.Checksums, ChecksumTCP(b.f.L3, b.f.L4))
	return b
}

// ICMPEcho writes an ICMP (IPv4) echo request (type 8, code 0).
func (b *Builder) ICMPEcho(id, seq uint16) *Builder {
	return b.ICMP(8, 0, uint32(id)<<16|uint32(seq))
}

// ICMP writes an ICMP (IPv4) header of any type and code; rest is the 4 bytes after the
// checksum (identifier and sequence for echo).
func (b *Builder) ICMP(typ, code uint8, rest uint32) *Builder {
	if b.err == nil && b.f.IPVersion != 4 {
		return b.fail("ICMP needs an IPv4 header (use ICMPv6 over IPv6)")
	}
	if !b.beginL4(ProtoICMP, "ICMP") {
		return b
	}
	p := b.grow(ICMPEchoLen)
	p[0], p[1] = typ, code
	putBE32(p[4:], rest)
	b.f.Checksums = append(b.f.Checksums, ChecksumICMP(b.f.L3, b.f.L4))
	return b
}

// ICMPv6Echo writes an ICMPv6 echo request (type 128, code 0).
func (b *Builder) ICMPv6Echo(id, seq uint16) *Builder {
	return b.ICMPv6(128, 0, uint32(id)<<16|uint32(seq))
}

// ICMPv6 writes an ICMPv6 header of any type and code; rest is the 4 bytes after the
// checksum.
func (b *Builder) ICMPv6(typ, code uint8, rest uint32) *Builder {
	if b.err == nil && b.f.IPVersion != 6 {
		return b.fail("ICMPv6 needs an IPv6 header")
	}
	if !b.beginL4(ProtoICMPv6, "ICMPv6") {
		return b
	}
	p := b.grow(ICMPEchoLen)
	p[0], p[1] = typ, code
	putBE32(p[4:], rest)
	b.f.Checksums = append(b.f.Checksums, ChecksumICMPv6(b.f.L3, b.f.L4))
	return b
}

func (b *Builder) markPayload() {
	if b.f.Payload == 0 {
		b.f.Payload = len(b.buf)
	}
}

// MeasurementHeader writes the 18-byte measurement header (magic 0x58DF, the stream id,
// version 1; xdp_tx stamps sequence, time and CPU) and records its offset. The receiver
// looks for it right after a UDP or TCP header.
func (b *Builder) MeasurementHeader(streamID uint16) *Builder {
	if b.err != nil {
		return b
	}
	if b.f.MH != 0 {
		return b.fail("only one measurement header")
	}
	if b.etherType >= 0 || len(b.buf) == 0 {
		return b.fail("the measurement header must follow the headers")
	}
	b.markPayload()
	b.f.MH = len(b.buf)
	p := b.grow(MeasurementHeaderLen)
	putBE16(p, MeasurementMagic)
	putBE16(p[2:], streamID)
	p[17] = MeasurementVersion
	return b
}

// Payload appends bytes after the headers.
func (b *Builder) Payload(p []byte) *Builder {
	if b.err != nil {
		return b
	}
	if len(b.buf) == 0 {
		return b.fail("payload before the Ethernet header")
	}
	b.markPayload()
	b.buf = append(b.buf, p...)
	return b
}

// Zeros appends n zero bytes of payload.
func (b *Builder) Zeros(n int) *Builder {
	if n < 0 {
		return b.fail("negative payload length " + strconv.Itoa(n))
	}
	if b.err == nil && len(b.buf) == 0 {
		return b.fail("payload before the Ethernet header")
	}
	if b.err == nil {
		b.markPayload()
		b.grow(n)
	}
	return b
}

// PadTo appends zero payload until the frame is size bytes long (without FCS); a frame
// already that long is left alone. Use it with RunRequest.FrameSize (when not 0).
func (b *Builder) PadTo(size int) *Builder {
	if size > len(b.buf) {
		return b.Zeros(size - len(b.buf))
	}
	return b
}

// Len is the frame length so far.
func (b *Builder) Len() int { return len(b.buf) }

// Build fills in the lengths (IPv4 total length, IPv6 payload length, UDP length) and
// every checksum, and returns the frame. It fails when a method failed, when the frame is
// outside MinFrameLen..MaxFrameLen, or when a length does not fit its field.
func (b *Builder) Build() (*Frame, error) {
	if b.err != nil {
		return nil, b.err
	}
	n := len(b.buf)
	if n < MinFrameLen || n > MaxFrameLen {
		return nil, errorf("frame builder: frame length %d is outside %d..%d", n, MinFrameLen, MaxFrameLen)
	}
	f := b.f
	f.Bytes = append([]byte(nil), b.buf...)
	f.Checksums = append([]ChecksumRule(nil), b.f.Checksums...)
	if f.Payload == 0 {
		f.Payload = n
	}
	switch f.IPVersion {
	case 4:
		putBE16(f.Bytes[f.L3+2:], uint16(n-f.L3))
	case 6:
		putBE16(f.Bytes[f.L3+4:], uint16(n-f.L3-IPv6HeaderLen))
	}
	if f.L4Proto == ProtoUDP {
		putBE16(f.Bytes[f.L4+4:], uint16(n-f.L4))
	}
	if err := ApplyChecksums(f.Bytes, f.Checksums); err != nil {
		return nil, err
	}
	return &f, nil
}

func putBE16(b []byte, v uint16) { b[0] = byte(v >> 8); b[1] = byte(v) }

func putBE32(b []byte, v uint32) {
	b[0] = byte(v >> 24)
	b[1] = byte(v >> 16)
	b[2] = byte(v >> 8)
	b[3] = byte(v)
}
