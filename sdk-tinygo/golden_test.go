package xdperf

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The golden vectors of docs/abi.md, written by the Java codec (host-abi): NAME.bin holds
// the exact bytes, NAME.json the decoded structure. The Go SDK must decode every .bin to
// its .json and encode the .json back to the .bin byte for byte. A missing folder fails:
// the vectors are the contract, not an optional extra.
const goldenDir = "../host-abi/src/test/resources/golden"

type goldenRequest struct {
	AbiMajor   uint16     `json:"abi_major"`
	AbiMinor   uint16     `json:"abi_minor"`
	MTU        uint16     `json:"mtu"`
	CPUs       uint16     `json:"cpus"`
	SrcMAC     string     `json:"src_mac"`
	DstMAC     string     `json:"dst_mac"`
	FrameSize  uint16     `json:"frame_size"`
	StreamBase uint16     `json:"stream_base"`
	SrcAddrs   []string   `json:"src_addrs"`
	DstAddrs   []string   `json:"dst_addrs"`
	Options    [][]string `json:"options"`
}

type goldenSet struct {
	AbiMajor  uint16           `json:"abi_major"`
	AbiMinor  uint16           `json:"abi_minor"`
	Templates []goldenTemplate `json:"templates"`
}

type goldenTemplate struct {
	StreamID  uint16           `json:"stream_id"`
	Weight    uint32           `json:"weight"`
	Flows     uint32           `json:"flows"`
	MHOffset  uint16           `json:"mh_offset"`
	Bytes     string           `json:"bytes"`
	Fields    []goldenField    `json:"fields"`
	Checksums []goldenChecksum `json:"checksums"`
}

type goldenField struct {
	Offset uint16   `json:"offset"`
	Width  uint8    `json:"width"`
	Op     uint8    `json:"op"`
	Scope  uint8    `json:"scope"`
	Min    string   `json:"min"`
	Max    string   `json:"max"`
	Step   string   `json:"step"`
	Values []string `json:"values"`
}

type goldenChecksum struct {
	Kind uint8  `json:"kind"`
	L3   uint16 `json:"l3"`
	L4   uint16 `json:"l4"`
}

func strictJSON(b []byte, v interface{}) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

func u64(s string) (uint64, error) { return strconv.ParseUint(s, 10, 64) }

func (g *goldenRequest) toRequest() (*RunRequest, error) {
	r := &RunRequest{AbiMajor: g.AbiMajor, AbiMinor: g.AbiMinor, MTU: g.MTU, CPUs: g.CPUs,
		FrameSize: g.FrameSize, StreamBase: g.StreamBase}
	var err error
	if r.SrcMAC, err = ParseMAC(g.SrcMAC); err != nil {
		return nil, err
	}
	if r.DstMAC, err = ParseMAC(g.DstMAC); err != nil {
		return nil, err
	}
	for _, s := range g.SrcAddrs {
		a, err := ParseAddr(s)
		if err != nil {
			return nil, err
		}
		r.SrcAddrs = append(r.SrcAddrs, a)
	}
	for _, s := range g.DstAddrs {
		a, err := ParseAddr(s)
		if err != nil {
			return nil, err
		}
		r.DstAddrs = append(r.DstAddrs, a)
	}
	for i, o := range g.Options {
		if len(o) != 2 {
			return nil, fmt.Errorf("option %d has %d elements, want [name, value]", i, len(o))
		}
		r.Options = append(r.Options, Option{Name: o[0], Value: o[1]})
	}
	return r, nil
}

func (g *goldenSet) toSet() (*TemplateSet, error) {
	s := &TemplateSet{AbiMajor: g.AbiMajor, AbiMinor: g.AbiMinor}
	for ti, gt := range g.Templates {
		frame, err := hex.DecodeString(gt.Bytes)
		if err != nil {
			return nil, fmt.Errorf("template %d bytes: %v", ti, err)
		}
		if gt.Bytes != strings.ToLower(gt.Bytes) {
			return nil, fmt.Errorf("template %d bytes are not lowercase hex", ti)
		}
		t := Template{StreamID: gt.StreamID, Weight: gt.Weight, Flows: gt.Flows, MHOffset: gt.MHOffset, Frame: frame}
		for fi, gf := range gt.Fields {
			f := FieldRule{Offset: gf.Offset, Width: gf.Width, Op: Op(gf.Op), Scope: Scope(gf.Scope)}
			if f.Min, err = u64(gf.Min); err != nil {
				return nil, fmt.Errorf("template %d field %d min: %v", ti, fi, err)
			}
			if f.Max, err = u64(gf.Max); err != nil {
				return nil, fmt.Errorf("template %d field %d max: %v", ti, fi, err)
			}
			if f.Step, err = u64(gf.Step); err != nil {
				return nil, fmt.Errorf("template %d field %d step: %v", ti, fi, err)
			}
			for _, v := range gf.Values {
				x, err := u64(v)
				if err != nil {
					return nil, fmt.Errorf("template %d field %d value: %v", ti, fi, err)
				}
				f.Values = append(f.Values, x)
			}
			t.Fields = append(t.Fields, f)
		}
		for _, gc := range gt.Checksums {
			t.Checksums = append(t.Checksums, ChecksumRule{Kind: ChecksumKind(gc.Kind), L3: gc.L3, L4: gc.L4})
		}
		s.Templates = append(s.Templates, t)
	}
	return s, nil
}

