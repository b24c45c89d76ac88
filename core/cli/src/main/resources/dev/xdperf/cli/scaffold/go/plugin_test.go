package main

import (
	"testing"

	xdperf "github.com/xdperf/xdperf/sdk-tinygo"
)

func request(opts xdperf.Options) *xdperf.RunRequest {
	return &xdperf.RunRequest{
		AbiMajor: xdperf.AbiMajor, AbiMinor: xdperf.AbiMinor,
		MTU: 1500, CPUs: 2, StreamBase: 3,
		SrcMAC:   xdperf.MustParseMAC("02:00:00:00:00:01"),
		DstMAC:   xdperf.MustParseMAC("02:00:00:00:00:02"),
		SrcAddrs: []xdperf.Addr{xdperf.MustParseAddr("192.0.2.1"), xdperf.MustParseAddr("2001:db8::1")},
		DstAddrs: []xdperf.Addr{xdperf.MustParseAddr("192.0.2.2"), xdperf.MustParseAddr("2001:db8::2")},
		Options:  opts,
	}
}

// generateThroughBytes runs generate the way the WebAssembly export does: request bytes in,
// template set bytes out.
func generateThroughBytes(t *testing.T, req *xdperf.RunRequest) (*xdperf.TemplateSet, error) {
	t.Helper()
	in, err := xdperf.EncodeRunRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	out, err := xdperf.Generate(generate, in)
	if err != nil {
		return nil, err
	}
	return xdperf.DecodeTemplateSet(out)
}

func TestDescribeIsJSON(t *testing.T) {
	if _, err := xdperf.Describe(describe); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultsAndIPv6GiveOneValidTemplate(t *testing.T) {
	for _, opts := range []xdperf.Options{nil, {{Name: "ipv6", Value: "true"}, {Name: "flows", Value: "8"}}} {
		set, err := generateThroughBytes(t, request(opts))
		if err != nil {
			t.Fatalf("%v: %v", opts, err)
		}
		if err := set.ValidateMTU(1500); err != nil {
			t.Fatalf("%v: %v", opts, err)
		}
		if len(set.Templates) != 1 || set.Templates[0].StreamID != 3 {
			t.Fatalf("%v: want one template on stream 3, got %+v", opts, set.Templates)
		}
	}
}

func TestFrameSizeIsHonoured(t *testing.T) {
	req := request(nil)
	req.FrameSize = 200
	set, err := generateThroughBytes(t, req)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(set.Templates[0].Frame); n != 200 {
		t.Fatalf("frame is %d bytes, want 200", n)
	}
}

func TestTooManyFlowsIsOneSentence(t *testing.T) {
	_, err := generateThroughBytes(t, request(xdperf.Options{{Name: "src-ports", Value: "1000-1003"}, {Name: "flows", Value: "5"}}))
	if err == nil {
		t.Fatal("5 flows over 4 ports were accepted")
	}
}
