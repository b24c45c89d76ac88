package xdperf

import (
	"errors"
	"strconv"
	"strings"
)

// Addr is an IPv4 or IPv6 address. The zero Addr is invalid. Addrs are comparable with ==.
// (This package does not use net or net/netip, to stay small and portable under TinyGo.)
type Addr struct {
	ip     [16]byte // network order; an IPv4 address uses the first 4 bytes
	family uint8    // 0 (invalid), 4 or 6
}

// AddrFrom4 returns the IPv4 address with these bytes.
func AddrFrom4(b [4]byte) Addr {
	var a Addr
	copy(a.ip[:], b[:])
	a.family = 4
	return a
}

// AddrFrom16 returns the IPv6 address with these bytes. An IPv4-mapped address stays IPv6.
func AddrFrom16(b [16]byte) Addr {
	return Addr{ip: b, family: 6}
}

// AddrFromSlice returns the address of a 4- or 16-byte slice.
func AddrFromSlice(b []byte) (Addr, bool) {
	var a Addr
	switch len(b) {
	case 4:
		a.family = 4
	case 16:
		a.family = 6
	default:
		return Addr{}, false
	}
	copy(a.ip[:], b)
	return a, true
}

// IsValid reports whether a is an IPv4 or IPv6 address (not the zero Addr).
func (a Addr) IsValid() bool { return a.family == 4 || a.family == 6 }

// Is4 reports whether a is an IPv4 address.
func (a Addr) Is4() bool { return a.family == 4 }

// Is6 reports whether a is an IPv6 address.
func (a Addr) Is6() bool { return a.family == 6 }

// Family is 4, 6, or 0 for the zero Addr; it is also the family byte of the ABI's addr.
func (a Addr) Family() uint8 { return a.family }

// Len is 4 or 16 (0 for the zero Addr).
func (a Addr) Len() int {
	switch a.family {
	case 4:
		return 4
	case 6:
		return 16
	}
	return 0
}

// AsSlice returns the address bytes in network order (4 or 16 of them).
func (a Addr) AsSlice() []byte {
	out := make([]byte, a.Len())
	copy(out, a.ip[:])
	return out
}

// As4 returns the bytes of an IPv4 address (zeros for anything else).
func (a Addr) As4() (b [4]byte) {
	if a.family == 4 {
		copy(b[:], a.ip[:4])
	}
	return b
}

// As16 returns the bytes of an IPv6 address (zeros for anything else).
func (a Addr) As16() [16]byte {
	if a.family == 6 {
		return a.ip
	}
	return [16]byte{}
}

// Uint32 is an IPv4 address as a big-endian number (handy for field rules over it).
func (a Addr) Uint32() uint32 {
	return uint32(a.ip[0])<<24 | uint32(a.ip[1])<<16 | uint32(a.ip[2])<<8 | uint32(a.ip[3])
}

// Low64 is the last 8 bytes of an IPv6 address as a big-endian number (the part a
// width-8 field rule can vary).
func (a Addr) Low64() uint64 { return getBE64(a.ip[8:16]) }

// String formats IPv4 as dotted quad and IPv6 per RFC 5952 (lowercase, longest run of
// zero groups compressed, IPv4-mapped addresses as ::ffff:a.b.c.d).
func (a Addr) String() string {
	switch a.family {
	case 4:
		return formatIPv4(a.ip[:4])
	case 6:
		return formatIPv6(a.ip)
	}
	return "invalid IP"
}

func formatIPv4(b []byte) string {
	buf := make([]byte, 0, 15)
	for i := 0; i < 4; i++ {
		if i > 0 {
			buf = append(buf, '.')
		}
		buf = strconv.AppendUint(buf, uint64(b[i]), 10)
	}
	return string(buf)
}

