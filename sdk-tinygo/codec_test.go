package xdperf

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func sampleRequest() *RunRequest {
	return &RunRequest{
		AbiMajor: 1, AbiMinor: 3, MTU: 9000, CPUs: 64,
		SrcMAC: testSrcMAC, DstMAC: BroadcastMAC,
		FrameSize: 1514, StreamBase: 0xfffe,
		SrcAddrs: []Addr{testSrc4, testSrc6, MustParseAddr("::ffff:1.2.3.4")},
		DstAddrs: []Addr{testDst6},
		Options:  Options{{"flows", "100"}, {"name", "ünïcødé ✓"}, {"empty", ""}},
	}
}

func sampleSet() *TemplateSet {
	f1 := make([]byte, 60)
	f1[14] = 0x45
	f2 := make([]byte, 1514)
	for i := range f2 {
		f2[i] = byte(i)
	}
	return NewTemplateSet(
		Template{StreamID: 1, Weight: 3, Flows: 100, MHOffset: 42, Frame: f1,
			Fields: []FieldRule{
				IncrementPerFlow(34, 2, 1000, 1099, 1),
				List(18, 2, 1, 2, 65535),
				Random(26, 8, 0, ^uint64(0)),
			},
			Checksums: []ChecksumRule{ChecksumIPv4(14), ChecksumUDP(14, 34)}},
		Template{StreamID: 0xffff, Weight: 65535, Flows: 0xffffffff, Frame: f2},
	)
}

func TestRunRequestRoundTrip(t *testing.T) {
	for _, req := range []*RunRequest{sampleRequest(), {AbiMajor: 1}} {
		b, err := EncodeRunRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeRunRequest(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, req) {
			t.Fatalf("round trip\n got %+v\nwant %+v", got, req)
		}
		again, _ := EncodeRunRequest(got)
		if !bytes.Equal(again, b) {
			t.Fatal("re-encoding differs")
		}
	}
}

