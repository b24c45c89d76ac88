package main

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"

	xdperf "github.com/xdperf/xdperf/sdk-tinygo"
)

// run goes through the same bytes as the WebAssembly exports.
func run(t *testing.T, req *xdperf.RunRequest) (*xdperf.TemplateSet, error) {
	t.Helper()
	in, err := xdperf.EncodeRunRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	out, err := xdperf.Generate(generate, in)
	if err != nil {
		return nil, err
	}
	set, err := xdperf.DecodeTemplateSet(out)
	if err != nil {
		t.Fatalf("output does not decode: %v", err)
	}
	return set, nil
}

func TestDescribe(t *testing.T) {
	out, err := xdperf.Describe(describe)
	if err != nil {
		t.Fatal(err)
	}
	var d xdperf.Description
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	if d.ID != "udpflood" || d.ABI != "1.0" || len(d.Options) != 6 {
		t.Fatalf("%+v", d)
	}
	// Every default parses with the getter generate uses.
	var opts xdperf.Options
	for _, o := range d.Options {
		opts = append(opts, xdperf.Option{Name: o.Name, Value: o.Default})
	}
	if _, err := readConfig(opts); err != nil {
		t.Fatalf("defaults do not parse: %v", err)
	}
}

func TestGenerateBothFamilies(t *testing.T) {
	req := sampleRequest()
	req.FrameSize = 128
	req.StreamBase = 10
	set, err := run(t, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Templates) != 2 {
		t.Fatalf("%d templates", len(set.Templates))
	}
	for i, tm := range set.Templates {
		if tm.StreamID != uint16(10+i) || tm.Flows != 100 || tm.Weight != 1 || len(tm.Frame) != 128 {
			t.Errorf("template %d: %+v", i, tm)
		}
		l4 := 34
		if i == 1 {
			l4 = 54
		}
		if tm.MHOffset != uint16(l4+8) {
			t.Errorf("template %d: measurement header at %d", i, tm.MHOffset)
		}
		mh := tm.Frame[tm.MHOffset:]
		if binary.BigEndian.Uint16(mh) != 0x58DF || binary.BigEndian.Uint16(mh[2:]) != tm.StreamID || mh[17] != 1 {
			t.Errorf("template %d: measurement header % x", i, mh[:18])
		}
		if len(tm.Fields) != 1 {
			t.Fatalf("template %d: %d rules", i, len(tm.Fields))
		}
		f := tm.Fields[0]
		if int(f.Offset) != l4 || f.Width != 2 || f.Op != xdperf.OpIncrement || f.Scope != xdperf.PerFlow ||
			f.Min != 1000 || f.Max != 1099 || f.Step != 1 {
			t.Errorf("template %d: rule %+v", i, f)
		}
		if got := binary.BigEndian.Uint16(tm.Frame[l4:]); got != 1000 {
			t.Errorf("template %d: source port %d", i, got)
		}
		if got := binary.BigEndian.Uint16(tm.Frame[l4+2:]); got != 9 {
			t.Errorf("template %d: destination port %d", i, got)
		}
		if !xdperf.VerifyChecksums(tm.Frame, tm.Checksums) {
			t.Errorf("template %d: checksums", i)
		}
	}
	if len(set.Templates[0].Checksums) != 2 || len(set.Templates[1].Checksums) != 1 {
		t.Errorf("checksum rules: %v / %v", set.Templates[0].Checksums, set.Templates[1].Checksums)
	}
}

func TestGenerateOptions(t *testing.T) {
	req := sampleRequest()
	req.DstAddrs = req.DstAddrs[:1]
	req.Options = xdperf.Options{{Name: "flows", Value: "7"}, {Name: "sport", Value: "5000-5006"}, {Name: "dport", Value: "4791"},
		{Name: "payload", Value: "100"}, {Name: "measure", Value: "false"}, {Name: "vlan", Value: "42"}}
	set, err := run(t, req)
	if err != nil {
		t.Fatal(err)
	}
	tm := set.Templates[0]
	// 14 + 4 (VLAN) + 20 + 8 + 100 bytes of payload, no measurement header.
	if len(tm.Frame) != 146 || tm.MHOffset != 0 || tm.Flows != 7 || tm.Fields[0].Offset != 38 || tm.Fields[0].Min != 5000 ||
		tm.Fields[0].Max != 5006 || binary.BigEndian.Uint16(tm.Frame[14:]) != 42 || binary.BigEndian.Uint16(tm.Frame[40:]) != 4791 {
		t.Fatalf("%+v", tm)
	}
}

func TestGenerateRefusals(t *testing.T) {
	cases := []struct {
		mod  func(r *xdperf.RunRequest)
		want string
	}{
		{func(r *xdperf.RunRequest) { r.SrcAddrs = r.SrcAddrs[:1]; r.DstAddrs = r.DstAddrs[1:] }, "no destination address has a source address of the same family"},
		{func(r *xdperf.RunRequest) { r.FrameSize = 50 }, "--size 50 is too small for the 60 bytes of headers"},
		{func(r *xdperf.RunRequest) { r.FrameSize = 1514; r.MTU = 1400 }, "exceeds the interface MTU 1400 + 14"},
		{func(r *xdperf.RunRequest) { r.Options = xdperf.Options{{Name: "sport", Value: "9-1"}} }, "option sport"},
		{func(r *xdperf.RunRequest) { r.Options = xdperf.Options{{Name: "flows", Value: "0"}} }, "option flows: 0 is outside 1..4294967295"},
		{func(r *xdperf.RunRequest) { r.Options = xdperf.Options{{Name: "measure", Value: "yes"}} }, "option measure"},
	}
	for _, c := range cases {
		req := sampleRequest()
		c.mod(req)
		if _, err := run(t, req); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}
