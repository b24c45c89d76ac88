package xdperf

import "strconv"

// The template ABI version this SDK implements (docs/abi.md). A plugin built with this SDK
// declares it through its xdperf_abi_version export.
const (
	AbiMajor = 1
	AbiMinor = 0
)

// AbiVersion returns the value of the xdperf_abi_version export: major << 16 | minor.
func AbiVersion() int32 { return AbiMajor<<16 | AbiMinor }

// AbiVersionString returns "major.minor", as written in a plugin's description.
func AbiVersionString() string {
	return strconv.Itoa(AbiMajor) + "." + strconv.Itoa(AbiMinor)
}

// Limits of the ABI (docs/abi.md, "Run request", "Template set", "Limits and validation").
const (
	MaxAddrs         = 16   // source (and destination) addresses in a run request
	MaxOptions       = 256  // options in a run request
	MinTemplates     = 1    // templates in a set
	MaxTemplates     = 1024 // templates in a set
	MinFrameLen      = 14   // frame length of a template, bytes without FCS
	MaxFrameLen      = 1514 // frame length of a template, bytes without FCS
	MaxWeight        = 65535
	MaxFieldRules    = 8 // per template
	MaxChecksumRules = 4 // per template
	MaxListValues    = 256

	// MeasurementHeaderLen is the size of the measurement header xdp_tx stamps.
	MeasurementHeaderLen = 18
	// MeasurementMagic opens the measurement header (big-endian on the wire).
	MeasurementMagic = 0x58DF
	// MeasurementVersion is the last byte of the measurement header.
	MeasurementVersion = 1
)

// Sizes of the fixed parts of the encoding.
const (
	requestHeaderLen  = 32
	setHeaderLen      = 12
	templateHeaderLen = 16
	fieldRuleLen      = 32
	checksumRuleLen   = 8
)

var (
	requestMagic = [4]byte{'X', 'D', 'R', 'Q'}
	setMagic     = [4]byte{'X', 'D', 'T', 'S'}
)

// Op is the operation of a field rule.
type Op uint8

// Field rule operations.
const (
	OpIncrement Op = 1
	OpDecrement Op = 2
	OpRandom    Op = 3
	OpList      Op = 4
)

func (o Op) String() string {
	switch o {
	case OpIncrement:
		return "increment"
	case OpDecrement:
		return "decrement"
	case OpRandom:
		return "random"
	case OpList:
		return "list"
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// Scope tells whether a field rule's value follows the packet number or the flow number.
type Scope uint8

// Field rule scopes.
const (
	PerPacket Scope = 0
	PerFlow   Scope = 1
	// PerStream counts the packets of every template with the same stream id: one counter
	// that several templates share (a DNS query id across query types, say).
	PerStream Scope = 2
)

func (s Scope) String() string {
	switch s {
	case PerPacket:
		return "per packet"
	case PerFlow:
		return "per flow"
	case PerStream:
		return "per stream"
	}
	return "scope(" + strconv.Itoa(int(s)) + ")"
}

// ChecksumKind is the kind of a checksum rule.
type ChecksumKind uint8

// Checksum kinds.
const (
	KindIPv4Header ChecksumKind = 1 // IPv4 header checksum
	KindUDP        ChecksumKind = 2 // UDP over IPv4 or IPv6, with pseudo-header
	KindTCP        ChecksumKind = 3 // TCP over IPv4 or IPv6, with pseudo-header
	KindICMP       ChecksumKind = 4 // ICMP over IPv4, no pseudo-header
	KindICMPv6     ChecksumKind = 5 // ICMPv6, with the IPv6 pseudo-header
)

func (k ChecksumKind) String() string {
	switch k {
	case KindIPv4Header:
		return "ipv4 header"
	case KindUDP:
		return "udp"
	case KindTCP:
		return "tcp"
	case KindICMP:
		return "icmp"
	case KindICMPv6:
		return "icmpv6"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// FieldOffset is where the checksum of this kind sits, from the start of the header it
// protects (the IPv4 header for KindIPv4Header, the L4 header otherwise); -1 for an
// unknown kind.
func (k ChecksumKind) FieldOffset() int {
	switch k {
	case KindIPv4Header:
		return 10
	case KindUDP:
		return 6
	case KindTCP:
		return 16
	case KindICMP, KindICMPv6:
		return 2
	}
	return -1
}

// protocol is the IP protocol number used in the pseudo-header (0: none).
func (k ChecksumKind) protocol() uint8 {
	switch k {
	case KindUDP:
		return ProtoUDP
	case KindTCP:
		return ProtoTCP
	case KindICMPv6:
		return ProtoICMPv6
	}
	return 0
}

// RunRequest is the input of generate (docs/abi.md, "Run request").
type RunRequest struct {
	AbiMajor   uint16 // ABI version of the host
	AbiMinor   uint16
	MTU        uint16 // MTU of the sending interface
	CPUs       uint16 // number of sending CPUs
	SrcMAC     MAC    // the sending interface
	DstMAC     MAC
	FrameSize  uint16 // --size (bytes without FCS), 0 when not given
	StreamBase uint16 // first stream id the plugin should use
	SrcAddrs   []Addr // at most MaxAddrs
	DstAddrs   []Addr // at most MaxAddrs
	Options    Options
}

// TemplateSet is the output of generate (docs/abi.md, "Template set").
type TemplateSet struct {
	AbiMajor  uint16 // ABI version the plugin was built for
	AbiMinor  uint16
	Templates []Template
}

// NewTemplateSet returns a set of this SDK's ABI version holding templates.
func NewTemplateSet(templates ...Template) *TemplateSet {
	return &TemplateSet{AbiMajor: AbiMajor, AbiMinor: AbiMinor, Templates: templates}
}

// Template is one packet template (docs/abi.md, "Template").
type Template struct {
	StreamID  uint16 // 0..255 are counted per stream by the receiver
	Weight    uint32 // 1..65535: the template's share of the packets
	Flows     uint32 // >= 1: per-flow rules cycle through this many flows
	MHOffset  uint16 // measurement header offset, 0 for none
	Frame     []byte // the frame, without FCS (MinFrameLen..MaxFrameLen bytes)
	Fields    []FieldRule
	Checksums []ChecksumRule
}

// FieldRule makes xdp_tx write a value of Width bytes, big-endian, at Offset of every
// packet (docs/abi.md, "Field rule"). Build them with Increment, Decrement, Random, List
// and their PerFlow variants.
type FieldRule struct {
	Offset uint16
	Width  uint8 // 1, 2, 4 or 8
	Op     Op
	Scope  Scope
	Min    uint64
	Max    uint64
	Step   uint64   // increment and decrement: >= 1
	Values []uint64 // list values (OpList only)
}

// ChecksumRule asks the host to fill in a checksum and xdp_tx to keep it right
// (docs/abi.md, "Checksum rule").
type ChecksumRule struct {
	Kind ChecksumKind
	L3   uint16 // offset of the IPv4 or IPv6 header
	L4   uint16 // offset of the L4 header (ignored for KindIPv4Header)
}

// At is the offset of the 16-bit checksum this rule fills in, or -1 for an unknown kind.
func (c ChecksumRule) At() int {
	off := c.Kind.FieldOffset()
	if off < 0 {
		return -1
	}
	if c.Kind == KindIPv4Header {
		return int(c.L3) + off
	}
	return int(c.L4) + off
}

// Option is one name/value pair of a run request.
type Option struct {
	Name  string
	Value string
}