func goldenFiles(t *testing.T) []string {
	t.Helper()
	if _, err := os.Stat(goldenDir); err != nil {
		t.Fatalf("golden vectors folder %s is missing: %v", goldenDir, err)
	}
	bins, err := filepath.Glob(filepath.Join(goldenDir, "*.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bins) == 0 {
		t.Fatalf("no *.bin golden vectors in %s", goldenDir)
	}
	jsons, _ := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	for _, j := range jsons {
		if _, err := os.Stat(strings.TrimSuffix(j, ".json") + ".bin"); err != nil {
			t.Errorf("%s has no .bin beside it", filepath.Base(j))
		}
	}
	return bins
}

func TestGoldenVectors(t *testing.T) {
	kinds := map[string]int{}
	for _, bin := range goldenFiles(t) {
		name := strings.TrimSuffix(filepath.Base(bin), ".bin")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			js, err := os.ReadFile(strings.TrimSuffix(bin, ".bin") + ".json")
			if err != nil {
				t.Fatalf("no .json beside %s: %v", filepath.Base(bin), err)
			}
			switch {
			case strings.HasPrefix(name, "request-"):
				kinds["request"]++
				goldenRequestCase(t, raw, js)
			case strings.HasPrefix(name, "set-"):
				kinds["set"]++
				goldenSetCase(t, raw, js)
			default:
				t.Fatalf("unknown golden vector kind %q (names start with request- or set-)", name)
			}
		})
	}
	if kinds["request"] == 0 || kinds["set"] == 0 {
		t.Errorf("want at least one request and one set vector, got %v", kinds)
	}
}

func goldenRequestCase(t *testing.T, raw, js []byte) {
	var g goldenRequest
	if err := strictJSON(js, &g); err != nil {
		t.Fatalf("json: %v", err)
	}
	want, err := g.toRequest()
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	// decode(.bin) == .json
	got, err := DecodeRunRequest(raw)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded request differs\n got %+v\nwant %+v", got, want)
	}
	// encode(.json) == .bin
	enc, err := EncodeRunRequest(want)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	if !bytes.Equal(enc, raw) {
		t.Errorf("encoded request differs\n got %x\nwant %x", enc, raw)
	}
	// Addresses print in RFC 5952 form whatever form the JSON used, and parse back.
	for _, a := range append(append([]Addr(nil), got.SrcAddrs...), got.DstAddrs...) {
		if back := MustParseAddr(a.String()); back != a {
			t.Errorf("address %v does not survive String/ParseAddr", a)
		}
	}
}

func goldenSetCase(t *testing.T, raw, js []byte) {
	var g goldenSet
	if err := strictJSON(js, &g); err != nil {
		t.Fatalf("json: %v", err)
	}
	want, err := g.toSet()
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	got, err := DecodeTemplateSet(raw)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(got.Templates) != len(want.Templates) || got.AbiMajor != want.AbiMajor || got.AbiMinor != want.AbiMinor {
		t.Fatalf("decoded set: version %d.%d, %d templates; want %d.%d, %d templates", got.AbiMajor, got.AbiMinor,
			len(got.Templates), want.AbiMajor, want.AbiMinor, len(want.Templates))
	}
	for i := range want.Templates {
		if d := diffTemplate(&got.Templates[i], &want.Templates[i]); d != "" {
			t.Errorf("template %d: %s", i, d)
		}
	}
	if enc := want.Encode(); !bytes.Equal(enc, raw) {
		t.Errorf("encoded set differs (%d bytes, want %d)\n got %x\nwant %x", len(enc), len(raw), enc, raw)
	}
	// The vectors are valid sets with their checksums filled in by the host's rules.
	if err := got.Validate(); err != nil {
		t.Errorf("golden set does not validate: %v", err)
	}
	for i, tm := range got.Templates {
		if !VerifyChecksums(tm.Frame, tm.Checksums) {
			t.Errorf("template %d: checksums in the golden frame differ from ApplyChecksums", i)
		}
	}
}

func diffTemplate(got, want *Template) string {
	norm := func(t *Template) Template {
		c := *t
		if len(c.Fields) == 0 {
			c.Fields = nil
		}
		if len(c.Checksums) == 0 {
			c.Checksums = nil
		}
		c.Fields = append([]FieldRule(nil), c.Fields...)
		for i := range c.Fields {
			if len(c.Fields[i].Values) == 0 {
				c.Fields[i].Values = nil
			}
		}
		return c
	}
	g, w := norm(got), norm(want)
	if !reflect.DeepEqual(g, w) {
		return fmt.Sprintf("differs\n got %+v\nwant %+v", g, w)
	}
	return ""
}
