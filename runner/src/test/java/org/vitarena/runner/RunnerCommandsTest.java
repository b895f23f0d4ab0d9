package org.vitarena.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.*;

/** The CLI as a user drives it, output captured through picocli's setOut/setErr. */
class RunnerCommandsTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test void listFindsViTThroughTheSpi() throws Exception {
        Run r = run("list", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode arr = new ObjectMapper().readTree(r.out());
        boolean found = false;
        for (JsonNode n : arr) {
            if (n.get("model").asText().equals("vit_demo")) {
                found = true;
                assertEquals("vit", n.get("family").asText());
                assertEquals("classpath", n.get("source").asText());
            }
        }
        assertTrue(found, r.out());
    }

    @Test void infoGivesViTLargeAsPublished() throws Exception {
        Run r = run("info", "vit_large_patch16_384", "--num-classes", "1000", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertEquals(304.7, n.get("params").asLong() / 1e6, 0.05);
        assertEquals(191.1, n.get("gmacs").asDouble(), 0.05);
    }

    @Test void unknownModelIsAClearUsageError() {
        Run r = run("info", "vit_hyper_patch1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown model 'vit_hyper_patch1'") && r.err().contains("vit_demo"), r.err());
    }

    /** verify-timm on a folder: every case passes, and the cases are exactly {@code expected}. */
    private void verifyTimmPassesEveryCase(java.nio.file.Path dir, java.util.Set<String> expected) throws Exception {
        Run r = run("verify-timm", dir.toString(), "--json", "--device", "cpu");
        JsonNode arr = new ObjectMapper().readTree(r.out());
        java.util.Set<String> passed = new java.util.TreeSet<>();
        for (JsonNode n : arr) {
            assertEquals("PASS", n.get("status").asText(), n.toString());
            passed.add(n.get("case").asText());
        }
        assertEquals(expected, passed, r.out());
        assertEquals(0, r.code(), r.err());
    }

    @Test void verifyTimmPassesEveryRepositoryCaseAndReportsJson() throws Exception {
        verifyTimmPassesEveryCase(Golden.repository(),
                java.util.Set.of("vit", "vit_adamw", "deit_distilled", "cait", "swin", "swin_3stage", "resample"));
    }

    @Test void verifyTimmPassesEverySharedCase() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Golden.shared().isPresent(), Golden.sharedMissing());
        verifyTimmPassesEveryCase(Golden.shared().get(), java.util.Set.of("vit", "vit_adamw", "deit_distilled", "cait", "swin", "resample"));
    }

    @Test void verifyTimmFailsWithExitCode1OnAWrongReference(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        // a copy of the vit case whose expected logits are shifted: the verifier must notice
        for (String f : new String[]{"vit.json", "vit.weights.safetensors"}) {
            java.nio.file.Files.copy(Golden.repository().resolve(f), tmp.resolve(f));
        }
        var io = new java.util.LinkedHashMap<>(org.vitarena.core.io.Safetensors.read(Golden.repository().resolve("vit.io.safetensors")));
        var logits = io.get("eval_logits");
        float[] shifted = logits.floats().clone();
        shifted[0] += 1e-2f;
        io.put("eval_logits", org.vitarena.core.io.Safetensors.Entry.ofFloats(logits.shape(), shifted));
        org.vitarena.core.io.Safetensors.write(tmp.resolve("vit.io.safetensors"), io, null);
        Run r = run("verify-timm", tmp.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("FAIL vit"), r.out());
    }
}
