package xdperf

import (
	"strings"
	"testing"
)

func TestOptions(t *testing.T) {
	o := Options{
		{"flows", "100"}, {"neg", "-5"}, {"bad", "12x"}, {"on", "true"}, {"off", "false"}, {"yes", "yes"},
		{"ports", "1000-2000"}, {"port", "80"}, {"rev", "2000-1000"}, {"ip4", "198.18.0.1"}, {"ip6", "fd00::1"},
		{"mac", "02:00:00:00:00:01"}, {"net", "198.18.0.0/15"}, {"mode", "echo"}, {"flows", "200"},
	}
	if v, ok := o.Lookup("flows"); !ok || v != "200" {
		t.Errorf("Lookup takes the last value: %q", v)
	}
	if o.Get("missing", "d") != "d" || o.Get("mode", "d") != "echo" {
		t.Errorf("Get")
	}
	if n, err := o.Int("flows", 1); err != nil || n != 200 {
		t.Errorf("Int: %d %v", n, err)
	}
	if n, err := o.Int("neg", 1); err != nil || n != -5 {
		t.Errorf("Int negative: %d %v", n, err)
	}
	if n, err := o.Int("missing", 7); err != nil || n != 7 {
		t.Errorf("Int default")
	}
	if _, err := o.Int("bad", 1); err == nil || err.Error() != `xdperf: option bad: "12x" is not a decimal integer` {
		t.Errorf("Int bad: %v", err)
	}
	if _, err := o.IntRange("flows", 1, 1, 100); err == nil || !strings.Contains(err.Error(), "option flows: 200 is outside 1..100") {
		t.Errorf("IntRange: %v", err)
	}
	if b, err := o.Bool("on", false); err != nil || !b {
		t.Errorf("Bool true")
	}
	if b, err := o.Bool("off", true); err != nil || b {
		t.Errorf("Bool false")
	}
	if _, err := o.Bool("yes", true); err == nil || !strings.Contains(err.Error(), "true or false") {
		t.Errorf("Bool bad: %v", err)
	}
	if p, err := o.PortRange("ports", PortRange{}); err != nil || p != (PortRange{1000, 2000}) || p.Size() != 1001 || p.String() != "1000-2000" {
		t.Errorf("PortRange: %v %v", p, err)
	}
	if p, err := o.PortRange("port", PortRange{}); err != nil || p != (PortRange{80, 80}) || p.String() != "80" {
		t.Errorf("PortRange single: %v %v", p, err)
	}
	if _, err := o.PortRange("rev", PortRange{}); err == nil {
		t.Errorf("reversed range accepted")
	}
	for _, s := range []string{"", "-", "1-", "-2", "1-65536", "a-b", "1-2-3"} {
		if _, err := ParsePortRange(s); err == nil {
			t.Errorf("port range %q accepted", s)
		}
	}
	if a, err := o.IP("ip4", Addr{}); err != nil || a != testSrc4 {
		t.Errorf("IP v4")
	}
	if a, err := o.IP("ip6", Addr{}); err != nil || a != MustParseAddr("fd00::1") {
		t.Errorf("IP v6")
	}
	if _, err := o.IP("mode", Addr{}); err == nil || !strings.Contains(err.Error(), "option mode") {
		t.Errorf("IP bad: %v", err)
	}
	if m, err := o.MAC("mac", MAC{}); err != nil || m != testSrcMAC {
		t.Errorf("MAC")
	}
	if _, err := o.MAC("ip4", MAC{}); err == nil {
		t.Errorf("MAC bad")
	}
	if p, err := o.CIDR("net", Prefix{}); err != nil || p.Bits != 15 {
		t.Errorf("CIDR")
	}
	if _, err := o.CIDR("ip4", Prefix{}); err == nil {
		t.Errorf("CIDR bad")
	}
	if e, err := o.Enum("mode", "x", "echo", "unreachable"); err != nil || e != "echo" {
		t.Errorf("Enum")
	}
	if _, err := o.Enum("mode", "x", "unreachable", "time-exceeded"); err == nil || !strings.Contains(err.Error(), "one of unreachable, time-exceeded") {
		t.Errorf("Enum bad: %v", err)
	}
	if e, _ := o.Enum("missing", "x", "y"); e != "x" {
		t.Errorf("Enum default")
	}
}

func TestOptionReaderKeepsFirstError(t *testing.T) {
	r := Options{{"a", "1"}, {"b", "x"}, {"c", "maybe"}}.Reader()
	if r.Int("a", 0) != 1 || r.Err() != nil {
		t.Fatal("a")
	}
	r.Int("b", 0)
	r.Bool("c", false)
	if r.Err() == nil || !strings.Contains(r.Err().Error(), "option b") {
		t.Fatalf("first error: %v", r.Err())
	}
	r2 := Options{}.Reader()
	if r2.IntRange("n", 5, 0, 9) != 5 || !r2.Bool("b", true) || r2.Get("s", "d") != "d" || r2.Enum("e", "x") != "x" ||
		r2.PortRange("p", PortRange{1, 2}) != (PortRange{1, 2}) || r2.IP("i", testSrc4) != testSrc4 ||
		r2.MAC("m", testDstMAC) != testDstMAC || r2.CIDR("c", Prefix{Bits: 3}).Bits != 3 || r2.Err() != nil {
		t.Fatal("defaults")
	}
}
