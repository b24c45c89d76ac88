package dev.xdperf.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginDescriptionTest {
    static final PluginDescription D = PluginDescription.builder("demo", "1.0.0", TemplatePlugin.ABI_MAJOR, TemplatePlugin.ABI_MINOR)
            .description("a demo").license("MIT")
            .option(OptionSpec.integer("flows", 1, 1, 1024, "flows"))
            .option(OptionSpec.bool("ipv6", false, "IPv6"))
            .option(OptionSpec.choice("version", List.of("1", "2"), "1", "QUIC version"))
            .option(OptionSpec.of("src-ports", "port-range", "49152-65535", "source ports"))
            .option(OptionSpec.of("gw", "mac", null, "gateway MAC"))
            .option(OptionSpec.of("peer", "ip", null, "peer"))
            .option(OptionSpec.of("net", "cidr", null, "prefix"))
            .option(OptionSpec.string("sni", "example.com", "server name"))
            .build();

    @Test
    void theExtensionPointsConstantsAreTheHostsVersion() {
        assertEquals(AbiVersion.HOST, new AbiVersion(TemplatePlugin.ABI_MAJOR, TemplatePlugin.ABI_MINOR));
        assertEquals(AbiVersion.HOST, D.abi());
    }

    @Test
    void optionsAreCheckedNormalisedAndDefaulted() {
        var opts = D.resolveOptions(Map.of("flows", " 7", "ipv6", "TRUE", "gw", "02-00-00-AA-bb-01", "peer", "fd00:0:0::1",
                "net", "198.18.0.0/15"));
        assertEquals(List.of(Map.entry("flows", "7"), Map.entry("ipv6", "true"), Map.entry("version", "1"),
                Map.entry("src-ports", "49152-65535"), Map.entry("gw", "02:00:00:aa:bb:01"), Map.entry("peer", "fd00:0:0:0:0:0:0:1"),
                Map.entry("net", "198.18.0.0/15"), Map.entry("sni", "example.com")), opts);
    }

    @Test
    void badValuesAreOneSentence() {
        assertEquals("plugin demo option flows=0: outside 1..1024",
                assertThrows(IllegalArgumentException.class, () -> D.resolveOptions(Map.of("flows", "0"))).getMessage());
        assertEquals("plugin demo option version=3: not one of 1, 2",
                assertThrows(IllegalArgumentException.class, () -> D.resolveOptions(Map.of("version", "3"))).getMessage());
        assertEquals("plugin demo option src-ports=9-1: not a port range like 1024-65535",
                assertThrows(IllegalArgumentException.class, () -> D.resolveOptions(Map.of("src-ports", "9-1"))).getMessage());
        assertEquals("plugin demo option peer=example.com: not an IPv4 or IPv6 address",
                assertThrows(IllegalArgumentException.class, () -> D.resolveOptions(Map.of("peer", "example.com"))).getMessage());
        assertEquals("plugin demo option net=10.0.0.0/33: not an address prefix like 198.18.0.0/24",
                assertThrows(IllegalArgumentException.class, () -> D.resolveOptions(Map.of("net", "10.0.0.0/33"))).getMessage());
        assertEquals("plugin demo has no option 'nope' (it has: flows, ipv6, version, src-ports, gw, peer, net, sni)",
                assertThrows(IllegalArgumentException.class, () -> D.resolveOptions(Map.of("nope", "1"))).getMessage());
    }

    @Test
    void aDescriptionIsValidatedWhenBuilt() {
        assertEquals("option 'x' has an unknown type 'float' (one of bool, cidr, enum, int, ip, mac, port-range, string)",
                assertThrows(IllegalArgumentException.class, () -> OptionSpec.of("x", "float", null, "")).getMessage());
        assertEquals("plugin demo declares option 'a' twice", assertThrows(IllegalArgumentException.class,
                () -> PluginDescription.builder("demo", "1", 1, 0).option(OptionSpec.bool("a", true, ""))
                        .option(OptionSpec.bool("a", false, "")).build()).getMessage());
        assertThrows(IllegalArgumentException.class, () -> PluginDescription.builder("", "1", 1, 0).build());
        assertThrows(IllegalArgumentException.class, () -> OptionSpec.choice("mode", List.of(), null, ""));
    }
}
