package org.vitarena.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.spi.ModelProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.vitarena.runner.RunnerCommandsTest.run;

/** Plugins: loading from a folder, version refusal, duplicate names, isolation of a failing plugin, the example project. */
class PluginTest {
    @TempDir Path tmp;

    private static JsonNode listJson(Path plugins) throws Exception {
        var r = run("--plugins", plugins.toString(), "list", "--json");
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    private static JsonNode find(JsonNode list, String model) {
        for (JsonNode n : list) if (n.get("model").asText().equals(model)) return n;
        return null;
    }

    @Test
    void incompatibleVersionIsRefusedNamingTheJarAndBothVersions() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        int future = ModelProvider.SPI_VERSION + 1;
        PluginJars.build(plugins, "future.jar", Map.of("p.Future", PluginJars.provider("p", "Future", future, List.of("future_demo"), false)), "p.Future");
        PluginJars.build(plugins, "good.jar", Map.of("q.Good", PluginJars.provider("q", "Good", ModelProvider.SPI_VERSION, List.of("good_demo"), false)), "q.Good");
        var r = run("--plugins", plugins.toString(), "list", "--json");
        assertEquals(0, r.code());
        assertTrue(r.err().contains("future.jar") && r.err().contains("SPI contract version " + future)
                && r.err().contains("SPI contract version " + ModelProvider.SPI_VERSION), r.err());
        JsonNode list = new ObjectMapper().readTree(r.out());
        assertNull(find(list, "future_demo"));
        assertTrue(find(list, "good_demo").get("source").asText().endsWith("good.jar"));
        assertEquals("classpath", find(list, "vit_demo").get("source").asText());
    }

    @Test
    void duplicateNamesAreReportedWithBothSourcesAndTheFirstWins() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        PluginJars.build(plugins, "a-dup.jar", Map.of("d.Dup", PluginJars.provider("d", "Dup", ModelProvider.SPI_VERSION, List.of("vit_demo", "dup_demo"), false)), "d.Dup");
        var r = run("--plugins", plugins.toString(), "list", "--json");
        assertTrue(r.err().contains("'vit_demo' is offered twice") && r.err().contains("classpath") && r.err().contains("a-dup.jar"), r.err());
        JsonNode list = new ObjectMapper().readTree(r.out());
        assertEquals("classpath", find(list, "vit_demo").get("source").asText());
        assertTrue(find(list, "dup_demo").get("source").asText().endsWith("a-dup.jar"));
    }

    @Test
    void aPluginThatFailsToLoadIsNamedAndEveryOtherModelGoesOn() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        PluginJars.build(plugins, "throws.jar", Map.of("t.Throws", PluginJars.provider("t", "Throws", ModelProvider.SPI_VERSION, List.of("t_demo"), true)), "t.Throws");
        PluginJars.build(plugins, "missing.jar", Map.of("m.Present", PluginJars.provider("m", "Present", ModelProvider.SPI_VERSION, List.of("m_demo"), false)), "m.Absent");
        var r = run("--plugins", plugins.toString(), "list", "--json");
        assertEquals(0, r.code());
        assertTrue(r.err().contains("throws.jar") && r.err().contains("constructor refuses"), r.err());
        assertTrue(r.err().contains("missing.jar"), r.err());
        JsonNode list = new ObjectMapper().readTree(r.out());
        for (String m : new String[]{"vit_demo", "deit_demo", "cait_demo", "swin_demo"}) assertNotNull(find(list, m), m);
        var all = run("--plugins", plugins.toString(), "--all", "--models", "vit_demo", "--epochs", "1", "--classes", "3",
                "--train-per-class", "8", "--val-per-class", "2", "--batch", "8", "--out", tmp.resolve("out").toString());
        assertEquals(0, all.code(), all.err());
    }

    /** The example project, built on its own with Maven against the installed artifacts, then dropped into a plugins folder. */
    @Test
    void theExamplePluginBuildsOnItsOwnAndTrainsIntoTheTable() throws Exception {
        Path root = Path.of(System.getProperty("vitarena.root", "..")).toAbsolutePath().normalize();
        Path example = root.resolve("examples/third-party-plugin");
        Assumptions.assumeTrue(Files.isDirectory(example), "examples/third-party-plugin not found from " + root);
        String mvn = findMaven();
        Assumptions.assumeTrue(mvn != null, "mvn is not on PATH: skipping the example-plugin build");
        // publish core and spi (with the contract test-jar) to the local repository, as `mvn install` would
        exec(root, mvn, "-q", "-B", "install", "-DskipTests", "-pl", "core,spi", "-am");
        exec(example, mvn, "-q", "-B", "package");
        Path jar;
        try (var s = Files.walk(example.resolve("target"))) {
            jar = s.filter(p -> p.getFileName().toString().matches("vitarena-mixer-plugin-.*\\.jar")).findFirst().orElseThrow();
        }
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Path dropped = Files.copy(jar, plugins.resolve(jar.getFileName()));
        JsonNode demo = find(listJson(plugins), "mixer_demo");
        assertNotNull(demo);
        assertEquals("mixer", demo.get("family").asText());
        assertEquals(dropped.toAbsolutePath().normalize().toString(), demo.get("source").asText());
        Path out = tmp.resolve("all");
        var r = run("--plugins", plugins.toString(), "--all", "--models", "mixer_demo,vit_demo", "--epochs", "1", "--classes", "3",
                "--train-per-class", "8", "--val-per-class", "2", "--batch", "8", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("mixer_demo") && r.out().contains("mixer"), r.out());
        JsonNode res = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        boolean ok = false;
        for (JsonNode m : res.get("models")) if (m.get("model").asText().equals("mixer_demo")) ok = m.get("status").asText().equals("ok");
        assertTrue(ok, res.toString());
    }

    private static String findMaven() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "mvn");
            if (Files.isExecutable(p)) return p.toString();
        }
        return null;
    }

    private static void exec(Path dir, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path log = Files.createTempFile("mvn", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("timed out: " + String.join(" ", cmd));
        }
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + Files.readString(log));
    }
}
