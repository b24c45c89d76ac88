package xdperf

import (
	"strconv"
	"strings"
)

// Options are the name/value pairs of a run request, in the order the host sent them.
// The host has checked them against the plugin's description and filled in defaults, so
// every declared option is normally present; the getters still take a default for
// options that are absent, and report ill-typed values as errors naming the option.
type Options []Option

// Lookup returns the value of the option called name (the last one if it is repeated).
func (o Options) Lookup(name string) (string, bool) {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i].Name == name {
			return o[i].Value, true
		}
	}
	return "", false
}

// Get returns the value of a string option, or def when it is absent.
func (o Options) Get(name, def string) string {
	if v, ok := o.Lookup(name); ok {
		return v
	}
	return def
}

func optErr(name, value, want string) error {
	return errorf("option %s: %s is not %s", name, strconv.Quote(value), want)
}

// Int returns a decimal integer option, or def when it is absent.
func (o Options) Int(name string, def int64) (int64, error) {
	v, ok := o.Lookup(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, optErr(name, v, "a decimal integer")
	}
	return n, nil
}

// IntRange returns a decimal integer option that must lie in min..max, or def when it is
// absent.
func (o Options) IntRange(name string, def, min, max int64) (int64, error) {
	n, err := o.Int(name, def)
	if err != nil {
		return 0, err
	}
	if n < min || n > max {
		return 0, errorf("option %s: %d is outside %d..%d", name, n, min, max)
	}
	return n, nil
}

// Bool returns a boolean option ("true" or "false"), or def when it is absent.
func (o Options) Bool(name string, def bool) (bool, error) {
	v, ok := o.Lookup(name)
	if !ok {
		return def, nil
	}
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, optErr(name, v, "true or false")
}

// Enum returns an option that must be one of allowed, or def when it is absent.
func (o Options) Enum(name, def string, allowed ...string) (string, error) {
	v, ok := o.Lookup(name)
	if !ok {
		return def, nil
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", optErr(name, v, "one of "+strings.Join(allowed, ", "))
}

// PortRange is an inclusive range of ports ("1000-2000"; a single port "80" is 80-80).
type PortRange struct {
	Lo, Hi uint16
}

// Size is the number of ports in the range.
func (p PortRange) Size() int { return int(p.Hi) - int(p.Lo) + 1 }

func (p PortRange) String() string {
	if p.Lo == p.Hi {
		return strconv.Itoa(int(p.Lo))
	}
	return strconv.Itoa(int(p.Lo)) + "-" + strconv.Itoa(int(p.Hi))
}

// ParsePortRange parses "lo-hi" (lo <= hi, both 0..65535) or a single port.
func ParsePortRange(s string) (PortRange, error) {
	bad := errorf("%s is not a port range like 1000-2000", strconv.Quote(s))
	parse := func(x string) (uint16, bool) {
		n, err := strconv.ParseUint(strings.TrimSpace(x), 10, 16)
		return uint16(n), err == nil
	}
	lo, hi := s, s
	if i := strings.IndexByte(s, '-'); i >= 0 {
		lo, hi = s[:i], s[i+1:]
	}
	l, ok1 := parse(lo)
	h, ok2 := parse(hi)
	if !ok1 || !ok2 || l > h {
		return PortRange{}, bad
	}
	return PortRange{Lo: l, Hi: h}, nil
}

// PortRange returns a port-range option, or def when it is absent.
func (o Options) PortRange(name string, def PortRange) (PortRange, error) {
	v, ok := o.Lookup(name)
	if !ok {
		return def, nil
	}
	p, err := ParsePortRange(v)
	if err != nil {
		return PortRange{}, optErr(name, v, "a port range like 1000-2000")
	}
	return p, nil
}

// IP returns an IPv4 or IPv6 address option, or def when it is absent.
func (o Options) IP(name string, def Addr) (Addr, error) {
	v, ok := o.Lookup(name)
	if !ok {
		return def, nil
	}
	a, err := ParseAddr(strings.TrimSpace(v))
	if err != nil {
		return Addr{}, optErr(name, v, "an IPv4 or IPv6 address")
	}
	return a, nil
}

// MAC returns a MAC address option, or def when it is absent.
func (o Options) MAC(name string, def MAC) (MAC, error) {
	v, ok := o.Lookup(name)
	if !ok {
		return def, nil
	}
	m, err := ParseMAC(strings.TrimSpace(v))
	if err != nil {
		return MAC{}, optErr(name, v, "a MAC address like 02:00:00:00:00:01")
	}
	return m, nil
}

// CIDR returns a prefix option ("198.18.0.0/15"), or def when it is absent.
func (o Options) CIDR(name string, def Prefix) (Prefix, error) {
	v, ok := o.Lookup(name)
	if !ok {
		return def, nil
	}
	p, err := ParsePrefix(strings.TrimSpace(v))
	if err != nil {
		return Prefix{}, optErr(name, v, "a CIDR prefix like 198.18.0.0/15")
	}
	return p, nil
}

// Reader returns an OptionReader over o, for reading many options and checking the
// first error once.
func (o Options) Reader() *OptionReader { return &OptionReader{opts: o} }

// OptionReader reads typed options and keeps the first error:
//
//	r := req.Options.Reader()
//	flows := r.Int("flows", 100)
//	ports := r.PortRange("sport", xdperf.PortRange{Lo: 1000, Hi: 1099})
//	if err := r.Err(); err != nil {
//		return nil, err
//	}
type OptionReader struct {
	opts Options
	err  error
}

// Err is the first error met, or nil.
func (r *OptionReader) Err() error { return r.err }

func (r *OptionReader) keep(err error) {
	if r.err == nil {
		r.err = err
	}
}

// Get returns a string option, or def when it is absent.
func (r *OptionReader) Get(name, def string) string { return r.opts.Get(name, def) }

// Int returns an integer option, or def when it is absent.
func (r *OptionReader) Int(name string, def int64) int64 {
	v, err := r.opts.Int(name, def)
	r.keep(err)
	return v
}

// IntRange returns an integer option in min..max, or def when it is absent.
func (r *OptionReader) IntRange(name string, def, min, max int64) int64 {
	v, err := r.opts.IntRange(name, def, min, max)
	r.keep(err)
	return v
}

// Bool returns a boolean option, or def when it is absent.
func (r *OptionReader) Bool(name string, def bool) bool {
	v, err := r.opts.Bool(name, def)
	r.keep(err)
	return v
}

// Enum returns an option among allowed, or def when it is absent.
func (r *OptionReader) Enum(name, def string, allowed ...string) string {
	v, err := r.opts.Enum(name, def, allowed...)
	r.keep(err)
	return v
}

// PortRange returns a port-range option, or def when it is absent.
func (r *OptionReader) PortRange(name string, def PortRange) PortRange {
	v, err := r.opts.PortRange(name, def)
	r.keep(err)
	return v
}

// IP returns an address option, or def when it is absent.
func (r *OptionReader) IP(name string, def Addr) Addr {
	v, err := r.opts.IP(name, def)
	r.keep(err)
	return v
}

// MAC returns a MAC option, or def when it is absent.
func (r *OptionReader) MAC(name string, def MAC) MAC {
	v, err := r.opts.MAC(name, def)
	r.keep(err)
	return v
}

// CIDR returns a prefix option, or def when it is absent.
func (r *OptionReader) CIDR(name string, def Prefix) Prefix {
	v, err := r.opts.CIDR(name, def)
	r.keep(err)
	return v
}
