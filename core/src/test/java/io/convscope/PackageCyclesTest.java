package io.convscope;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Core's packages form no cycle (issue 12: {@code model} and {@code embedded} imported each other). */
class PackageCyclesTest {
    private static final Pattern REF = Pattern.compile("\\bio\\.convscope\\.(?:([a-z][a-z0-9]*)\\.)?[A-Z]");

    /** Package → the packages its code (not its comments) names. */
    static Map<String, Set<String>> graph(Path src) throws IOException {
        Map<String, Set<String>> g = new TreeMap<>();
        Path root = src.resolve("io/convscope");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String rel = root.relativize(f.getParent()).toString().replace('/', '.');
                String pkg = rel.isEmpty() ? "" : rel;
                String code = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
                Set<String> deps = g.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REF.matcher(code);
                while (m.find()) {
                    String d = m.group(1) == null ? "" : m.group(1);
                    if (!d.equals(pkg)) {
                        deps.add(d);
                    }
                }
            }
        }
        return g;
    }

    /** The strongly connected components with more than one package (Tarjan). */
    static List<Set<String>> cycles(Map<String, Set<String>> g) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        List<String> stack = new ArrayList<>();
        Set<String> on = new HashSet<>();
        List<Set<String>> out = new ArrayList<>();
        for (String v : g.keySet()) {
            if (!index.containsKey(v)) {
                visit(v, g, index, low, stack, on, out);
            }
        }
        return out;
    }

    private static void visit(String v, Map<String, Set<String>> g, Map<String, Integer> index, Map<String, Integer> low,
                              List<String> stack, Set<String> on, List<Set<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.add(v);
        on.add(v);
        for (String w : g.getOrDefault(v, Set.of())) {
            if (!g.containsKey(w)) {
                continue;
            }
            if (!index.containsKey(w)) {
                visit(w, g, index, low, stack, on, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (on.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> comp = new TreeSet<>();
            String w;
            do {
                w = stack.remove(stack.size() - 1);
                on.remove(w);
                comp.add(w.isEmpty() ? "(root)" : w);
            } while (!w.equals(v));
            if (comp.size() > 1) {
                out.add(comp);
            }
        }
    }

    @Test
    void theCycleFinderFindsACycle() {
        Map<String, Set<String>> g = new TreeMap<>();
        g.put("a", Set.of("b"));
        g.put("b", Set.of("c"));
        g.put("c", Set.of("a"));
        g.put("d", Set.of("a"));
        assertEquals(List.of(Set.of("a", "b", "c")), cycles(g));
    }

    @Test
    void coreHasNoPackageCycles() throws IOException {
        Map<String, Set<String>> g = graph(Path.of("src", "main", "java"));
        assertTrue(g.containsKey("model") && g.get("model").contains("embedded"), "the scan sees imports: " + g.get("model"));
        assertEquals(List.of(), cycles(g));
    }
}
