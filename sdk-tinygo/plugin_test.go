package xdperf

import (
	"errors"
	"strings"
	"testing"
)

func testGenerate(req *RunRequest) (*TemplateSet, error) {
	n, err := req.Options.Int("flows", 1)
	if err != nil {
		return nil, err
	}
	f, err := NewBuilder().Ethernet(req.SrcMAC, req.DstMAC).IPv4(req.SrcAddrs[0], req.DstAddrs[0]).
		UDP(5201, 5201).MeasurementHeader(req.StreamBase).PadTo(int(req.FrameSize)).Build()
	if err != nil {
		return nil, err
	}
	s := &TemplateSet{Templates: []Template{f.Template(req.StreamBase, 1, uint32(n), IncrementPerFlow(f.SrcPort(), 2, 1000, 1099, 1))}}
	return s, nil
}

func encodeReq(t *testing.T, req *RunRequest) []byte {
	t.Helper()
	b, err := EncodeRunRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGenerateEndToEnd(t *testing.T) {
	req := &RunRequest{AbiMajor: 1, AbiMinor: 0, MTU: 1500, SrcMAC: testSrcMAC, DstMAC: testDstMAC, FrameSize: 64,
		StreamBase: 5, SrcAddrs: []Addr{testSrc4}, DstAddrs: []Addr{testDst4}, Options: Options{{"flows", "100"}}}
	out, err := Generate(testGenerate, encodeReq(t, req))
	if err != nil {
		t.Fatal(err)
	}
	s, err := DecodeTemplateSet(out)
	if err != nil {
		t.Fatal(err)
	}
	if s.AbiMajor != 1 || s.AbiMinor != 0 || len(s.Templates) != 1 || s.Templates[0].StreamID != 5 || s.Templates[0].Flows != 100 ||
		len(s.Templates[0].Frame) != 64 || s.Templates[0].MHOffset != 42 {
		t.Fatalf("%+v", s)
	}
	// A newer host minor is fine.
	req.AbiMinor = 7
	if _, err := Generate(testGenerate, encodeReq(t, req)); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateFailures(t *testing.T) {
	base := RunRequest{AbiMajor: 1, MTU: 1500, FrameSize: 64, SrcAddrs: []Addr{testSrc4}, DstAddrs: []Addr{testDst4}}
	withOpt := base
	withOpt.Options = Options{{"flows", "many"}}
	major := base
	major.AbiMajor = 2
	smallMTU := base
	smallMTU.MTU = 40
	cases := []struct {
		input []byte
		gen   GenerateFunc
		want  string
	}{
		{[]byte("nope"), testGenerate, "run request: bad magic"},
		{encodeReq(t, &major), testGenerate, "the host speaks template ABI 2.0, this plugin was built for 1.0"},
		{encodeReq(t, &withOpt), testGenerate, `option flows: "many" is not a decimal integer`},
		{encodeReq(t, &smallMTU), testGenerate, "template 0: frame length 64 exceeds the interface MTU 40 + 14"},
		{encodeReq(t, &base), func(*RunRequest) (*TemplateSet, error) { return nil, nil }, "no template set and no error"},
		{encodeReq(t, &base), func(*RunRequest) (*TemplateSet, error) { return nil, errors.New("boom") }, "boom"},
		{encodeReq(t, &base), func(*RunRequest) (*TemplateSet, error) { return &TemplateSet{}, nil }, "0 templates"},
	}
	for i, c := range cases {
		if _, err := Generate(c.gen, c.input); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: got %v, want %q", i, err, c.want)
		}
	}
}

func TestRegisterAndHandlers(t *testing.T) {
	registeredDescribe, registeredGenerate = nil, nil
	if _, err := HandleDescribe(); err == nil || !strings.Contains(err.Error(), "xdperf.Register") {
		t.Fatalf("unregistered describe: %v", err)
	}
	if _, err := HandleGenerate(nil); err == nil || !strings.Contains(err.Error(), "xdperf.Register") {
		t.Fatalf("unregistered generate: %v", err)
	}
	Register(sampleDescription, testGenerate)
	defer Register(nil, nil)
	d, err := HandleDescribe()
	if err != nil || !strings.Contains(string(d), `"abi":"1.0"`) {
		t.Fatalf("%s %v", d, err)
	}
	out, err := HandleGenerate(encodeReq(t, &RunRequest{AbiMajor: 1, FrameSize: 60, SrcAddrs: []Addr{testSrc4}, DstAddrs: []Addr{testDst4}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeTemplateSet(out); err != nil {
		t.Fatal(err)
	}
	if _, err := Describe(func() Description { return Description{ID: "x", ABI: "2.0"} }); err == nil ||
		!strings.Contains(err.Error(), "declares template ABI 2.0") {
		t.Fatalf("wrong ABI accepted: %v", err)
	}
}
