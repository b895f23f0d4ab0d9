package org.vitarena.core;

import org.junit.jupiter.api.Test;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packages of core depend on each other without cycles. The graph is read from the sources:
 * every reference to {@code org.vitarena.core...} outside comments and string literals, imports and
 * fully qualified names alike, is an edge from the file's package to the referenced one.
 */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java");
    /** A package name followed by a type name or a wildcard: {@code org.vitarena.core.nn.Module}, {@code org.vitarena.core.io.*}. */
    private static final Pattern REFERENCE = Pattern.compile("\\b(org\\.vitarena\\.core(?:\\.[a-z_][a-z0-9_]*)*)\\s*\\.\\s*(?:[A-Z]|\\*)");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    @Test
    void corePackagesFormNoCycle() throws IOException {
        Map<String, Map<String, Set<String>>> graph = graph(SOURCES);
        assertTrue(graph.size() >= 5, "too few packages found under " + SOURCES.toAbsolutePath() + ": " + graph.keySet());
        List<String> cycle = findCycle(graph);
        if (cycle != null) {
            StringBuilder sb = new StringBuilder("package cycle in core: " + String.join(" -> ", cycle));
            for (int i = 0; i + 1 < cycle.size(); i++) {
                sb.append("\n  ").append(cycle.get(i)).append(" -> ").append(cycle.get(i + 1)).append(" in ")
                        .append(graph.get(cycle.get(i)).get(cycle.get(i + 1)));
            }
            fail(sb.toString());
        }
    }

    /** The scanner itself: it sees imports, wildcards and qualified names, and ignores comments and strings. */
    @Test
    void scannerSeesCodeReferencesOnly() {
        String src = """
                package org.vitarena.core.a;
                import org.vitarena.core.b.Thing;
                import static org.vitarena.core.c.Util.helper;
                import org.vitarena.core.d.*;
                /** {@link org.vitarena.core.x.Doc} */
                class A { // org.vitarena.core.y.Line
                    String s = "org.vitarena.core.z.Text";
                    Object o = new org.vitarena.core.e.Other();
                    /* org.vitarena.core.w.Block */
                    org.vitarena.core.a.Self self;
                }
                """;
        assertEquals(Set.of("org.vitarena.core.b", "org.vitarena.core.c", "org.vitarena.core.d", "org.vitarena.core.e",
                "org.vitarena.core.a"), references(src));
        Map<String, Map<String, Set<String>>> g = new TreeMap<>();
        g.computeIfAbsent("p", k -> new TreeMap<>()).put("q", Set.of("P.java"));
        g.computeIfAbsent("q", k -> new TreeMap<>()).put("r", Set.of("Q.java"));
        g.computeIfAbsent("r", k -> new TreeMap<>()).put("p", Set.of("R.java"));
        assertEquals(List.of("p", "q", "r", "p"), findCycle(g));
        g.get("r").clear();
        assertEquals(null, findCycle(g));
    }

    /** package → referenced package → the files that make the edge. */
    static Map<String, Map<String, Set<String>>> graph(Path root) throws IOException {
        Map<String, Map<String, Set<String>>> graph = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        for (Path f : files) {
            String src = Files.readString(f);
            Matcher m = PACKAGE.matcher(src);
            if (!m.find()) continue;
            String pkg = m.group(1);
            Map<String, Set<String>> out = graph.computeIfAbsent(pkg, k -> new TreeMap<>());
            for (String target : references(src)) {
                if (!target.equals(pkg)) out.computeIfAbsent(target, k -> new TreeSet<>()).add(f.getFileName().toString());
            }
        }
        return graph;
    }

    /** The core packages a source file refers to in code. */
    static Set<String> references(String src) {
        Set<String> out = new TreeSet<>();
        Matcher m = REFERENCE.matcher(stripCommentsAndStrings(src));
        while (m.find()) out.add(m.group(1));
        return out;
    }

    /** The source with comments, string and char literals (text blocks included) blanked out. */
    static String stripCommentsAndStrings(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') i++;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (s.startsWith("\"\"\"", i)) {
                int end = i + 3;
                while (end < n && !s.startsWith("\"\"\"", end)) end += s.charAt(end) == '\\' ? 2 : 1;
                i = Math.min(n, end + 3);
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int end = i + 1;
                while (end < n && s.charAt(end) != c && s.charAt(end) != '\n') end += s.charAt(end) == '\\' ? 2 : 1;
                i = Math.min(n, end + 1);
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** One cycle as a path that starts and ends at the same package, or null when the graph is acyclic. */
    static List<String> findCycle(Map<String, Map<String, Set<String>>> graph) {
        Map<String, Integer> state = new TreeMap<>(); // 1 on the current path, 2 finished
        List<String> path = new ArrayList<>();
        for (String start : graph.keySet()) {
            List<String> c = visit(start, graph, state, path);
            if (c != null) return c;
        }
        return null;
    }

    private static List<String> visit(String node, Map<String, Map<String, Set<String>>> graph, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(node);
        if (s != null && s == 2) return null;
        if (s != null && s == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
            cycle.add(node);
            return cycle;
        }
        state.put(node, 1);
        path.add(node);
        for (String next : graph.getOrDefault(node, Map.of()).keySet()) {
            List<String> c = visit(next, graph, state, path);
            if (c != null) return c;
        }
        path.removeLast();
        state.put(node, 2);
        return null;
    }
}
