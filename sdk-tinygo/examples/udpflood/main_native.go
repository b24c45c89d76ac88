//go:build !(tinygo || wasip1)

package main

// Built natively (go run .), the plugin prints its description and the template set it
// generates for a sample run request, through the same byte path as the WebAssembly
// exports: a quick way to look at what a plugin produces.

import (
	"encoding/hex"
	"fmt"
	"os"

	xdperf "github.com/xdperf/xdperf/sdk-tinygo"
)

func sampleRequest() *xdperf.RunRequest {
	return &xdperf.RunRequest{
		AbiMajor: xdperf.AbiMajor, AbiMinor: xdperf.AbiMinor,
		MTU: 1500, CPUs: 2,
		SrcMAC:   xdperf.MustParseMAC("02:00:00:00:00:01"),
		DstMAC:   xdperf.MustParseMAC("02:00:00:00:00:02"),
		SrcAddrs: []xdperf.Addr{xdperf.MustParseAddr("198.18.0.1"), xdperf.MustParseAddr("fd00:5844::1")},
		DstAddrs: []xdperf.Addr{xdperf.MustParseAddr("198.18.0.2"), xdperf.MustParseAddr("fd00:5844::2")},
		Options:  xdperf.Options{{Name: "flows", Value: "100"}, {Name: "sport", Value: "1000-1099"}},
	}
}

func main() {
	desc, err := xdperf.Describe(describe)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("describe: %s\n", desc)
	in, err := xdperf.EncodeRunRequest(sampleRequest())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := xdperf.Generate(generate, in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	set, err := xdperf.DecodeTemplateSet(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("generate: %d bytes, %d templates\n", len(out), len(set.Templates))
	for i, t := range set.Templates {
		fmt.Printf("template %d: stream %d, weight %d, flows %d, measurement header at %d, %d bytes\n  %s\n",
			i, t.StreamID, t.Weight, t.Flows, t.MHOffset, len(t.Frame), hex.EncodeToString(t.Frame))
		for j, f := range t.Fields {
			fmt.Printf("  field rule %d: %s %s at %d, width %d, %d..%d step %d\n",
				j, f.Op, f.Scope, f.Offset, f.Width, f.Min, f.Max, f.Step)
		}
		for j, c := range t.Checksums {
			fmt.Printf("  checksum rule %d: %s, L3 %d, L4 %d\n", j, c.Kind, c.L3, c.L4)
		}
	}
}