func formatIPv6(ip [16]byte) string {
	isMapped := true
	for i := 0; i < 10; i++ {
		if ip[i] != 0 {
			isMapped = false
		}
	}
	if isMapped && ip[10] == 0xff && ip[11] == 0xff {
		return "::ffff:" + formatIPv4(ip[12:16])
	}
	// Longest run of at least two zero groups, the first one on a tie.
	bestStart, bestLen := -1, 1
	for i := 0; i < 8; {
		if ip[2*i] != 0 || ip[2*i+1] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && ip[2*j] == 0 && ip[2*j+1] == 0 {
			j++
		}
		if j-i > bestLen {
			bestStart, bestLen = i, j-i
		}
		i = j
	}
	buf := make([]byte, 0, 39)
	for i := 0; i < 8; i++ {
		if i == bestStart {
			buf = append(buf, ':', ':')
			i += bestLen - 1
			continue
		}
		if i > 0 && i != bestStart+bestLen {
			buf = append(buf, ':')
		}
		buf = strconv.AppendUint(buf, uint64(ip[2*i])<<8|uint64(ip[2*i+1]), 16)
	}
	return string(buf)
}

// ParseAddr parses an IPv4 address (dotted quad, four decimal parts) or an IPv6 address
// (RFC 4291 text form, with :: and a trailing dotted quad allowed, without zone).
func ParseAddr(s string) (Addr, error) {
	if strings.IndexByte(s, ':') >= 0 {
		ip, err := parseIPv6(s)
		if err != nil {
			return Addr{}, errors.New("xdperf: " + strconv.Quote(s) + " is not an IPv6 address: " + err.Error())
		}
		return AddrFrom16(ip), nil
	}
	b, ok := parseIPv4(s)
	if !ok {
		return Addr{}, errors.New("xdperf: " + strconv.Quote(s) + " is not an IP address")
	}
	return AddrFrom4(b), nil
}

// MustParseAddr is ParseAddr that panics on error (for constants in code and tests).
func MustParseAddr(s string) Addr {
	a, err := ParseAddr(s)
	if err != nil {
		panic(err)
	}
	return a
}

func parseIPv4(s string) (b [4]byte, ok bool) {
	part := 0
	for i := 0; i < 4; i++ {
		if i > 0 {
			if len(s) == 0 || s[0] != '.' {
				return b, false
			}
			s = s[1:]
		}
		n, digits := 0, 0
		for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
			n = n*10 + int(s[digits]-'0')
			digits++
			if digits > 3 || n > 255 {
				return b, false
			}
		}
		if digits == 0 || (digits > 1 && s[0] == '0') { // no leading zeros (octal ambiguity)
			return b, false
		}
		b[part] = byte(n)
		part++
		s = s[digits:]
	}
	return b, len(s) == 0
}

func parseIPv6(s string) (ip [16]byte, err error) {
	if strings.IndexByte(s, '%') >= 0 {
		return ip, errors.New("zones are not supported")
	}
	ellipsis := -1 // index in ip where :: is
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		if len(s) == 0 {
			return ip, nil
		}
	}
	i := 0
	for i < 16 {
		// A trailing dotted quad?
		if strings.IndexByte(s, '.') >= 0 && strings.IndexByte(s, ':') < 0 {
			if i > 12 {
				return ip, errors.New("too many groups")
			}
			b, ok := parseIPv4(s)
			if !ok {
				return ip, errors.New("bad embedded IPv4 address")
			}
			copy(ip[i:], b[:])
			i += 4
			s = ""
			break
		}
		n, digits := 0, 0
		for digits < len(s) {
			v := hexVal(s[digits])
			if v < 0 {
				break
			}
			n = n<<4 | v
			digits++
			if digits > 4 {
				return ip, errors.New("a group has more than 4 hex digits")
			}
		}
		if digits == 0 {
			return ip, errors.New("empty group")
		}
		ip[i] = byte(n >> 8)
		ip[i+1] = byte(n)
		i += 2
		s = s[digits:]
		if len(s) == 0 {
			break
		}
		if s[0] != ':' {
			return ip, errors.New("unexpected character " + strconv.QuoteRune(rune(s[0])))
		}
		s = s[1:]
		if len(s) > 0 && s[0] == ':' {
			if ellipsis >= 0 {
				return ip, errors.New("more than one ::")
			}
			ellipsis = i
			s = s[1:]
			if len(s) == 0 {
				break
			}
		} else if len(s) == 0 {
			return ip, errors.New("trailing colon")
		}
	}
	if len(s) != 0 {
		return ip, errors.New("too many groups")
	}
	if i < 16 {
		if ellipsis < 0 {
			return ip, errors.New("too few groups")
		}
		n := 16 - i
		for j := i - 1; j >= ellipsis; j-- {
			ip[j+n] = ip[j]
		}
		for j := ellipsis; j < ellipsis+n; j++ {
			ip[j] = 0
		}
	} else if ellipsis >= 0 {
		return ip, errors.New(":: stands for no group")
	}
	return ip, nil
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// MAC is an Ethernet address.
type MAC [6]byte

