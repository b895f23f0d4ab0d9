package org.vitarena.runner;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Builds small plugin jars in tests: compiles Java sources against the test class path and packs them with a services file. */
final class PluginJars {
    private PluginJars() {}

    static Path build(Path dir, String jarName, Map<String, String> sources, String servicesLine) throws IOException {
        Path src = Files.createDirectories(dir.resolve(jarName + "-src")), classes = Files.createDirectories(dir.resolve(jarName + "-classes"));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                "--release", "25", "-proc:none"));
        for (var e : sources.entrySet()) {
            Path f = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            args.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, System.err, args.toArray(String[]::new));
        if (rc != 0) throw new IllegalStateException("compiling " + jarName + " failed");
        Path jar = dir.resolve(jarName);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            try (var walk = Files.walk(classes)) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                    Files.copy(p, out);
                    out.closeEntry();
                }
            }
            out.putNextEntry(new JarEntry("META-INF/services/org.vitarena.spi.ModelProvider"));
            write(out, servicesLine + "\n");
            out.closeEntry();
        }
        return jar;
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A provider source whose family offers {@code variants}, reporting {@code version}, optionally throwing in its constructor. */
    static String provider(String pkg, String cls, int version, List<String> variants, boolean throwInConstructor) {
        return """
                package %s;
                import org.vitarena.spi.*;
                import org.vitarena.core.nn.VisionModel;
                import java.util.List;
                public final class %s implements ModelProvider {
                    public %s() { %s }
                    public int spiVersion() { return %d; }
                    public String family() { return "%s"; }
                    public List<String> variants() { return List.of(%s); }
                    public VisionModel create(String v, ModelOptions o) {
                        return new org.vitarena.models.vit.VitProvider().create("vit_demo", o);
                    }
                }
                """.formatted(pkg, cls, cls, throwInConstructor ? "if (true) throw new IllegalStateException(\"constructor refuses\");" : "",
                version, cls.toLowerCase(), String.join(", ", variants.stream().map(v -> "\"" + v + "\"").toList()));
    }
}
