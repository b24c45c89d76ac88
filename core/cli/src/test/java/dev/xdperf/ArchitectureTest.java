package dev.xdperf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The module graph, from the poms: dependencies run only downward (a module may use only
 * modules of a lower layer, never one beside or above it), and docs/architecture.md lists
 * exactly these modules and arrows. Test-scoped dependencies do not count (a module's tests
 * may run what is built on it).
 */
class ArchitectureTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent().getParent();

    /** The layers, lowest first: an arrow must point to a strictly lower layer. */
    private static final List<Set<String>> LAYERS = List.of(
            Set.of("host-abi"),
            Set.of("bpf", "analyze", "registry", "plugins", "plugins/quic"),
            Set.of("core/engine"),
            Set.of("core/web", "core/features", "core/bench"),
            Set.of("core/dist"),
            Set.of("core/cli"),
            Set.of("jmh"));

    @Test
    void dependenciesRunOnlyDownward() throws Exception {
        Map<String, Set<String>> graph = graphFromPoms();
        assertEquals(LAYERS.stream().flatMap(Set::stream).collect(java.util.stream.Collectors.toCollection(TreeSet::new)),
                graph.keySet(), "every module has a layer here, and every layer's module exists");
        List<String> wrong = new ArrayList<>();
        graph.forEach((from, tos) -> tos.forEach(to -> {
            if (layer(to) >= layer(from)) {
                wrong.add(from + " -> " + to + (layer(to) == layer(from) ? " (sideways)" : " (upward)"));
            }
        }));
        assertTrue(wrong.isEmpty(), "dependencies that do not run downward: " + wrong);
    }

    @Test
    void architectureDocListsTheModulesAndArrowsOfThePoms() throws Exception {
        String doc = Files.readString(ROOT.resolve("docs/architecture.md"));
        Matcher m = Pattern.compile("<!-- module-graph: checked by ArchitectureTest -->\\s*```\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(m.find(), "docs/architecture.md has no module-graph block");
        Map<String, Set<String>> documented = new TreeMap<>();
        for (String line : m.group(1).split("\n")) {
            String[] parts = line.split("->", 2);
            if (parts.length < 2 || line.isBlank()) {
                continue;
            }
            Set<String> tos = new TreeSet<>();
            for (String t : parts[1].split("#", 2)[0].split(",")) {
                if (!t.isBlank()) {
                    tos.add(t.strip());
                }
            }
            documented.put(parts[0].strip(), tos);
        }
        assertEquals(graphFromPoms(), documented, "docs/architecture.md's module graph differs from the poms");
    }

    private static int layer(String module) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(module)) {
                return i;
            }
        }
        throw new AssertionError("module " + module + " has no layer in ArchitectureTest.LAYERS");
    }

    /** Module folder → the folders of the xdperf modules it depends on (compile or provided scope). */
    static Map<String, Set<String>> graphFromPoms() throws Exception {
        Map<String, String> folderOf = new TreeMap<>();
        Map<String, List<String>> depsOf = new TreeMap<>();
        try (Stream<Path> poms = Files.walk(ROOT, 3)) {
            for (Path pom : poms.filter(p -> p.getFileName().toString().equals("pom.xml"))
                    .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.")).toList()) {
                Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
                if ("pom".equals(text(project, "packaging"))) {
                    continue;
                }
                String artifact = text(project, "artifactId");
                String folder = ROOT.relativize(pom.getParent()).toString();
                folderOf.put(artifact, folder);
                List<String> deps = new ArrayList<>();
                for (Element dep : children(child(project, "dependencies"), "dependency")) {
                    String scope = text(dep, "scope");
                    String a = text(dep, "artifactId");
                    if (a.startsWith("xdperf-") && (scope == null || scope.equals("compile") || scope.equals("provided"))) {
                        deps.add(a);
                    }
                }
                depsOf.put(folder, deps);
            }
        }
        Map<String, Set<String>> graph = new TreeMap<>();
        depsOf.forEach((folder, deps) -> graph.put(folder,
                deps.stream().map(a -> folderOf.getOrDefault(a, "?" + a)).collect(java.util.stream.Collectors.toCollection(TreeSet::new))));
        return graph;
    }

    private static Element child(Element e, String name) {
        List<Element> c = children(e, name);
        return c.isEmpty() ? null : c.get(0);
    }

    private static List<Element> children(Element e, String name) {
        List<Element> out = new ArrayList<>();
        if (e == null) {
            return out;
        }
        NodeList nodes = e.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element c && c.getTagName().equals(name)) {
                out.add(c);
            }
        }
        return out;
    }

    private static String text(Element e, String name) {
        Element c = child(e, name);
        return c == null ? null : c.getTextContent().strip();
    }
}
