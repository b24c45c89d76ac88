package dev.xdperf.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.ChecksumRule;
import dev.xdperf.abi.FieldRule;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.abi.TemplateValidator;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The template ABI's limits (host-abi) against the kernel's: xdperf.h as the C compiler sees
 * it (layout.c) and Structs. A set the ABI accepts must fit the maps and structs xdp_tx reads,
 * or the template compiler would drop rules silently.
 */
class AbiLimitsTest {
    /** The int constants of host-abi that are not kernel limits, and why. */
    private static final Map<String, String> NOT_IN_THE_KERNEL = Map.of(
            "FieldRule.ENCODED_SIZE", "the rule's size in the plugin's output, not in a map",
            "ChecksumRule.ENCODED_SIZE", "the rule's size in the plugin's output, not in a map",
            "PacketTemplate.HEADER_SIZE", "the template's header in the plugin's output, not in a map",
            "RunRequest.MAX_ADDRS", "bounds the run request a plugin reads; no map holds addresses",
            "RunRequest.MAX_OPTIONS", "bounds the run request a plugin reads; no map holds options");

    private final Map<String, Long> c;
    private final Set<String> tied = new HashSet<>();

    AbiLimitsTest() throws Exception {
        c = LayoutTest.cLayout();
    }

    /** The ABI's value equals Structs' and C's. */
    private void same(String abiName, int abi, int java, String cName) {
        tied.add(abiName);
        assertEquals(abi, java, abiName + " against Structs (" + cName + ")");
        assertEquals(abi, c.get(cName), abiName + " against xdperf.h's " + cName);
    }

    /** The ABI's value fits under a kernel bound, as Structs and C state it. */
    private void atMost(String abiName, int abi, int java, String cName) {
        tied.add(abiName);
        assertTrue(abi <= java, abiName + " = " + abi + " exceeds Structs' " + cName + " = " + java);
        assertTrue(abi <= c.get(cName), abiName + " = " + abi + " exceeds xdperf.h's " + cName + " = " + c.get(cName));
    }

    private void tieEverything() {
        same("TemplateSet.MAX_TEMPLATES", TemplateSet.MAX_TEMPLATES, Structs.MAX_TEMPLATES, "XDPERF_MAX_TEMPLATES");
        same("TemplateSet.MAX_FIELDS", TemplateSet.MAX_FIELDS, Structs.MAX_FIELDS, "XDPERF_MAX_FIELDS");
        same("TemplateSet.MAX_CHECKSUMS", TemplateSet.MAX_CHECKSUMS, Structs.MAX_CSUMS, "XDPERF_MAX_CSUMS");
        same("TemplateSet.MIN_FRAME", TemplateSet.MIN_FRAME, Structs.MIN_FRAME, "XDPERF_MIN_FRAME");
        // A frame must fit the template's bytes; xdp_tx masks offsets with XDPERF_TMPL_BYTES - 1.
        atMost("TemplateSet.MAX_FRAME", TemplateSet.MAX_FRAME, Structs.TMPL_BYTES, "XDPERF_TMPL_BYTES");
        atMost("FieldRule.MAX_LIST", FieldRule.MAX_LIST, Structs.LIST_MAX, "XDPERF_LIST_MAX");
        same("TemplateValidator.MEASUREMENT_HEADER_SIZE", TemplateValidator.MEASUREMENT_HEADER_SIZE, Structs.Mh.SIZE,
                "xdperf_mh.size");
    }

    @Test
    void everyAbiLimitMatchesTheKernelStructs() {
        tieEverything();
        // Widths of the struct fields that carry the counts: list_count is a __u16, the checksum masks a __u8.
        assertTrue(FieldRule.MAX_LIST <= 0xffff, "xdperf_field.list_count is 16 bits");
        assertTrue(TemplateSet.MAX_CHECKSUMS <= 8, "xdperf_field.csum_mask has a bit per checksum");
        assertTrue(TemplateSet.MAX_FIELDS <= 0xff, "xdperf_template.n_fields is 8 bits");
    }

    @Test
    void abiCodesAreTheCodesXdpTxReads() {
        // The template compiler writes these codes into the maps as they are.
        Map<FieldRule.Op, String> ops = Map.of(FieldRule.Op.INCREMENT, "XDPERF_OP_INC", FieldRule.Op.DECREMENT,
                "XDPERF_OP_DEC", FieldRule.Op.RANDOM, "XDPERF_OP_RANDOM", FieldRule.Op.LIST, "XDPERF_OP_LIST");
        for (FieldRule.Op op : FieldRule.Op.values()) {
            assertTrue(ops.containsKey(op), "no xdperf.h code for the ABI's operation " + op);
            assertEquals(c.get(ops.get(op)), (long) op.code, op + " against " + ops.get(op));
        }
        Map<ChecksumRule.Kind, String> kinds = Map.of(ChecksumRule.Kind.IPV4_HEADER, "XDPERF_CSUM_IPV4",
                ChecksumRule.Kind.UDP, "XDPERF_CSUM_UDP", ChecksumRule.Kind.TCP, "XDPERF_CSUM_TCP",
                ChecksumRule.Kind.ICMP, "XDPERF_CSUM_ICMP", ChecksumRule.Kind.ICMPV6, "XDPERF_CSUM_ICMPV6");
        for (ChecksumRule.Kind k : ChecksumRule.Kind.values()) {
            assertTrue(kinds.containsKey(k), "no xdperf.h code for the ABI's checksum kind " + k);
            assertEquals(c.get(kinds.get(k)), (long) k.code, k + " against " + kinds.get(k));
        }
    }

    @Test
    void aNewAbiConstantMustBeTiedOrExplained() throws Exception {
        tieEverything();
        List<Class<?>> classes = abiClasses();
        assertTrue(classes.contains(TemplateSet.class), "host-abi's classes found: " + classes);
        for (Class<?> k : classes) {
            for (Field f : k.getDeclaredFields()) {
                int m = f.getModifiers();
                if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || !Modifier.isFinal(m) || f.getType() != int.class) {
                    continue;
                }
                String name = k.getName().substring(k.getPackageName().length() + 1).replace('$', '.') + "." + f.getName();
                assertTrue(tied.contains(name) || NOT_IN_THE_KERNEL.containsKey(name),
                        name + " is neither tied to xdperf.h here nor listed as having no kernel counterpart");
            }
        }
    }

    /** Every class of host-abi's package, from its jar or classes directory. */
    private static List<Class<?>> abiClasses() throws Exception {
        Path root = Path.of(TemplateSet.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String pkg = TemplateSet.class.getPackageName();
        List<Class<?>> out = new ArrayList<>();
        try (FileSystem jar = Files.isDirectory(root) ? null : FileSystems.newFileSystem(URI.create("jar:" + root.toUri()), Map.of())) {
            Path dir = (jar == null ? root : jar.getPath("/")).resolve(pkg.replace('.', '/'));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    String simple = f.getFileName().toString().replace(".class", "");
                    try {
                        out.add(Class.forName(pkg + "." + simple, false, AbiLimitsTest.class.getClassLoader()));
                    } catch (NoClassDefFoundError e) {
                        // The PF4J extension point: pf4j is provided to plugins, not to this module.
                        assertTrue(e.getMessage().startsWith("org/pf4j/"), simple + ": " + e.getMessage());
                    }
                }
            }
        }
        return out;
    }
}
