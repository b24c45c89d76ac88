package xdperf

import (
	"reflect"
	"testing"
)

func TestFieldRuleConstructors(t *testing.T) {
	cases := []struct {
		got, want FieldRule
	}{
		{Increment(34, 2, 1, 9, 2), FieldRule{Offset: 34, Width: 2, Op: OpIncrement, Scope: PerPacket, Min: 1, Max: 9, Step: 2}},
		{IncrementPerFlow(34, 2, 1, 9, 2), FieldRule{Offset: 34, Width: 2, Op: OpIncrement, Scope: PerFlow, Min: 1, Max: 9, Step: 2}},
		{Decrement(1, 4, 0, 7, 3), FieldRule{Offset: 1, Width: 4, Op: OpDecrement, Min: 0, Max: 7, Step: 3}},
		{DecrementPerFlow(1, 4, 0, 7, 3), FieldRule{Offset: 1, Width: 4, Op: OpDecrement, Scope: PerFlow, Max: 7, Step: 3}},
		{Random(26, 4, 5, 6), FieldRule{Offset: 26, Width: 4, Op: OpRandom, Min: 5, Max: 6, Step: 1}},
		{RandomPerFlow(26, 4, 5, 6), FieldRule{Offset: 26, Width: 4, Op: OpRandom, Scope: PerFlow, Min: 5, Max: 6, Step: 1}},
		{List(18, 2, 1, 2, 65535), FieldRule{Offset: 18, Width: 2, Op: OpList, Step: 1, Values: []uint64{1, 2, 65535}}},
		{ListPerFlow(18, 2, 4), FieldRule{Offset: 18, Width: 2, Op: OpList, Scope: PerFlow, Step: 1, Values: []uint64{4}}},
		{Increment(-1, 300, 0, 0, 1), FieldRule{Offset: 0xffff, Width: 0xff, Op: OpIncrement, Step: 1}},
		{IncrementPerFlow(1, 1, 0, 1, 1).PerPacket(), Increment(1, 1, 0, 1, 1)},
		{Increment(40, 2, 0, 65535, 1).PerStream(), FieldRule{Offset: 40, Width: 2, Op: OpIncrement, Scope: PerStream, Max: 65535, Step: 1}},
	}
	for i, c := range cases {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("case %d: got %+v, want %+v", i, c.got, c.want)
		}
	}
	// List copies its values.
	vals := []uint64{1, 2}
	l := List(0, 1, vals...)
	vals[0] = 9
	if l.Values[0] != 1 {
		t.Errorf("List shares its values")
	}
}

func TestChecksumRuleConstructors(t *testing.T) {
	cases := []struct {
		r    ChecksumRule
		kind ChecksumKind
		at   int
	}{
		{ChecksumIPv4(14), KindIPv4Header, 24},
		{ChecksumUDP(14, 34), KindUDP, 40},
		{ChecksumTCP(18, 58), KindTCP, 74},
		{ChecksumICMP(14, 34), KindICMP, 36},
		{ChecksumICMPv6(14, 54), KindICMPv6, 56},
		{ChecksumRule{Kind: 7}, 7, -1},
	}
	for _, c := range cases {
		if c.r.Kind != c.kind || c.r.At() != c.at {
			t.Errorf("%+v: kind %v at %d, want %v at %d", c.r, c.r.Kind, c.r.At(), c.kind, c.at)
		}
	}
	if ChecksumIPv4(14).L4 != 0 || ChecksumUDP(-5, 1<<20) != (ChecksumRule{KindUDP, 0xffff, 0xffff}) {
		t.Errorf("clamping")
	}
}

func TestNames(t *testing.T) {
	if OpRandom.String() != "random" || Op(9).String() != "op(9)" || PerFlow.String() != "per flow" ||
		Scope(3).String() != "scope(3)" || KindICMPv6.String() != "icmpv6" || ChecksumKind(0).String() != "kind(0)" {
		t.Error("names")
	}
	if AbiVersion() != 1<<16 || AbiVersionString() != "1.0" {
		t.Error("version")
	}
}
