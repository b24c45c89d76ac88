// Command udpflood is an example xdperf plugin: UDP flows from every destination address
// of the run (paired with a source address of the same family), the source port counting
// up per flow, each packet carrying a measurement header so the receiver measures loss,
// reordering and latency per stream.
//
// Its logic lives in describe and generate (this file, pure Go, tested natively); main.go
// only wires them to the WebAssembly exports.
package main

import (
	"fmt"

	xdperf "github.com/xdperf/xdperf/sdk-tinygo"
)

const pluginID = "udpflood"

func describe() xdperf.Description {
	return xdperf.Description{
		ID:          pluginID,
		Version:     "1.0.0",
		Description: "UDP flows with per-flow source ports and a measurement header",
		License:     "Apache-2.0",
		Options: []xdperf.OptionSpec{
			xdperf.IntOption("flows", 100, 1, 1<<32-1, "number of flows (source ports) per destination"),
			xdperf.PortRangeOption("sport", xdperf.PortRange{Lo: 1024, Hi: 65535}, "source ports the flows count through"),
			xdperf.IntOption("dport", 9, 0, 65535, "destination port"),
			xdperf.IntOption("payload", 18, 0, 1472, "payload bytes after the UDP header when --size is not given (the measurement header counts)"),
			xdperf.BoolOption("measure", true, "carry a measurement header (loss, reordering, latency)"),
			xdperf.IntOption("vlan", 0, 0, 4095, "802.1Q VLAN id, 0 for untagged"),
		},
	}
}

type config struct {
	flows   uint32
	sport   xdperf.PortRange
	dport   uint16
	payload int
	measure bool
	vlan    uint16
}

func readConfig(o xdperf.Options) (config, error) {
	r := o.Reader()
	c := config{
		flows:   uint32(r.IntRange("flows", 100, 1, 1<<32-1)),
		sport:   r.PortRange("sport", xdperf.PortRange{Lo: 1024, Hi: 65535}),
		dport:   uint16(r.IntRange("dport", 9, 0, 65535)),
		payload: int(r.IntRange("payload", 18, 0, 1472)),
		measure: r.Bool("measure", true),
		vlan:    uint16(r.IntRange("vlan", 0, 0, 4095)),
	}
	return c, r.Err()
}

// generate makes one template per destination address that has a source address of the
// same family, with stream ids counting up from the request's stream base.
func generate(req *xdperf.RunRequest) (*xdperf.TemplateSet, error) {
	c, err := readConfig(req.Options)
	if err != nil {
		return nil, err
	}
	set := xdperf.NewTemplateSet()
	for _, dst := range req.DstAddrs {
		src, ok := sameFamily(req.SrcAddrs, dst)
		if !ok {
			continue
		}
		stream := req.StreamBase + uint16(len(set.Templates))
		f, err := buildFrame(req, c, src, dst, stream)
		if err != nil {
			return nil, err
		}
		ports := xdperf.IncrementPerFlow(f.SrcPort(), 2, uint64(c.sport.Lo), uint64(c.sport.Hi), 1)
		set.Templates = append(set.Templates, f.Template(stream, 1, c.flows, ports))
	}
	if len(set.Templates) == 0 {
		return nil, fmt.Errorf("%s: no destination address has a source address of the same family (sources %v, destinations %v)",
			pluginID, req.SrcAddrs, req.DstAddrs)
	}
	return set, nil
}

func sameFamily(addrs []xdperf.Addr, like xdperf.Addr) (xdperf.Addr, bool) {
	for _, a := range addrs {
		if a.Family() == like.Family() {
			return a, true
		}
	}
	return xdperf.Addr{}, false
}

func buildFrame(req *xdperf.RunRequest, c config, src, dst xdperf.Addr, stream uint16) (*xdperf.Frame, error) {
	b := xdperf.NewBuilder().Ethernet(req.SrcMAC, req.DstMAC)
	if c.vlan != 0 {
		b.VLAN(c.vlan, 0)
	}
	if dst.Is4() {
		b.IPv4(src, dst)
	} else {
		b.IPv6(src, dst)
	}
	b.UDP(c.sport.Lo, c.dport)
	if c.measure {
		b.MeasurementHeader(stream)
	}
	if req.FrameSize != 0 {
		if b.Len() > int(req.FrameSize) {
			return nil, fmt.Errorf("%s: --size %d is too small for the %d bytes of headers to %v",
				pluginID, req.FrameSize, b.Len(), dst)
		}
		b.PadTo(int(req.FrameSize))
	} else {
		used := 0
		if c.measure {
			used = xdperf.MeasurementHeaderLen
		}
		if c.payload > used {
			b.Zeros(c.payload - used)
		}
	}
	return b.Build()
}