// BroadcastMAC is ff:ff:ff:ff:ff:ff.
var BroadcastMAC = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// String formats m as six lowercase hex pairs joined by colons.
func (m MAC) String() string {
	const hexDigits = "0123456789abcdef"
	buf := make([]byte, 0, 17)
	for i, b := range m {
		if i > 0 {
			buf = append(buf, ':')
		}
		buf = append(buf, hexDigits[b>>4], hexDigits[b&0xf])
	}
	return string(buf)
}

// ParseMAC parses six hex pairs separated by ':' or '-' ("02:00:00:00:00:01").
func ParseMAC(s string) (MAC, error) {
	var m MAC
	bad := errors.New("xdperf: " + strconv.Quote(s) + " is not a MAC address (want six hex pairs like 02:00:00:00:00:01)")
	if len(s) != 17 {
		return m, bad
	}
	sep := s[2]
	if sep != ':' && sep != '-' {
		return m, bad
	}
	for i := 0; i < 6; i++ {
		if i > 0 && s[3*i-1] != sep {
			return m, bad
		}
		hi, lo := hexVal(s[3*i]), hexVal(s[3*i+1])
		if hi < 0 || lo < 0 {
			return m, bad
		}
		m[i] = byte(hi<<4 | lo)
	}
	return m, nil
}

// MustParseMAC is ParseMAC that panics on error.
func MustParseMAC(s string) MAC {
	m, err := ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// Prefix is an address with a prefix length ("198.18.0.0/15", "fd00::/64").
type Prefix struct {
	Addr Addr
	Bits int
}

// String formats p as addr/bits.
func (p Prefix) String() string { return p.Addr.String() + "/" + strconv.Itoa(p.Bits) }

// Masked returns p with the host bits of its address cleared.
func (p Prefix) Masked() Prefix {
	out := p
	for i := 0; i < p.Addr.Len(); i++ {
		keep := p.Bits - 8*i
		switch {
		case keep >= 8:
		case keep <= 0:
			out.Addr.ip[i] = 0
		default:
			out.Addr.ip[i] &= byte(0xff << (8 - keep))
		}
	}
	return out
}

// Contains reports whether a lies in p.
func (p Prefix) Contains(a Addr) bool {
	if a.family != p.Addr.family {
		return false
	}
	return Prefix{Addr: a, Bits: p.Bits}.Masked().Addr == p.Masked().Addr
}

// ParsePrefix parses addr/bits with bits 0..32 for IPv4 and 0..128 for IPv6.
func ParsePrefix(s string) (Prefix, error) {
	slash := strings.LastIndexByte(s, '/')
	if slash < 0 {
		return Prefix{}, errors.New("xdperf: " + strconv.Quote(s) + " is not a CIDR prefix (want addr/bits)")
	}
	a, err := ParseAddr(s[:slash])
	if err != nil {
		return Prefix{}, err
	}
	bits, err := strconv.Atoi(s[slash+1:])
	if err != nil || bits < 0 || bits > 8*a.Len() || (len(s) > slash+2 && s[slash+1] == '0') {
		return Prefix{}, errors.New("xdperf: " + strconv.Quote(s) + ": prefix length must be 0.." + strconv.Itoa(8*a.Len()))
	}
	return Prefix{Addr: a, Bits: bits}, nil
}
