package {{PACKAGE}};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.abi.TemplateValidator;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plugin as the host calls it: options resolved against its own description, the set validated. */
class {{CLASS}}Test {
    private final {{CLASS}} plugin = new {{CLASS}}();

    private RunRequest request(Map<String, String> given, int frameSize) throws Exception {
        return new RunRequest(AbiVersion.HOST, 1500, 2, new byte[] {2, 0, 0, 0, 0, 1}, new byte[] {2, 0, 0, 0, 0, 2}, frameSize, 3,
                List.of(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("2001:db8::1")),
                List.of(InetAddress.getByName("192.0.2.2"), InetAddress.getByName("2001:db8::2")),
                plugin.describe().resolveOptions(given));
    }

    @Test
    void defaultsAndIpv6GiveOneValidTemplate() throws Exception {
        for (Map<String, String> given : List.of(Map.<String, String>of(), Map.of("ipv6", "true", "flows", "8"))) {
            TemplateSet set = plugin.generate(request(given, 0));
            TemplateValidator.validate(set, 1500);
            assertEquals(1, set.templates().size());
            assertEquals(3, set.templates().get(0).streamId());
        }
    }

    @Test
    void frameSizeIsHonoured() throws Exception {
        assertEquals(200, plugin.generate(request(Map.of(), 200)).templates().get(0).length());
    }

    @Test
    void tooManyFlowsIsOneSentence() {
        assertThrows(IllegalArgumentException.class, () -> plugin.generate(request(Map.of("src-ports", "1000-1003", "flows", "5"), 0)));
    }
}
