package xdperf

// Field rule constructors. Offsets and widths are ints so that frame offsets can be used
// directly (f.L4 + 2); an offset outside 0..65535 or a width outside 0..255 becomes 65535
// or 255, which Validate refuses with a message naming the rule.
//
// Every constructor makes a per-packet rule; use the ...PerFlow variants or the PerFlow
// method for rules that follow the flow number instead (docs/abi.md: x = j per packet,
// x = f per flow).

func clampOffset(off int) uint16 {
	if off < 0 || off > 0xffff {
		return 0xffff
	}
	return uint16(off)
}

func clampWidth(w int) uint8 {
	if w < 0 || w > 0xff {
		return 0xff
	}
	return uint8(w)
}

// Increment writes min + (x × step) mod (max − min + 1): min, min+step, ..., wrapping.
func Increment(offset, width int, min, max, step uint64) FieldRule {
	return FieldRule{Offset: clampOffset(offset), Width: clampWidth(width), Op: OpIncrement,
		Scope: PerPacket, Min: min, Max: max, Step: step}
}

// Decrement writes max − (x × step) mod (max − min + 1): max, max−step, ..., wrapping.
func Decrement(offset, width int, min, max, step uint64) FieldRule {
	return FieldRule{Offset: clampOffset(offset), Width: clampWidth(width), Op: OpDecrement,
		Scope: PerPacket, Min: min, Max: max, Step: step}
}

// Random writes a random value in min..max (inclusive): a new one for every packet, or,
// per flow, a fixed pseudo-random value for each flow.
func Random(offset, width int, min, max uint64) FieldRule {
	return FieldRule{Offset: clampOffset(offset), Width: clampWidth(width), Op: OpRandom,
		Scope: PerPacket, Min: min, Max: max, Step: 1}
}

// List cycles through values (1..256 of them).
func List(offset, width int, values ...uint64) FieldRule {
	return FieldRule{Offset: clampOffset(offset), Width: clampWidth(width), Op: OpList,
		Scope: PerPacket, Step: 1, Values: append([]uint64(nil), values...)}
}

// IncrementPerFlow is Increment with the flow number: flow f gets min + (f × step) mod R.
func IncrementPerFlow(offset, width int, min, max, step uint64) FieldRule {
	return Increment(offset, width, min, max, step).PerFlow()
}

// DecrementPerFlow is Decrement with the flow number.
func DecrementPerFlow(offset, width int, min, max, step uint64) FieldRule {
	return Decrement(offset, width, min, max, step).PerFlow()
}

// RandomPerFlow gives each flow its own pseudo-random value in min..max.
func RandomPerFlow(offset, width int, min, max uint64) FieldRule {
	return Random(offset, width, min, max).PerFlow()
}

// ListPerFlow gives flow f the value values[f mod len(values)].
func ListPerFlow(offset, width int, values ...uint64) FieldRule {
	return List(offset, width, values...).PerFlow()
}

// PerFlow returns r with per-flow scope.
func (r FieldRule) PerFlow() FieldRule {
	r.Scope = PerFlow
	return r
}

// PerStream returns r counting the packets of its template's stream rather than of the
// template alone: templates with the same stream id and a per-stream rule at the same place
// share one counter, so a query id or a connection id never repeats across them.
func (r FieldRule) PerStream() FieldRule {
	r.Scope = PerStream
	return r
}

// PerPacket returns r with per-packet scope.
func (r FieldRule) PerPacket() FieldRule {
	r.Scope = PerPacket
	return r
}

// Checksum rule constructors; l3 is the offset of the IP header, l4 of the L4 header.

// ChecksumIPv4 fills in the IPv4 header checksum of the header at l3.
func ChecksumIPv4(l3 int) ChecksumRule {
	return ChecksumRule{Kind: KindIPv4Header, L3: clampOffset(l3)}
}

// ChecksumUDP fills in the UDP checksum (IPv4 or IPv6 pseudo-header from the header at l3).
func ChecksumUDP(l3, l4 int) ChecksumRule {
	return ChecksumRule{Kind: KindUDP, L3: clampOffset(l3), L4: clampOffset(l4)}
}

// ChecksumTCP fills in the TCP checksum (IPv4 or IPv6 pseudo-header from the header at l3).
func ChecksumTCP(l3, l4 int) ChecksumRule {
	return ChecksumRule{Kind: KindTCP, L3: clampOffset(l3), L4: clampOffset(l4)}
}

// ChecksumICMP fills in the ICMP (IPv4) checksum of the message at l4.
func ChecksumICMP(l3, l4 int) ChecksumRule {
	return ChecksumRule{Kind: KindICMP, L3: clampOffset(l3), L4: clampOffset(l4)}
}

// ChecksumICMPv6 fills in the ICMPv6 checksum (IPv6 pseudo-header from the header at l3).
func ChecksumICMPv6(l3, l4 int) ChecksumRule {
	return ChecksumRule{Kind: KindICMPv6, L3: clampOffset(l3), L4: clampOffset(l4)}
}
