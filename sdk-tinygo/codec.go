package xdperf

import (
	"strconv"
	"unicode/utf8"
)

// DecodeError is a refusal of the decoder. Where names the part being read ("run request",
// "template 2 field rule 1", ...), Offset the byte where the problem was found.
type DecodeError struct {
	Where  string
	Offset int
	Msg    string
}

func (e *DecodeError) Error() string {
	return "xdperf: " + e.Where + ": " + e.Msg + " (at byte " + strconv.Itoa(e.Offset) + ")"
}

// ---- little-endian helpers

func putLE16(b []byte, v uint16) { b[0] = byte(v); b[1] = byte(v >> 8) }

func getLE16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }

func getLE32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func getLE64(b []byte) uint64 {
	return uint64(getLE32(b)) | uint64(getLE32(b[4:]))<<32
}

func putLE64(b []byte, v uint64) {
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

func getBE64(b []byte) uint64 {
	var v uint64
	for i := 0; i < 8; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v
}

type writer struct{ b []byte }

func (w *writer) u8(v uint8)   { w.b = append(w.b, v) }
func (w *writer) u16(v uint16) { w.b = append(w.b, byte(v), byte(v>>8)) }
func (w *writer) u32(v uint32) {
	w.b = append(w.b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}
func (w *writer) u64(v uint64) {
	w.u32(uint32(v))
	w.u32(uint32(v >> 32))
}
func (w *writer) bytes(b []byte) { w.b = append(w.b, b...) }
func (w *writer) str(s string) {
	w.u16(uint16(len(s)))
	w.b = append(w.b, s...)
}
func (w *writer) addr(a Addr) {
	w.u8(a.family)
	w.b = append(w.b, a.ip[:a.Len()]...)
}

type reader struct {
	b     []byte
	off   int
	where string
	err   *DecodeError
}

func (r *reader) fail(at int, msg string) {
	if r.err == nil {
		r.err = &DecodeError{Where: r.where, Offset: at, Msg: msg}
	}
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b)-r.off < n {
		r.fail(r.off, "truncated: needs "+strconv.Itoa(n)+" more bytes, "+strconv.Itoa(len(r.b)-r.off)+" left")
		return nil
	}
	out := r.b[r.off : r.off+n]
	r.off += n
	return out
}

func (r *reader) u8() uint8 {
	b := r.take(1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (r *reader) u16() uint16 {
	b := r.take(2)
	if b == nil {
		return 0
	}
	return getLE16(b)
}

func (r *reader) u32() uint32 {
	b := r.take(4)
	if b == nil {
		return 0
	}
	return getLE32(b)
}

func (r *reader) u64() uint64 {
	b := r.take(8)
	if b == nil {
		return 0
	}
	return getLE64(b)
}

func (r *reader) reserved(n int) {
	at := r.off
	b := r.take(n)
	for i, x := range b {
		if x != 0 {
			r.fail(at+i, "reserved byte is 0x"+strconv.FormatUint(uint64(x), 16)+", must be 0")
			return
		}
	}
}

func (r *reader) magic(m [4]byte) {
	b := r.take(4)
	if b != nil && string(b) != string(m[:]) {
		r.fail(0, "bad magic "+strconv.Quote(string(b))+", want "+strconv.Quote(string(m[:])))
	}
}

func (r *reader) str() string {
	at := r.off
	n := int(r.u16())
	b := r.take(n)
	if b == nil {
		return ""
	}
	if !utf8.Valid(b) {
		r.fail(at, "string is not valid UTF-8")
		return ""
	}
	return string(b)
}

func (r *reader) addr() Addr {
	at := r.off
	fam := r.u8()
	var a Addr
	switch fam {
	case 4:
		copy(a.ip[:], r.take(4))
	case 6:
		copy(a.ip[:], r.take(16))
	default:
		if r.err == nil {
			r.fail(at, "address family "+strconv.Itoa(int(fam))+" is not 4 or 6")
		}
		return Addr{}
	}
	a.family = fam
	return a
}

func (r *reader) end(what string) {
	if r.err == nil && r.off != len(r.b) {
		r.where = what
		r.fail(r.off, strconv.Itoa(len(r.b)-r.off)+" trailing bytes after the end")
	}
}

func (r *reader) result() error {
	if r.err != nil {
		return r.err
	}
	return nil
}

// ---- run request

// EncodeRunRequest encodes a run request (what the host sends; plugins rarely need it,
// tests and tools do). It refuses what a decoder would refuse.
func EncodeRunRequest(req *RunRequest) ([]byte, error) {
	if len(req.SrcAddrs) > MaxAddrs || len(req.DstAddrs) > MaxAddrs {
		return nil, errorf("run request: at most %d addresses per side, got %d source and %d destination",
			MaxAddrs, len(req.SrcAddrs), len(req.DstAddrs))
	}
	if len(req.Options) > MaxOptions {
		return nil, errorf("run request: at most %d options, got %d", MaxOptions, len(req.Options))
	}
	for i, a := range append(append([]Addr(nil), req.SrcAddrs...), req.DstAddrs...) {
		if !a.IsValid() {
			return nil, errorf("run request: address %d is not a valid IPv4 or IPv6 address", i)
		}
	}
	for i, o := range req.Options {
		if len(o.Name) > 0xffff || len(o.Value) > 0xffff {
			return nil, errorf("run request: option %d (%q) is longer than 65535 bytes", i, o.Name)
		}
		if !utf8.ValidString(o.Name) || !utf8.ValidString(o.Value) {
			return nil, errorf("run request: option %d (%q) is not valid UTF-8", i, o.Name)
		}
	}
	w := &writer{b: make([]byte, 0, 64)}
	w.bytes(requestMagic[:])
	w.u16(req.AbiMajor)
	w.u16(req.AbiMinor)
	w.u16(req.MTU)
	w.u16(req.CPUs)
	w.bytes(req.SrcMAC[:])
	w.bytes(req.DstMAC[:])
	w.u16(req.FrameSize)
	w.u16(req.StreamBase)
	w.u8(uint8(len(req.SrcAddrs)))
	w.u8(uint8(len(req.DstAddrs)))
	w.u16(0)
	for _, a := range req.SrcAddrs {
		w.addr(a)
	}
	for _, a := range req.DstAddrs {
		w.addr(a)
	}
	w.u16(uint16(len(req.Options)))
	for _, o := range req.Options {
		w.str(o.Name)
		w.str(o.Value)
	}
	return w.b, nil
}

// DecodeRunRequest decodes the input of generate. It refuses a wrong magic, trailing bytes,
// more than MaxAddrs addresses per side or MaxOptions options, a reserved byte that is not
// 0, an address family other than 4 or 6, and strings that are not UTF-8.
func DecodeRunRequest(b []byte) (*RunRequest, error) {
	r := &reader{b: b, where: "run request"}
	r.magic(requestMagic)
	req := &RunRequest{}
	req.AbiMajor = r.u16()
	req.AbiMinor = r.u16()
	req.MTU = r.u16()
	req.CPUs = r.u16()
	copy(req.SrcMAC[:], r.take(6))
	copy(req.DstMAC[:], r.take(6))
	req.FrameSize = r.u16()
	req.StreamBase = r.u16()
	at := r.off
	ns := int(r.u8())
	nd := int(r.u8())
	r.reserved(2)
	if r.err == nil && ns > MaxAddrs {
		r.fail(at, strconv.Itoa(ns)+" source addresses, at most "+strconv.Itoa(MaxAddrs))
	}
	if r.err == nil && nd > MaxAddrs {
		r.fail(at+1, strconv.Itoa(nd)+" destination addresses, at most "+strconv.Itoa(MaxAddrs))
	}
	for i := 0; i < ns && r.err == nil; i++ {
		r.where = "run request source address " + strconv.Itoa(i)
		req.SrcAddrs = append(req.SrcAddrs, r.addr())
	}
	for i := 0; i < nd && r.err == nil; i++ {
		r.where = "run request destination address " + strconv.Itoa(i)
		req.DstAddrs = append(req.DstAddrs, r.addr())
	}
	r.where = "run request"
	at = r.off
	no := int(r.u16())
	if r.err == nil && no > MaxOptions {
		r.fail(at, strconv.Itoa(no)+" options, at most "+strconv.Itoa(MaxOptions))
	}
	for i := 0; i < no && r.err == nil; i++ {
		r.where = "run request option " + strconv.Itoa(i)
		name := r.str()
		value := r.str()
		req.Options = append(req.Options, Option{Name: name, Value: value})
	}
	r.end("run request")
	if err := r.result(); err != nil {
		return nil, err
	}
	return req, nil
}

// ---- template set

// Encode writes the set in the ABI's binary form. It does not validate: call Validate (or
// use Marshal) first. It panics if a count or length does not fit its wire field (more
// than 65535 templates or list values, 255 rules, a frame over 65535 bytes), which
// Validate reports as an error long before.
func (s *TemplateSet) Encode() []byte {
	size := setHeaderLen
	for i := range s.Templates {
		t := &s.Templates[i]
		size += templateHeaderLen + len(t.Frame) + checksumRuleLen*len(t.Checksums)
		for j := range t.Fields {
			size += fieldRuleLen + 8*len(t.Fields[j].Values)
		}
	}
	w := &writer{b: make([]byte, 0, size)}
	w.bytes(setMagic[:])
	w.u16(s.AbiMajor)
	w.u16(s.AbiMinor)
	w.u16(mustFit16(len(s.Templates), "templates"))
	w.u16(0)
	for i := range s.Templates {
		t := &s.Templates[i]
		w.u16(mustFit16(len(t.Frame), "frame length"))
		w.u16(t.StreamID)
		w.u32(t.Weight)
		w.u32(t.Flows)
		w.u16(t.MHOffset)
		w.u8(mustFit8(len(t.Fields), "field rules"))
		w.u8(mustFit8(len(t.Checksums), "checksum rules"))
		w.bytes(t.Frame)
		for j := range t.Fields {
			f := &t.Fields[j]
			w.u16(f.Offset)
			w.u8(f.Width)
			w.u8(uint8(f.Op))
			w.u8(uint8(f.Scope))
			w.u8(0)
			w.u16(mustFit16(len(f.Values), "list values"))
			w.u64(f.Min)
			w.u64(f.Max)
			w.u64(f.Step)
			for _, v := range f.Values {
				w.u64(v)
			}
		}
		for _, c := range t.Checksums {
			w.u8(uint8(c.Kind))
			w.u8(0)
			w.u16(c.L3)
			w.u16(c.L4)
			w.u16(0)
		}
	}
	return w.b
}

// Marshal validates the set (with mtu, 0 for the ABI's limits only) and encodes it.
func (s *TemplateSet) Marshal(mtu int) ([]byte, error) {
	if err := s.ValidateMTU(mtu); err != nil {
		return nil, err
	}
	return s.Encode(), nil
}

func mustFit16(n int, what string) uint16 {
	if n > 0xffff {
		panic("xdperf: " + strconv.Itoa(n) + " " + what + " do not fit the encoding (call Validate first)")
	}
	return uint16(n)
}

func mustFit8(n int, what string) uint8 {
	if n > 0xff {
		panic("xdperf: " + strconv.Itoa(n) + " " + what + " do not fit the encoding (call Validate first)")
	}
	return uint8(n)
}

// DecodeTemplateSet decodes the output of generate. Like the host, it refuses a wrong
// magic, trailing bytes, a template count outside 1..MaxTemplates, a frame length outside
// MinFrameLen..MaxFrameLen, more than MaxFieldRules field rules, MaxChecksumRules checksum
// rules or MaxListValues list values, a reserved byte that is not 0, and an unknown
// operation, scope or checksum kind; errors name the template and the rule. The decoded
// set is not validated further (see Validate).
func DecodeTemplateSet(b []byte) (*TemplateSet, error) {
	r := &reader{b: b, where: "template set"}
	r.magic(setMagic)
	s := &TemplateSet{}
	s.AbiMajor = r.u16()
	s.AbiMinor = r.u16()
	at := r.off
	nt := int(r.u16())
	r.reserved(2)
	if r.err == nil && (nt < MinTemplates || nt > MaxTemplates) {
		r.fail(at, strconv.Itoa(nt)+" templates, want "+strconv.Itoa(MinTemplates)+".."+strconv.Itoa(MaxTemplates))
	}
	if r.err == nil {
		s.Templates = make([]Template, 0, nt)
	}
	for ti := 0; ti < nt && r.err == nil; ti++ {
		tw := "template " + strconv.Itoa(ti)
		r.where = tw
		var t Template
		at := r.off
		n := int(r.u16())
		if r.err == nil && (n < MinFrameLen || n > MaxFrameLen) {
			r.fail(at, "frame length "+strconv.Itoa(n)+" is outside "+strconv.Itoa(MinFrameLen)+".."+strconv.Itoa(MaxFrameLen))
		}
		t.StreamID = r.u16()
		t.Weight = r.u32()
		t.Flows = r.u32()
		t.MHOffset = r.u16()
		at = r.off
		nf := int(r.u8())
		nc := int(r.u8())
		if r.err == nil && nf > MaxFieldRules {
			r.fail(at, strconv.Itoa(nf)+" field rules, at most "+strconv.Itoa(MaxFieldRules))
		}
		if r.err == nil && nc > MaxChecksumRules {
			r.fail(at+1, strconv.Itoa(nc)+" checksum rules, at most "+strconv.Itoa(MaxChecksumRules))
		}
		if frame := r.take(n); frame != nil {
			t.Frame = append([]byte(nil), frame...)
		}
		for fi := 0; fi < nf && r.err == nil; fi++ {
			r.where = tw + " field rule " + strconv.Itoa(fi)
			var f FieldRule
			f.Offset = r.u16()
			f.Width = r.u8()
			at := r.off
			f.Op = Op(r.u8())
			if r.err == nil && (f.Op < OpIncrement || f.Op > OpList) {
				r.fail(at, "operation "+strconv.Itoa(int(f.Op))+" is not 1 (increment), 2 (decrement), 3 (random) or 4 (list)")
			}
			at = r.off
			f.Scope = Scope(r.u8())
			if r.err == nil && f.Scope > PerStream {
				r.fail(at, "scope "+strconv.Itoa(int(f.Scope))+" is not 0 (per packet), 1 (per flow) or 2 (per stream)")
			}
			r.reserved(1)
			at = r.off
			nl := int(r.u16())
			if r.err == nil && nl > MaxListValues {
				r.fail(at, "list of "+strconv.Itoa(nl)+" values, at most "+strconv.Itoa(MaxListValues))
			}
			f.Min = r.u64()
			f.Max = r.u64()
			f.Step = r.u64()
			if nl > 0 && r.err == nil {
				f.Values = make([]uint64, nl)
				for v := range f.Values {
					f.Values[v] = r.u64()
				}
			}
			t.Fields = append(t.Fields, f)
		}
		for ci := 0; ci < nc && r.err == nil; ci++ {
			r.where = tw + " checksum rule " + strconv.Itoa(ci)
			var c ChecksumRule
			at := r.off
			c.Kind = ChecksumKind(r.u8())
			if r.err == nil && (c.Kind < KindIPv4Header || c.Kind > KindICMPv6) {
				r.fail(at, "checksum kind "+strconv.Itoa(int(c.Kind))+" is not 1..5")
			}
			r.reserved(1)
			c.L3 = r.u16()
			c.L4 = r.u16()
			r.reserved(2)
			t.Checksums = append(t.Checksums, c)
		}
		s.Templates = append(s.Templates, t)
	}
	r.end("template set")
	if err := r.result(); err != nil {
		return nil, err
	}
	return s, nil
}
