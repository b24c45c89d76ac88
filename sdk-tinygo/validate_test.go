package xdperf

import (
	"strings"
	"testing"
)

// A valid 64-byte IPv4/UDP template with a measurement header at 42 (L3 14, L4 34), and
// an IPv6/ICMPv6 one (L3 14, L4 54).
func baseTemplates(t *testing.T) (Template, Template) {
	f4 := mustBuild(t, NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv4(testSrc4, testDst4).UDP(1, 2).
		MeasurementHeader(0).PadTo(64))
	f6 := mustBuild(t, NewBuilder().Ethernet(testSrcMAC, testDstMAC).IPv6(testSrc6, testDst6).ICMPv6Echo(1, 2).Zeros(20))
	return f4.Template(0, 1, 1), f6.Template(1, 1, 1)
}

func TestValidateAcceptsEdges(t *testing.T) {
	v4, v6 := baseTemplates(t)
	v4.Fields = []FieldRule{
		IncrementPerFlow(34, 2, 0, 65535, 1),                          // source port, next to the IPv4 header
		Decrement(36, 2, 0, 65535, 65535),                             // destination port
		Random(26, 4, 0, 0xffffffff),                                  // whole source address
		List(30, 4, 0, 0xffffffff),                                    // destination address, right before UDP
		Increment(22, 1, 0, 255, ^uint64(0)),                          // TTL (next to the checksum), huge step
		{Offset: 18, Width: 2, Op: OpRandom, Step: 0, Min: 0, Max: 1}, // random needs no step
		Random(60, 4, 5, 5),                                           // min == max, the frame's last bytes
		Increment(38, 2, 0, 1, 1),                                     // UDP length, right before its checksum
	}
	list := make([]uint64, MaxListValues)
	v6.Fields = []FieldRule{ListPerFlow(58, 2, list...), Random(38, 8, 0, ^uint64(0)), Increment(74, 8, 0, ^uint64(0), 1)}
	v6.Weight = MaxWeight
	v6.Flows = ^uint32(0)
	s := NewTemplateSet(v4, v6)
	if err := s.ValidateMTU(68); err != nil {
		t.Fatalf("valid set refused: %v", err)
	}
	many := make([]Template, MaxTemplates)
	for i := range many {
		many[i] = v6
	}
	if err := NewTemplateSet(many...).Validate(); err != nil {
		t.Fatalf("1024 templates refused: %v", err)
	}
}

