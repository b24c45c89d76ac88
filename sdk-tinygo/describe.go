package xdperf

import (
	"strconv"
	"unicode/utf8"
)

// Description is the output of describe (docs/abi.md, "The description"). The struct tags
// match the JSON the host reads; JSON() writes it without encoding/json (which TinyGo
// supports only partly).
type Description struct {
	ID          string       `json:"id"`
	Version     string       `json:"version"`
	ABI         string       `json:"abi"` // "major.minor"; JSON() fills in this SDK's when empty
	Description string       `json:"description"`
	License     string       `json:"license"`
	Options     []OptionSpec `json:"options"`
}

// Option types of docs/abi.md.
const (
	TypeInt       = "int"
	TypeBool      = "bool"
	TypeString    = "string"
	TypeEnum      = "enum"
	TypeMAC       = "mac"
	TypeIP        = "ip"
	TypeCIDR      = "cidr"
	TypePortRange = "port-range"
)

// OptionSpec declares one plugin option. Default is always a string in the option's
// syntax. Min and Max apply to int options only (nil: no bound); Values to enum options.
type OptionSpec struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Values  []string `json:"values,omitempty"`
	Min     *int64   `json:"min,omitempty"`
	Max     *int64   `json:"max,omitempty"`
	Default string   `json:"default"`
	Help    string   `json:"help"`
}

// IntOption declares an int option with bounds min..max.
func IntOption(name string, def, min, max int64, help string) OptionSpec {
	return OptionSpec{Name: name, Type: TypeInt, Min: &min, Max: &max, Default: strconv.FormatInt(def, 10), Help: help}
}

// BoolOption declares a bool option.
func BoolOption(name string, def bool, help string) OptionSpec {
	return OptionSpec{Name: name, Type: TypeBool, Default: strconv.FormatBool(def), Help: help}
}

// StringOption declares a free-form string option.
func StringOption(name, def, help string) OptionSpec {
	return OptionSpec{Name: name, Type: TypeString, Default: def, Help: help}
}

// EnumOption declares an option that takes one of values.
func EnumOption(name, def, help string, values ...string) OptionSpec {
	return OptionSpec{Name: name, Type: TypeEnum, Values: append([]string(nil), values...), Default: def, Help: help}
}

// PortRangeOption declares a port-range option ("1000-2000").
func PortRangeOption(name string, def PortRange, help string) OptionSpec {
	return OptionSpec{Name: name, Type: TypePortRange, Default: strconv.Itoa(int(def.Lo)) + "-" + strconv.Itoa(int(def.Hi)), Help: help}
}

// IPOption declares an IPv4-or-IPv6 address option (def "" for none).
func IPOption(name, def, help string) OptionSpec {
	return OptionSpec{Name: name, Type: TypeIP, Default: def, Help: help}
}

// MACOption declares a MAC address option.
func MACOption(name, def, help string) OptionSpec {
	return OptionSpec{Name: name, Type: TypeMAC, Default: def, Help: help}
}

// CIDROption declares a CIDR prefix option.
func CIDROption(name, def, help string) OptionSpec {
	return OptionSpec{Name: name, Type: TypeCIDR, Default: def, Help: help}
}

// JSON encodes the description as the UTF-8 JSON object describe must output.
func (d *Description) JSON() []byte {
	abi := d.ABI
	if abi == "" {
		abi = AbiVersionString()
	}
	b := make([]byte, 0, 256)
	b = append(b, '{')
	b = jsonField(b, "id", d.ID, false)
	b = jsonField(b, "version", d.Version, true)
	b = jsonField(b, "abi", abi, true)
	b = jsonField(b, "description", d.Description, true)
	b = jsonField(b, "license", d.License, true)
	b = append(b, `,"options":[`...)
	for i := range d.Options {
		o := &d.Options[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		b = jsonField(b, "name", o.Name, false)
		b = jsonField(b, "type", o.Type, true)
		if len(o.Values) > 0 {
			b = append(b, `,"values":[`...)
			for j, v := range o.Values {
				if j > 0 {
					b = append(b, ',')
				}
				b = jsonString(b, v)
			}
			b = append(b, ']')
		}
		if o.Min != nil {
			b = append(b, `,"min":`...)
			b = strconv.AppendInt(b, *o.Min, 10)
		}
		if o.Max != nil {
			b = append(b, `,"max":`...)
			b = strconv.AppendInt(b, *o.Max, 10)
		}
		b = jsonField(b, "default", o.Default, true)
		b = jsonField(b, "help", o.Help, true)
		b = append(b, '}')
	}
	b = append(b, ']', '}')
	return b
}

func jsonField(b []byte, name, value string, comma bool) []byte {
	if comma {
		b = append(b, ',')
	}
	b = jsonString(b, name)
	b = append(b, ':')
	return jsonString(b, value)
}

// jsonString appends s as a JSON string (invalid UTF-8 becomes U+FFFD).
func jsonString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
