// Package xdperf is the Go SDK for xdperf protocol plugins (TinyGo or Go 1.24+, compiled to
// WebAssembly and run by xdperf through Extism).
//
// A plugin describes packets once per run; it never runs per packet. The host sends it a
// run request (interface MTU, MAC and IP addresses, plugin options) and the plugin answers
// with a template set: frames, plus field rules (which bytes xdp_tx changes packet after
// packet) and checksum rules (which checksums the host fills in and keeps right). The
// byte layout is the template ABI v1.0 of docs/abi.md; this package reads and writes it.
//
// Everything in this package except the Extism glue (Input, Output, SetError, the exports)
// is pure Go and builds and tests natively, so a plugin's template logic can be unit-tested
// with plain `go test`.
//
// A minimal plugin:
//
//	func init() { xdperf.Register(describe, generate) }
//	func main() {}
//
//	func generate(req *xdperf.RunRequest) (*xdperf.TemplateSet, error) {
//		f, err := xdperf.NewBuilder().
//			Ethernet(req.SrcMAC, req.DstMAC).
//			IPv4(req.SrcAddrs[0], req.DstAddrs[0]).
//			UDP(5201, 5201).
//			MeasurementHeader(req.StreamBase).
//			PadTo(64).
//			Build()
//		if err != nil {
//			return nil, err
//		}
//		t := f.Template(req.StreamBase, 1, 100,
//			xdperf.IncrementPerFlow(f.SrcPort(), 2, 1000, 1099, 1))
//		return xdperf.NewTemplateSet(t), nil
//	}
package xdperf
