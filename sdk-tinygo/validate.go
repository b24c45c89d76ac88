package xdperf

import (
	"fmt"
	"strconv"
)

func errorf(format string, args ...interface{}) error {
	return fmt.Errorf("xdperf: "+format, args...)
}

// Validate applies the checks of docs/abi.md, "Limits and validation", with the ABI's own
// limits only (no interface MTU). It returns the first problem, naming the template, the
// rule and the value. The host runs the same checks; failing here gives the plugin author
// the message before the host does.
func (s *TemplateSet) Validate() error { return s.ValidateMTU(0) }

// ValidateFor validates the set for the interface of a run request (frame length at most
// MTU + 14).
func (s *TemplateSet) ValidateFor(req *RunRequest) error { return s.ValidateMTU(int(req.MTU)) }

// ValidateMTU validates the set for an interface with this MTU (0: no MTU check).
func (s *TemplateSet) ValidateMTU(mtu int) error {
	if s.AbiMajor != AbiMajor || s.AbiMinor > AbiMinor {
		return errorf("template set: built for template ABI %d.%d, this SDK supports %d.%d",
			s.AbiMajor, s.AbiMinor, AbiMajor, AbiMinor)
	}
	if len(s.Templates) < MinTemplates || len(s.Templates) > MaxTemplates {
		return errorf("template set: %d templates, want %d..%d", len(s.Templates), MinTemplates, MaxTemplates)
	}
	for i := range s.Templates {
		if err := s.Templates[i].validate(i, mtu); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks one template on its own (index 0 in messages, no MTU check).
func (t *Template) Validate() error { return t.validate(0, 0) }

type span struct {
	start, end int    // [start, end)
	what       string // for messages
}

func (t *Template) validate(index int, mtu int) error {
	where := "template " + strconv.Itoa(index)
	n := len(t.Frame)
	if n < MinFrameLen || n > MaxFrameLen {
		return errorf("%s: frame length %d is outside %d..%d", where, n, MinFrameLen, MaxFrameLen)
	}
	if mtu > 0 && n > mtu+14 {
		return errorf("%s: frame length %d exceeds the interface MTU %d + 14", where, n, mtu)
	}
	if t.Weight < 1 || t.Weight > MaxWeight {
		return errorf("%s: weight %d is outside 1..%d", where, t.Weight, MaxWeight)
	}
	if t.Flows < 1 {
		return errorf("%s: flows is 0, want 1..4294967295", where)
	}
	if len(t.Fields) > MaxFieldRules {
		return errorf("%s: %d field rules, at most %d", where, len(t.Fields), MaxFieldRules)
	}
	if len(t.Checksums) > MaxChecksumRules {
		return errorf("%s: %d checksum rules, at most %d", where, len(t.Checksums), MaxChecksumRules)
	}
	taken := make([]span, 0, 1+len(t.Checksums)+len(t.Fields))
	if t.MHOffset != 0 {
		mh := int(t.MHOffset)
		if mh < 14 || mh+MeasurementHeaderLen > n {
			return errorf("%s: measurement header at %d (%d bytes) does not fit in the %d-byte frame",
				where, mh, MeasurementHeaderLen, n)
		}
		taken = append(taken, span{mh, mh + MeasurementHeaderLen, "the measurement header"})
	}
	for c, r := range t.Checksums {
		cw := fmt.Sprintf("%s checksum rule %d (%s)", where, c, r.Kind)
		if r.Kind < KindIPv4Header || r.Kind > KindICMPv6 {
			return errorf("%s: unknown checksum kind %d", cw, int(r.Kind))
		}
		l3, l4 := int(r.L3), int(r.L4)
		if l3 >= n {
			return errorf("%s: IP header offset %d is outside the %d-byte frame", cw, l3, n)
		}
		v := int(t.Frame[l3] >> 4)
		if v != 4 && v != 6 {
			return errorf("%s: no IPv4 or IPv6 header at %d (version nibble %d)", cw, l3, v)
		}
		hl := 20
		if v == 6 {
			hl = 40
		}
		if l3+hl > n {
			return errorf("%s: the IPv%d header at %d does not fit in the %d-byte frame", cw, v, l3, n)
		}
		if (r.Kind == KindIPv4Header || r.Kind == KindICMP) && v != 4 {
			return errorf("%s: the header at %d is IPv%d, not IPv4", cw, l3, v)
		}
		if r.Kind == KindICMPv6 && v != 6 {
			return errorf("%s: ICMPv6 needs an IPv6 header at %d, found IPv%d", cw, l3, v)
		}
		if r.Kind == KindIPv4Header {
			ihl := int(t.Frame[l3]&0x0f) * 4
			if ihl < 20 || l3+ihl > n {
				return errorf("%s: IPv4 header length %d at %d does not fit", cw, ihl, l3)
			}
		} else if l4 < l3+hl {
			return errorf("%s: L4 offset %d lies inside the IPv%d header at %d", cw, l4, v, l3)
		}
		at := r.At()
		if at+2 > n {
			return errorf("%s: checksum at %d is outside the %d-byte frame", cw, at, n)
		}
		taken = append(taken, span{at, at + 2, "the checksum of checksum rule " + strconv.Itoa(c)})
	}
	for i := range t.Fields {
		f := &t.Fields[i]
		fw := where + " field rule " + strconv.Itoa(i)
		w := int(f.Width)
		if w != 1 && w != 2 && w != 4 && w != 8 {
			return errorf("%s: width %d is not 1, 2, 4 or 8", fw, w)
		}
		off := int(f.Offset)
		if off+w > n {
			return errorf("%s: bytes %d..%d are outside the %d-byte frame", fw, off, off+w-1, n)
		}
		if f.Op < OpIncrement || f.Op > OpList {
			return errorf("%s: operation %d is not 1 (increment), 2 (decrement), 3 (random) or 4 (list)", fw, int(f.Op))
		}
		if f.Scope > PerStream {
			return errorf("%s: scope %d is not 0 (per packet), 1 (per flow) or 2 (per stream)", fw, int(f.Scope))
		}
		mask := widthMask(f.Width)
		if f.Op == OpList {
			if len(f.Values) < 1 || len(f.Values) > MaxListValues {
				return errorf("%s: a list holds 1..%d values, not %d", fw, MaxListValues, len(f.Values))
			}
			for j, v := range f.Values {
				if v&^mask != 0 {
					return errorf("%s: list value %d (%d) does not fit %d bytes", fw, j, v, w)
				}
			}
		} else {
			if len(f.Values) != 0 {
				return errorf("%s: only a list rule carries values, this %s rule has %d", fw, f.Op, len(f.Values))
			}
			if f.Min > f.Max {
				return errorf("%s: min %d is above max %d", fw, f.Min, f.Max)
			}
			if f.Max&^mask != 0 {
				return errorf("%s: max %d does not fit %d bytes", fw, f.Max, w)
			}
			if f.Op != OpRandom && f.Step == 0 {
				return errorf("%s: step 0 never changes the field", fw)
			}
		}
		for _, o := range taken {
			if off < o.end && o.start < off+w {
				return errorf("%s: bytes %d..%d overlap %s", fw, off, off+w-1, o.what)
			}
		}
		taken = append(taken, span{off, off + w, "field rule " + strconv.Itoa(i)})
	}
	return nil
}

// widthMask is the largest value of width bytes.
func widthMask(width uint8) uint64 {
	if width >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*uint(width)) - 1
}