func TestRunRequestLayout(t *testing.T) {
	b, err := EncodeRunRequest(&RunRequest{AbiMajor: 1, AbiMinor: 2, MTU: 0x0102, CPUs: 3,
		SrcMAC: MAC{1, 2, 3, 4, 5, 6}, DstMAC: MAC{7, 8, 9, 10, 11, 12}, FrameSize: 0x0405, StreamBase: 0x0607,
		SrcAddrs: []Addr{testSrc4}, Options: Options{{"a", "bc"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{'X', 'D', 'R', 'Q', 1, 0, 2, 0, 2, 1, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 5, 4, 7, 6,
		1, 0, 0, 0, 4, 198, 18, 0, 1, 1, 0, 1, 0, 'a', 2, 0, 'b', 'c'}
	if !bytes.Equal(b, want) {
		t.Fatalf("\n got %v\nwant %v", b, want)
	}
}

func TestTemplateSetRoundTrip(t *testing.T) {
	s := sampleSet()
	b := s.Encode()
	got, err := DecodeTemplateSet(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Templates) != 2 {
		t.Fatal("templates")
	}
	got.Templates[1].Fields, got.Templates[1].Checksums = nil, nil // decoded empties
	for i := range s.Templates {
		if d := diffTemplate(&got.Templates[i], &s.Templates[i]); d != "" {
			t.Fatalf("template %d %s", i, d)
		}
	}
	if !bytes.Equal(got.Encode(), b) {
		t.Fatal("re-encoding differs")
	}
	// Layout of the first template header and its first rule.
	if string(b[:4]) != "XDTS" || getLE16(b[8:]) != 2 || getLE16(b[12:]) != 60 || getLE16(b[14:]) != 1 ||
		getLE32(b[16:]) != 3 || getLE32(b[20:]) != 100 || getLE16(b[24:]) != 42 || b[26] != 3 || b[27] != 2 {
		t.Fatalf("header % x", b[:28])
	}
	r := b[28+60:]
	if getLE16(r) != 34 || r[2] != 2 || r[3] != 1 || r[4] != 1 || r[5] != 0 || getLE16(r[6:]) != 0 ||
		getLE64(r[8:]) != 1000 || getLE64(r[16:]) != 1099 || getLE64(r[24:]) != 1 {
		t.Fatalf("field rule % x", r[:32])
	}
	l := r[32:]
	if getLE16(l[6:]) != 3 || getLE64(l[32:]) != 1 || getLE64(l[48:]) != 65535 {
		t.Fatalf("list rule % x", l[:56])
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("sample set should validate: %v", err)
	}
}

// A sample set's bytes with one change applied at an offset.
func mutate(b []byte, at int, v ...byte) []byte {
	c := append([]byte(nil), b...)
	copy(c[at:], v)
	return c
}

func TestDecodeTemplateSetRefusals(t *testing.T) {
	good := sampleSet().Encode()
	t0 := setHeaderLen                           // template 0 header
	f0 := t0 + templateHeaderLen + 60            // its field rule 0
	f1 := f0 + fieldRuleLen                      // field rule 1 (the list)
	c0 := f1 + fieldRuleLen + 3*8 + fieldRuleLen // checksum rule 0
	t1 := c0 + 2*checksumRuleLen                 // template 1 header
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"wrong magic", mutate(good, 0, 'X', 'D', 'R', 'Q'), `template set: bad magic "XDRQ", want "XDTS"`},
		{"trailing byte", append(append([]byte(nil), good...), 0), "template set: 1 trailing bytes"},
		{"truncated", good[:len(good)-1], "template 1: truncated"},
		{"empty", nil, "template set: truncated"},
		{"reserved in header", mutate(good, 10, 0, 1), "template set: reserved byte is 0x1"},
		{"no templates", mutate(good, 8, 0, 0), "template set: 0 templates, want 1..1024"},
		{"too many templates", mutate(good, 8, 0x01, 0x04), "template set: 1025 templates"},
		{"frame too short", mutate(good, t0, 13, 0), "template 0: frame length 13 is outside 14..1514"},
		{"frame too long", mutate(good, t1, 0xeb, 0x05), "template 1: frame length 1515"},
		{"too many field rules", mutate(good, t0+14, 9), "template 0: 9 field rules, at most 8"},
		{"too many checksum rules", mutate(good, t0+15, 5), "template 0: 5 checksum rules, at most 4"},
		{"field reserved", mutate(good, f1+5, 7), "template 0 field rule 1: reserved byte is 0x7"},
		{"list too long", mutate(good, f1+6, 0x01, 0x01), "template 0 field rule 1: list of 257 values, at most 256"},
		{"unknown op", mutate(good, f0+3, 5), "template 0 field rule 0: operation 5 is not"},
		{"unknown scope", mutate(good, f0+4, 3), "template 0 field rule 0: scope 3 is not"},
		{"checksum reserved 1", mutate(good, c0+1, 1), "template 0 checksum rule 0: reserved byte"},
		{"checksum reserved 6", mutate(good, c0+8+7, 1), "template 0 checksum rule 1: reserved byte"},
		{"unknown kind", mutate(good, c0+8, 6), "template 0 checksum rule 1: checksum kind 6 is not 1..5"},
		{"kind 0", mutate(good, c0, 0), "template 0 checksum rule 0: checksum kind 0"},
	}
	for _, c := range cases {
		_, err := DecodeTemplateSet(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
			continue
		}
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: not a *DecodeError: %T", c.name, err)
		}
	}
	// The offset is reported.
	_, err := DecodeTemplateSet(mutate(good, f1+5, 7))
	if !strings.Contains(err.Error(), "(at byte ") {
		t.Errorf("no offset in %v", err)
	}
}

func TestDecodeRunRequestRefusals(t *testing.T) {
	req := &RunRequest{AbiMajor: 1, SrcAddrs: []Addr{testSrc4}, DstAddrs: []Addr{testDst6}, Options: Options{{"k", "v"}}}
	good, err := EncodeRunRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	opts := requestHeaderLen + 5 + 17 // option count
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"wrong magic", mutate(good, 3, 'S'), `run request: bad magic "XDRS"`},
		{"trailing", append(append([]byte(nil), good...), 1, 2), "run request: 2 trailing bytes"},
		{"truncated", good[:len(good)-1], "run request option 0: truncated"},
		{"short header", good[:20], "run request: truncated"},
		{"reserved", mutate(good, 31, 1), "run request: reserved byte is 0x1"},
		{"too many sources", mutate(good, 28, 17), "run request: 17 source addresses, at most 16"},
		{"too many destinations", mutate(good, 29, 17), "run request: 17 destination addresses, at most 16"},
		{"bad family", mutate(good, 32, 5), "run request source address 0: address family 5 is not 4 or 6"},
		{"too many options", mutate(good, opts, 0x01, 0x01), "run request: 257 options, at most 256"},
		{"bad utf-8", mutate(good, opts+4, 0xff), "run request option 0: string is not valid UTF-8"},
	}
	for _, c := range cases {
		_, err := DecodeRunRequest(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func TestEncodeRunRequestRefusals(t *testing.T) {
	many := make([]Addr, 17)
	for i := range many {
		many[i] = testSrc4
	}
	opts := make(Options, 257)
	cases := []struct {
		req  *RunRequest
		want string
	}{
		{&RunRequest{SrcAddrs: many}, "at most 16 addresses"},
		{&RunRequest{DstAddrs: many}, "at most 16 addresses"},
		{&RunRequest{Options: opts}, "at most 256 options"},
		{&RunRequest{SrcAddrs: []Addr{{}}}, "not a valid IPv4 or IPv6 address"},
		{&RunRequest{Options: Options{{"x", strings.Repeat("a", 65536)}}}, "longer than 65535"},
		{&RunRequest{Options: Options{{"x", "\xff"}}}, "not valid UTF-8"},
	}
	for _, c := range cases {
		if _, err := EncodeRunRequest(c.req); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}

func TestEncodePanicsOnCountsThatDoNotFit(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "field rules do not fit") {
			t.Fatalf("recovered %v", r)
		}
	}()
	s := NewTemplateSet(Template{Frame: make([]byte, 60), Fields: make([]FieldRule, 256)})
	s.Encode()
}

func TestMarshalValidates(t *testing.T) {
	s := sampleSet()
	if _, err := s.Marshal(1500); err != nil {
		t.Fatalf("a 1514-byte frame fits MTU 1500: %v", err)
	}
	if _, err := s.Marshal(1400); err == nil || !strings.Contains(err.Error(), "template 1: frame length 1514 exceeds the interface MTU 1400 + 14") {
		t.Fatalf("got %v", err)
	}
	b, err := s.Marshal(0)
	if err != nil || !bytes.Equal(b, s.Encode()) {
		t.Fatalf("Marshal(0): %v", err)
	}
}
