package xdperf

// IP protocol numbers used by the builders and the pseudo-headers.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58
)

// sum16 adds b to sum as big-endian 16-bit words (an odd last byte is padded with 0).
func sum16(sum uint32, b []byte) uint32 {
	i := 0
	for ; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
		if sum >= 0x80000000 { // fold early, the sum never overflows
			sum = sum&0xffff + sum>>16
		}
	}
	if i < len(b) {
		sum += uint32(b[i]) << 8
	}
	return sum
}

func fold(sum uint32) uint16 {
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// InternetChecksum is the RFC 1071 checksum of the concatenation of parts (each part but
// the last should have an even length).
func InternetChecksum(parts ...[]byte) uint16 {
	var sum uint32
	for _, p := range parts {
		sum = sum16(sum, p)
	}
	return fold(sum)
}

// ChecksumOf computes the checksum a rule describes over frame as it stands (with
// whatever is in the checksum field itself counted), as the host does: the IPv4 header
// (IHL × 4 bytes), or the L4 header to the end of the frame with, for UDP, TCP and ICMPv6,
// the pseudo-header of the IP header at L3 (its length is the L4 length, end of frame −
// L4). It returns 0 with ok false when the rule does not fit the frame.
func ChecksumOf(frame []byte, r ChecksumRule) (sum uint16, ok bool) {
	l3, l4 := int(r.L3), int(r.L4)
	if l3 >= len(frame) {
		return 0, false
	}
	if r.Kind == KindIPv4Header {
		ihl := int(frame[l3]&0x0f) * 4
		if ihl < 20 || l3+ihl > len(frame) {
			return 0, false
		}
		return InternetChecksum(frame[l3 : l3+ihl]), true
	}
	if r.Kind.FieldOffset() < 0 || l4+r.Kind.FieldOffset()+2 > len(frame) {
		return 0, false
	}
	seg := frame[l4:]
	if r.Kind == KindICMP {
		return InternetChecksum(seg), true
	}
	var s uint32
	switch frame[l3] >> 4 {
	case 4:
		if l3+20 > len(frame) {
			return 0, false
		}
		s = sum16(s, frame[l3+12:l3+20])
	case 6:
		if l3+40 > len(frame) {
			return 0, false
		}
		s = sum16(s, frame[l3+8:l3+40])
	default:
		return 0, false
	}
	n := uint32(len(seg))
	s += n>>16 + n&0xffff + uint32(r.Kind.protocol())
	s = sum16(s, seg)
	return fold(s), true
}

// ApplyChecksums fills in every checksum rule over frame, in place, exactly as the host
// does before compiling a template (a UDP checksum that comes out 0 is written 0xffff).
// Plugins need not call it — the host recomputes every rule — but it makes frames
// complete for captures and tests. It returns an error naming the first rule that does
// not fit the frame.
func ApplyChecksums(frame []byte, rules []ChecksumRule) error {
	for i, r := range rules {
		at := r.At()
		if at < 0 || at+2 > len(frame) {
			return errorf("checksum rule %d (%s): checksum at %d is outside the %d-byte frame", i, r.Kind, at, len(frame))
		}
		frame[at], frame[at+1] = 0, 0
		sum, ok := ChecksumOf(frame, r)
		if !ok {
			return errorf("checksum rule %d (%s) does not fit the %d-byte frame (L3 %d, L4 %d)", i, r.Kind, len(frame), r.L3, r.L4)
		}
		if r.Kind == KindUDP && sum == 0 {
			sum = 0xffff
		}
		frame[at], frame[at+1] = byte(sum>>8), byte(sum)
	}
	return nil
}

// VerifyChecksums reports whether every rule's checksum in frame is what ApplyChecksums
// would write.
func VerifyChecksums(frame []byte, rules []ChecksumRule) bool {
	c := append([]byte(nil), frame...)
	if ApplyChecksums(c, rules) != nil {
		return false
	}
	return string(c) == string(frame)
}
