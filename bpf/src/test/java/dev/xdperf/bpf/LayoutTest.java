package dev.xdperf.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Java's Structs against the C compiler's view of xdperf.h (written by layout.c in the build). */
class LayoutTest {

    static Map<String, Long> cLayout() throws Exception {
        Path file = Path.of(System.getProperty("xdperf.layout", "target/layout/layout.properties"));
        assertTrue(Files.exists(file), "layout probe output missing: " + file);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        Map<String, Long> out = new HashMap<>();
        p.forEach((k, v) -> out.put((String) k, Long.parseLong(((String) v).trim())));
        return out;
    }

    private static Map<String, Long> javaLayout() throws Exception {
        Map<String, Long> out = new HashMap<>();
        for (Field f : Structs.class.getFields()) {
            out.put("XDPERF_" + f.getName(), (long) f.getInt(null));
        }
        for (Class<?> c : Structs.class.getClasses()) {
            String cName = (String) c.getField("C_NAME").get(null);
            for (Field f : c.getFields()) {
                if (!Modifier.isStatic(f.getModifiers()) || f.getType() != int.class) {
                    continue;
                }
                out.put(cName + "." + f.getName().toLowerCase(Locale.ROOT), (long) f.getInt(null));
            }
        }
        return out;
    }

    @Test
    void everyCValueMatchesJava() throws Exception {
        Map<String, Long> c = cLayout();
        Map<String, Long> java = javaLayout();
        assertFalse(c.isEmpty());
        for (var e : c.entrySet()) {
            assertTrue(java.containsKey(e.getKey()), "Structs has no counterpart for C's " + e.getKey());
            assertEquals(e.getValue(), java.get(e.getKey()), "layout of " + e.getKey());
        }
    }

    @Test
    void everyJavaValueIsCheckedAgainstC() throws Exception {
        Map<String, Long> c = cLayout();
        for (String key : javaLayout().keySet()) {
            assertTrue(c.containsKey(key), "layout.c does not print " + key + ": add it so the check covers it");
        }
    }
}