func TestValidateRefusals(t *testing.T) {
	type mut func(s *TemplateSet)
	fields := func(r ...FieldRule) mut {
		return func(s *TemplateSet) { s.Templates[0].Fields = r }
	}
	cases := []struct {
		name string
		m    mut
		mtu  int
		want string
	}{
		{"no templates", func(s *TemplateSet) { s.Templates = nil }, 0, "template set: 0 templates, want 1..1024"},
		{"too many templates", func(s *TemplateSet) {
			for len(s.Templates) <= MaxTemplates {
				s.Templates = append(s.Templates, s.Templates[1])
			}
		}, 0, "template set: 1025 templates"},
		{"other major", func(s *TemplateSet) { s.AbiMajor = 2 }, 0, "built for template ABI 2.0, this SDK supports 1.0"},
		{"newer minor", func(s *TemplateSet) { s.AbiMinor = 1 }, 0, "built for template ABI 1.1"},
		{"frame too short", func(s *TemplateSet) { s.Templates[1].Frame = make([]byte, 13) }, 0, "template 1: frame length 13 is outside 14..1514"},
		{"frame too long", func(s *TemplateSet) { s.Templates[1].Frame = make([]byte, 1515) }, 0, "template 1: frame length 1515 is outside 14..1514"},
		{"frame above MTU", nil, 49, "template 0: frame length 64 exceeds the interface MTU 49 + 14"},
		{"weight 0", func(s *TemplateSet) { s.Templates[0].Weight = 0 }, 0, "template 0: weight 0 is outside 1..65535"},
		{"weight too big", func(s *TemplateSet) { s.Templates[1].Weight = 65536 }, 0, "template 1: weight 65536"},
		{"flows 0", func(s *TemplateSet) { s.Templates[0].Flows = 0 }, 0, "template 0: flows is 0"},
		{"9 field rules", func(s *TemplateSet) { s.Templates[0].Fields = make([]FieldRule, 9) }, 0, "template 0: 9 field rules, at most 8"},
		{"5 checksum rules", func(s *TemplateSet) {
			c := s.Templates[0].Checksums[0]
			s.Templates[0].Checksums = []ChecksumRule{c, c, c, c, c}
		}, 0, "template 0: 5 checksum rules, at most 4"},
		{"measurement header outside", func(s *TemplateSet) { s.Templates[0].MHOffset = 47 }, 0,
			"template 0: measurement header at 47 (18 bytes) does not fit in the 64-byte frame"},
		{"measurement header in Ethernet", func(s *TemplateSet) { s.Templates[0].MHOffset = 13 }, 0, "measurement header at 13"},
		{"width 3", fields(Increment(50, 3, 0, 1, 1)), 0, "template 0 field rule 0: width 3 is not 1, 2, 4 or 8"},
		{"width 0", fields(FieldRule{Offset: 10, Op: OpRandom}), 0, "width 0 is not"},
		{"field outside the frame", fields(Increment(10, 1, 0, 1, 1), Increment(60, 8, 0, 1, 1)), 0,
			"template 0 field rule 1: bytes 60..67 are outside the 64-byte frame"},
		{"offset clamped by the constructor", fields(Increment(70000, 2, 0, 1, 1)), 0, "bytes 65535..65536 are outside"},
		{"unknown op", fields(FieldRule{Offset: 10, Width: 1, Op: 5}), 0, "field rule 0: operation 5 is not"},
		{"unknown scope", fields(FieldRule{Offset: 10, Width: 1, Op: OpRandom, Scope: 3}), 0, "field rule 0: scope 3 is not"},
		{"min above max", fields(Increment(34, 2, 10, 9, 1)), 0, "template 0 field rule 0: min 10 is above max 9"},
		{"max does not fit", fields(Random(34, 2, 0, 65536)), 0, "field rule 0: max 65536 does not fit 2 bytes"},
		{"max does not fit 1", fields(Increment(22, 1, 0, 256, 1)), 0, "max 256 does not fit 1 bytes"},
		{"max does not fit 4", fields(Decrement(26, 4, 0, 1<<32, 1)), 0, "max 4294967296 does not fit 4 bytes"},
		{"step 0 increment", fields(Increment(34, 2, 0, 1, 0)), 0, "field rule 0: step 0 never changes the field"},
		{"step 0 decrement", fields(Decrement(34, 2, 0, 1, 0)), 0, "step 0"},
		{"empty list", fields(List(34, 2)), 0, "field rule 0: a list holds 1..256 values, not 0"},
		{"list too long", fields(List(34, 2, make([]uint64, 257)...)), 0, "a list holds 1..256 values, not 257"},
		{"list value too big", fields(List(34, 2, 1, 2, 70000)), 0, "field rule 0: list value 2 (70000) does not fit 2 bytes"},
		{"values on a non-list", fields(FieldRule{Offset: 34, Width: 2, Op: OpIncrement, Max: 1, Step: 1, Values: []uint64{1}}), 0,
			"only a list rule carries values"},
		{"fields overlap", fields(Increment(26, 4, 0, 1, 1), Random(29, 2, 0, 1)), 0,
			"template 0 field rule 1: bytes 29..30 overlap field rule 0"},
		{"same field twice", fields(Increment(34, 2, 0, 1, 1), Increment(34, 2, 0, 1, 1)), 0, "overlap field rule 0"},
		{"field over the IPv4 checksum", fields(Increment(23, 2, 0, 1, 1)), 0,
			"bytes 23..24 overlap the checksum of checksum rule 0"},
		{"field over the UDP checksum", fields(Increment(41, 1, 0, 1, 1)), 0, "overlap the checksum of checksum rule 1"},
		{"field over the measurement header", fields(Increment(59, 2, 0, 1, 1)), 0, "bytes 59..60 overlap the measurement header"},
		{"checksum: IP header outside", func(s *TemplateSet) { s.Templates[0].Checksums[0].L3 = 64 }, 0,
			"template 0 checksum rule 0 (ipv4 header): IP header offset 64 is outside the 64-byte frame"},
		{"checksum: no IP header", func(s *TemplateSet) { s.Templates[0].Checksums[1].L3 = 0 }, 0,
			"template 0 checksum rule 1 (udp): no IPv4 or IPv6 header at 0"},
		{"checksum: IPv4 header does not fit", func(s *TemplateSet) {
			s.Templates[0].Frame[60] = 0x45
			s.Templates[0].Checksums[0].L3 = 60
		}, 0, "checksum rule 0 (ipv4 header): the IPv4 header at 60 does not fit in the 64-byte frame"},
		{"checksum: IPv4 header kind on IPv6", func(s *TemplateSet) { s.Templates[1].Checksums = []ChecksumRule{ChecksumIPv4(14)} }, 0,
			"template 1 checksum rule 0 (ipv4 header): the header at 14 is IPv6, not IPv4"},
		{"checksum: ICMP on IPv6", func(s *TemplateSet) { s.Templates[1].Checksums = []ChecksumRule{ChecksumICMP(14, 54)} }, 0,
			"the header at 14 is IPv6, not IPv4"},
		{"checksum: ICMPv6 on IPv4", func(s *TemplateSet) { s.Templates[0].Checksums[1].Kind = KindICMPv6 }, 0,
			"template 0 checksum rule 1 (icmpv6): ICMPv6 needs an IPv6 header at 14"},
		{"checksum: L4 inside the IP header", func(s *TemplateSet) { s.Templates[0].Checksums[1].L4 = 30 }, 0,
			"checksum rule 1 (udp): L4 offset 30 lies inside the IPv4 header at 14"},
		{"checksum: checksum outside the frame", func(s *TemplateSet) { s.Templates[0].Checksums[1] = ChecksumTCP(14, 47) }, 0,
			"checksum rule 1 (tcp): checksum at 63 is outside the 64-byte frame"},
		{"checksum: bad IHL", func(s *TemplateSet) { s.Templates[0].Frame[14] = 0x44 }, 0, "IPv4 header length 16 at 14 does not fit"},
		{"checksum: unknown kind", func(s *TemplateSet) { s.Templates[0].Checksums[0].Kind = 9 }, 0, "unknown checksum kind 9"},
	}
	for _, c := range cases {
		v4, v6 := baseTemplates(t)
		s := NewTemplateSet(v4, v6)
		if c.m != nil {
			c.m(s)
		}
		err := s.ValidateMTU(c.mtu)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func TestValidateForUsesRequestMTU(t *testing.T) {
	v4, _ := baseTemplates(t)
	s := NewTemplateSet(v4)
	if err := s.ValidateFor(&RunRequest{MTU: 50}); err != nil {
		t.Fatal(err)
	}
	if err := s.ValidateFor(&RunRequest{MTU: 49}); err == nil {
		t.Fatal("64-byte frame accepted for MTU 49")
	}
	if err := v4.Validate(); err != nil {
		t.Fatal(err)
	}
}
