// Command {{NAME}} is an xdperf protocol plugin: UDP requests, each carrying a 16-bit
// request id that counts up per packet, from one source port per flow, with a measurement
// header so the receiver counts loss, reordering and latency. Written by
// `xdperf plugin new`; make it yours.
//
// The logic lives here, in describe and generate (plain Go, tested natively by
// plugin_test.go); main.go only registers them as the WebAssembly exports.
package main

import (
	"fmt"

	xdperf "github.com/xdperf/xdperf/sdk-tinygo"
)

const pluginID = "{{NAME}}"

var defaultPorts = xdperf.PortRange{Lo: 1024, Hi: 65535}

func describe() xdperf.Description {
	return xdperf.Description{
		ID:          pluginID,
		Version:     "0.1.0",
		Description: "UDP requests with a per-packet request id and a measurement header",
		License:     "Apache-2.0",
		Options: []xdperf.OptionSpec{
			xdperf.IntOption("dst-port", 9000, 1, 65535, "destination UDP port"),
			xdperf.PortRangeOption("src-ports", defaultPorts, "source ports the flows take in turn"),
			xdperf.IntOption("flows", 1, 1, 65536, "flows: distinct source ports"),
			xdperf.IntOption("payload", 32, 20, 1472, "UDP payload bytes: measurement header, request id, pattern (a frame size given to the run takes precedence)"),
			xdperf.BoolOption("ipv6", false, "send over IPv6 even when the run has IPv4 addresses"),
		},
	}
}

type config struct {
	dstPort  uint16
	srcPorts xdperf.PortRange
	flows    uint32
	payload  int
	ipv6     bool
}

func readConfig(o xdperf.Options) (config, error) {
	r := o.Reader()
	c := config{
		dstPort:  uint16(r.IntRange("dst-port", 9000, 1, 65535)),
		srcPorts: r.PortRange("src-ports", defaultPorts),
		flows:    uint32(r.IntRange("flows", 1, 1, 65536)),
		payload:  int(r.IntRange("payload", 32, 20, 1472)),
		ipv6:     r.Bool("ipv6", false),
	}
	if err := r.Err(); err != nil {
		return c, err
	}
	if int(c.flows) > c.srcPorts.Size() {
		return c, fmt.Errorf("option flows: %d flows need %d source ports, src-ports %v has %d",
			c.flows, c.flows, c.srcPorts, c.srcPorts.Size())
	}
	return c, nil
}

// generate makes one template from the run's first source to its first destination of the
// chosen family.
func generate(req *xdperf.RunRequest) (*xdperf.TemplateSet, error) {
	c, err := readConfig(req.Options)
	if err != nil {
		return nil, err
	}
	src, dst, ok := pick(req, c.ipv6)
	if !ok {
		return nil, fmt.Errorf("the run has no source and destination address of the same family (sources %v, destinations %v)",
			req.SrcAddrs, req.DstAddrs)
	}
	stream := req.StreamBase
	b := xdperf.NewBuilder().Ethernet(req.SrcMAC, req.DstMAC)
	if dst.Is4() {
		b.IPv4With(src, dst, xdperf.IPv4Header{DontFragment: true})
	} else {
		b.IPv6(src, dst)
	}
	// the receiver finds the measurement header right after the UDP header
	b.UDP(c.srcPorts.Lo, c.dstPort).MeasurementHeader(stream)
	idAt := b.Len()
	payload := c.payload
	if req.FrameSize != 0 {
		payload = int(req.FrameSize) - (idAt - xdperf.MeasurementHeaderLen)
		if payload < xdperf.MeasurementHeaderLen+2 {
			return nil, fmt.Errorf("frame size %d is smaller than the %d bytes of headers, measurement header and request id",
				req.FrameSize, idAt+2)
		}
	}
	// the request id (2 bytes, written per packet by its field rule), then a pattern
	rest := make([]byte, payload-xdperf.MeasurementHeaderLen)
	for i := 2; i < len(rest); i++ {
		rest[i] = byte(idAt + i)
	}
	b.Payload(rest)
	f, err := b.Build()
	if err != nil {
		return nil, err
	}
	set := xdperf.NewTemplateSet()
	set.Templates = append(set.Templates, f.Template(stream, 1, c.flows,
		xdperf.IncrementPerFlow(f.SrcPort(), 2, uint64(c.srcPorts.Lo), uint64(c.srcPorts.Lo)+uint64(c.flows)-1, 1),
		// the request id counts this template's packets (xdperf's docs/abi.md: counters are per template)
		xdperf.Increment(idAt, 2, 0, 0xffff, 1)))
	return set, nil
}

func pick(req *xdperf.RunRequest, ipv6 bool) (xdperf.Addr, xdperf.Addr, bool) {
	for _, want6 := range []bool{ipv6, true} {
		for _, d := range req.DstAddrs {
			if d.Is4() == want6 {
				continue
			}
			for _, s := range req.SrcAddrs {
				if s.Family() == d.Family() {
					return s, d, true
				}
			}
		}
		if ipv6 {
			break
		}
	}
	return xdperf.Addr{}, xdperf.Addr{}, false
}
