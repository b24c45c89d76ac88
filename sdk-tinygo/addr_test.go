package xdperf

import (
	"net"
	"testing"
)

func TestParseAddrAgainstNet(t *testing.T) {
	good := []string{
		"0.0.0.0", "198.18.0.1", "255.255.255.255", "10.1.2.3",
		"::", "::1", "1::", "fd00:5844::1", "fd00:5844:0:0:0:0:0:1", "FD00:5844::AbCd",
		"1:2:3:4:5:6:7:8", "1::8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "2001:db8::1:0:0:1",
		"::ffff:1.2.3.4", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4", "0:0:0:0:0:0:0:0",
	}
	for _, s := range good {
		a, err := ParseAddr(s)
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		ref := net.ParseIP(s)
		want := ref.To4()
		if a.Is6() || want == nil {
			want = ref.To16()
		}
		if string(a.AsSlice()) != string(want) {
			t.Errorf("%s: got %x, want %x", s, a.AsSlice(), []byte(want))
		}
		// String matches the standard library's RFC 5952 text and parses back.
		if a.String() != ref.String() && s != "::ffff:1.2.3.4" { // net prints mapped addresses as IPv4
			t.Errorf("%s: String %q, net says %q", s, a.String(), ref.String())
		}
		if MustParseAddr(a.String()) != a {
			t.Errorf("%s: does not survive String", s)
		}
	}
	bad := []string{
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "1.2.3.4 ", "a.b.c.d",
		":", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7",
		"1:2:3:4:5:6:7:", "1:2:3:4:5:6:7:8::", "fe80::1%eth0", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "g::",
		"1.2.3.4:5",
	}
	for _, s := range bad {
		if a, err := ParseAddr(s); err == nil {
			t.Errorf("%q parsed as %v", s, a)
		}
	}
}

func TestAddrAccessors(t *testing.T) {
	a := MustParseAddr("198.18.0.1")
	if !a.Is4() || a.Is6() || a.Family() != 4 || a.Len() != 4 || a.Uint32() != 0xc6120001 || a.As4() != [4]byte{198, 18, 0, 1} {
		t.Errorf("IPv4 accessors %v", a)
	}
	b := MustParseAddr("fd00:5844::1:2")
	if !b.Is6() || b.Family() != 6 || b.Len() != 16 || b.Low64() != 0x0000000000010002 || b.As16()[0] != 0xfd {
		t.Errorf("IPv6 accessors %v", b)
	}
	if (Addr{}).IsValid() || (Addr{}).String() != "invalid IP" {
		t.Errorf("zero Addr")
	}
	if x, ok := AddrFromSlice([]byte{1, 2, 3, 4}); !ok || x != AddrFrom4([4]byte{1, 2, 3, 4}) {
		t.Errorf("AddrFromSlice 4")
	}
	if _, ok := AddrFromSlice([]byte{1, 2, 3}); ok {
		t.Errorf("AddrFromSlice 3")
	}
	// An IPv4-mapped IPv6 address stays IPv6 (the ABI's family byte says 6).
	m := MustParseAddr("::ffff:1.2.3.4")
	if !m.Is6() || m == MustParseAddr("1.2.3.4") {
		t.Errorf("mapped address %v", m)
	}
}

func TestMAC(t *testing.T) {
	m, err := ParseMAC("02:00:5E:10:00:ff")
	if err != nil || m != (MAC{2, 0, 0x5e, 0x10, 0, 0xff}) || m.String() != "02:00:5e:10:00:ff" {
		t.Fatalf("%v %v", m, err)
	}
	if m2, err := ParseMAC("02-00-5e-10-00-ff"); err != nil || m2 != m {
		t.Fatalf("dashes: %v", err)
	}
	for _, s := range []string{"", "02:00:5e:10:00", "02:00:5e:10:00:f", "02:00:5e:10:00:fg", "02:00-5e:10:00:ff", "0200.5e10.00ff", "02:00:5e:10:00:ff:"} {
		if _, err := ParseMAC(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestPrefix(t *testing.T) {
	p, err := ParsePrefix("198.18.7.9/15")
	if err != nil || p.Bits != 15 || p.Masked().String() != "198.18.0.0/15" {
		t.Fatalf("%v %v", p, err)
	}
	if !p.Contains(MustParseAddr("198.19.255.255")) || p.Contains(MustParseAddr("198.20.0.0")) || p.Contains(testSrc6) {
		t.Errorf("Contains")
	}
	q, err := ParsePrefix("fd00:5844::/32")
	if err != nil || !q.Contains(testDst6) || q.String() != "fd00:5844::/32" {
		t.Fatalf("%v %v", q, err)
	}
	for _, s := range []string{"1.2.3.4", "1.2.3.4/33", "::/129", "1.2.3.4/-1", "1.2.3.4/01", "x/8", "1.2.3.4/"} {
		if _, err := ParsePrefix(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
