package org.vitarena.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.core.io.StateDict;
import org.vitarena.data.SyntheticDataset;
import org.vitarena.spi.ModelOptions;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's Java API snippet, exactly as written there, compiled and run: on a small folder in Tiny
 * ImageNet's layout, starting from a timm-named weights file, so the snippet cannot rot.
 */
class ReadmeJavaApiTest {
    @TempDir Path tmp;

    static String snippet() throws Exception {
        Path readme = root().resolve("README.md");
        String text = Files.readString(readme);
        Matcher m = Pattern.compile("<!-- java-api:start[^>]*-->\\s*```java\\n(.*?)```\\s*<!-- java-api:end -->", Pattern.DOTALL).matcher(text);
        assertTrue(m.find(), readme + " has no java-api snippet between <!-- java-api:start --> and <!-- java-api:end -->");
        return m.group(1);
    }

    /** The repository root: the folder above the working directory that holds README.md and the parent pom. */
    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.exists(p.resolve("README.md")) && Files.isDirectory(p.resolve("engine")))) p = p.getParent();
        assertNotNull(p, "no repository root above " + Path.of("").toAbsolutePath());
        return p;
    }

    @Test
    void snippetIsShortCompilesAndRuns() throws Exception {
        String code = snippet();
        long lines = code.lines().filter(l -> !l.isBlank()).count();
        assertTrue(lines >= 10 && lines <= 15, "the README's Java API snippet should stay 10-15 lines, has " + lines);

        Path src = tmp.resolve("src/snippet/ReadmeSnippet.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                package snippet;
                import java.nio.file.Path;
                import org.vitarena.core.nn.VisionModel;
                import org.vitarena.engine.*;
                public final class ReadmeSnippet {
                    public static void run(Path dataDir, Path runDir, Path timmWeights) throws Exception {
                """ + code + "\n    }\n}\n");
        Path classes = tmp.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK (with javac) runs the tests");
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "-d", classes.toString(), "-cp", classPath(), src.toString());
        assertEquals(0, rc, "the README's Java API snippet does not compile:\n" + diag.toString(StandardCharsets.UTF_8));

        Path data = tmp.resolve("data"), runDir = tmp.resolve("run"), weights = tmp.resolve("model.safetensors");
        SyntheticDataset.writeTinyImageNetLayout(data, 3, 8, 4, 5L);
        // a timm-named state dict of vit_demo with the 1000-class head timm publishes: the snippet re-initialises the head
        var timmModel = ModelRegistry.fromClasspath().create("vit_demo", new ModelOptions(1000, 0, 0f, 9L));
        org.vitarena.core.io.Safetensors.write(weights, StateDict.of(timmModel), Map.of("format", "pt"));

        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (var loader = new URLClassLoader(new java.net.URL[]{classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            loader.loadClass("snippet.ReadmeSnippet").getMethod("run", Path.class, Path.class, Path.class).invoke(null, data, runDir, weights);
        } finally {
            System.setOut(stdout);
        }
        String out = printed.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("vit_demo is a vit model"), out);
        assertTrue(Pattern.compile("acc@1 \\d+\\.\\d\\d%, acc@5 100\\.00%").matcher(out).find(), out); // 3 classes: acc@5 is 100
        assertTrue(Files.exists(runDir.resolve("epoch-002.ckpt")), "a checkpoint per epoch");
        var exported = org.vitarena.core.io.Safetensors.read(runDir.resolve("model.safetensors"));
        assertArrayEquals(new int[]{3, 64}, exported.get("head.weight").shape(), "the head was re-initialised for the folder's 3 classes");
        assertEquals(StateDict.of(timmModel).keySet(), exported.keySet(), "timm's parameter names");
    }

    private static String classPath() {
        for (String key : new String[]{"surefire.test.class.path", "java.class.path"}) {
            String cp = System.getProperty(key);
            if (cp != null && cp.contains(File.pathSeparator)) return cp;
        }
        return System.getProperty("java.class.path");
    }
}
