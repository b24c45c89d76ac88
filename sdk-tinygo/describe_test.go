package xdperf

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func sampleDescription() Description {
	return Description{
		ID: "icmp", Version: "1.0.0",
		Description: "ICMP \"echo\" \\ tabs\there\nnewline \x01 ünï ✓ \u2028",
		License:     "Apache-2.0",
		Options: []OptionSpec{
			EnumOption("type", "echo", "message type", "echo", "unreachable", "time-exceeded"),
			IntOption("payload", 56, 0, 1400, "payload bytes"),
			BoolOption("df", true, "don't fragment"),
			StringOption("note", "", "free text"),
			PortRangeOption("sport", PortRange{1000, 2000}, "source ports"),
			IPOption("via", "198.18.0.1", "an address"),
			MACOption("gw", "02:00:00:00:00:01", "a MAC"),
			CIDROption("net", "198.18.0.0/15", "a prefix"),
		},
	}
}

func TestDescriptionJSON(t *testing.T) {
	d := sampleDescription()
	out := d.JSON()
	if !json.Valid(out) {
		t.Fatalf("invalid JSON: %s", out)
	}
	var back Description
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	want := d
	want.ABI = "1.0"
	if !reflect.DeepEqual(back, want) {
		t.Fatalf("round trip\n got %+v\nwant %+v", back, want)
	}
	// The same bytes encoding/json would write, up to its HTML escaping.
	std, _ := json.Marshal(want)
	if string(out) != strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(std)) {
		t.Errorf("differs from encoding/json\n got %s\nwant %s", out, std)
	}
	var raw map[string]interface{}
	_ = json.Unmarshal(out, &raw)
	opt := raw["options"].([]interface{})[1].(map[string]interface{})
	if opt["min"] != float64(0) || opt["max"] != float64(1400) || opt["default"] != "56" || opt["type"] != "int" {
		t.Errorf("int option %v", opt)
	}
	if raw["options"].([]interface{})[4].(map[string]interface{})["default"] != "1000-2000" {
		t.Errorf("port-range default")
	}
}

func TestDescriptionJSONInvalidUTF8AndEmpty(t *testing.T) {
	d := Description{ID: "x\xffy"}
	out := d.JSON()
	if !json.Valid(out) || !strings.Contains(string(out), `"x\ufffdy"`) || !strings.Contains(string(out), `"options":[]`) {
		t.Fatalf("%s", out)
	}
}
