package org.vitarena.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.engine.Checkpoint;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.vitarena.runner.RunnerCommandsTest.run;

/** The training commands end to end, with tiny budgets. */
class RunnerTrainingTest {
    @TempDir Path tmp;
    private static final String[] TINY = {"--classes", "3", "--train-per-class", "8", "--val-per-class", "4", "--batch", "8"};

    private static String[] args(String[] head, String... tail) {
        List<String> a = new ArrayList<>(List.of(head));
        a.addAll(List.of(TINY));
        a.addAll(List.of(tail));
        return a.toArray(String[]::new);
    }

    @Test
    void allReportsABrokenModelAndTheOthersGoOnThenReusesFinishedOnes() throws Exception {
        Path out = tmp.resolve("all");
        var r = run(args(new String[]{"--all", "--models", "vit_demo,broken_demo,deit_demo"}, "--epochs", "1", "--out", out.toString()));
        assertEquals(1, r.code(), r.err());
        JsonNode res = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals("synthetic-3", res.get("dataset").get("name").asText());
        assertEquals(3, res.get("models").size());
        for (JsonNode m : res.get("models")) {
            String name = m.get("model").asText();
            if (name.equals("broken_demo")) {
                assertEquals("failed", m.get("status").asText());
                assertTrue(m.get("error").asText().contains("always fails in forward"), m.toString());
            } else {
                assertEquals("ok", m.get("status").asText(), m.toString());
                assertTrue(m.get("acc1").asDouble() >= 0 && m.get("params").asLong() > 0 && m.get("gmacs").asDouble() > 0);
            }
        }
        assertTrue(r.out().contains("vit_demo") && r.out().contains("failed"), r.out());
        for (String f : new String[]{"results.md", "results.csv", "acc_per_epoch.png", "acc_vs_gmacs.png", "vit_demo/metrics.jsonl"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        var again = run(args(new String[]{"--all", "--models", "vit_demo,deit_demo"}, "--epochs", "1", "--out", out.toString()));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("vit_demo: finished in an earlier run"), again.err());
    }

    @Test
    void evalNeedsOnlyTheCheckpointAndTheValidationSplit() throws Exception {
        Path data = tmp.resolve("tiny");
        assertEquals(0, run("make-synthetic", "--out", data.toString(), "--classes", "3", "--train-per-class", "8", "--val-per-class", "4").code());
        assertTrue(Files.exists(data.resolve("wnids.txt")) && Files.exists(data.resolve("val/val_annotations.txt")));
        Path out = tmp.resolve("run");
        var t = run("train", "--model", "deit_demo", "--data", data.toString(), "--epochs", "1", "--batch", "8", "--augment", "light",
                "--out", out.toString());
        assertEquals(0, t.code(), t.err());
        // the training folder goes away (and the cache built from it): evaluation must not need it
        deleteTree(data.resolve("train"));
        deleteTree(data.resolve(".vitarena-cache"));
        Path grid = tmp.resolve("grid.png"), perClass = tmp.resolve("per_class.csv");
        var e = run("eval", "--checkpoint", out.resolve("last.ckpt").toString(), "--data", data.toString(), "--json",
                "--save-grid", grid.toString(), "--per-class", perClass.toString());
        assertEquals(0, e.code(), e.err());
        JsonNode j = new ObjectMapper().readTree(e.out());
        assertEquals(12, j.get("images").asInt());
        assertTrue(j.get("acc1").asDouble() >= 0 && j.get("acc5").asDouble() >= j.get("acc1").asDouble());
        assertNotNull(javax.imageio.ImageIO.read(grid.toFile()));
        assertEquals(4, Files.readAllLines(perClass).size());
        var x = run("export", "--checkpoint", out.resolve("last.ckpt").toString(), "--out", tmp.resolve("w.safetensors").toString());
        assertEquals(0, x.code(), x.err());
        var w = org.vitarena.core.io.Safetensors.read(tmp.resolve("w.safetensors"));
        assertTrue(w.containsKey("head_dist.weight") && w.containsKey("dist_token"), w.keySet().toString());
        assertArrayEquals(Checkpoint.load(out.resolve("last.ckpt")).model().get("pos_embed").floats(), w.get("pos_embed").floats());
    }

    @Test
    void aRunKilledWithSigkillResumesToBitIdenticalWeights() throws Exception {
        String[] train = args(new String[]{"train", "--model", "vit_demo", "--epochs", "4", "--save-every", "1", "--augment", "paper",
                "--drop-path", "0.1", "--threads", "2"});
        Path ref = tmp.resolve("ref"), killed = tmp.resolve("killed");
        assertEquals(0, run(concat(train, "--out", ref.toString())).code());
        // a separate JVM, killed with SIGKILL once it has written a few checkpoints
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(concat(train, "--out", killed.toString())));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Path epoch1 = killed.resolve("epoch-001.ckpt");
        while (System.nanoTime() < deadline && p.isAlive() && !Files.exists(epoch1)) Thread.sleep(5);
        assertTrue(p.isAlive(), "the child finished before it could be killed: " + Files.readString(tmp.resolve("child.log")));
        p.destroyForcibly().waitFor(); // SIGKILL
        long total = Checkpoint.load(ref.resolve("last.ckpt")).state().update();
        long at = Checkpoint.load(killed.resolve("last.ckpt")).state().update();
        assertTrue(at < total, "killed at update " + at + " of " + total);
        var resumed = run(concat(train, "--out", killed.toString(), "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        var a = Checkpoint.load(ref.resolve("last.ckpt")).model();
        var b = Checkpoint.load(killed.resolve("last.ckpt")).model();
        for (String k : a.keySet()) assertArrayEquals(a.get(k).floats(), b.get(k).floats(), k);
    }

    @Test
    void pretrainedWeightsLoadAtAnotherImageSizeAndClassCountAndMisfitsAreListed() throws Exception {
        Path first = tmp.resolve("first"), w = tmp.resolve("vit.safetensors");
        assertEquals(0, run(args(new String[]{"train", "--model", "vit_demo", "--epochs", "1", "--augment", "none", "--out", first.toString()})).code());
        assertEquals(0, run("export", "--checkpoint", first.resolve("last.ckpt").toString(), "--out", w.toString()).code());
        // 64 px → 48 px (grid 8 → 6: pos_embed resampled), 3 → 4 classes (head re-initialised), backbone frozen
        Path second = tmp.resolve("second");
        var r = run("train", "--model", "vit_demo", "--pretrained", w.toString(), "--img-size", "48", "--classes", "4",
                "--train-per-class", "4", "--val-per-class", "2", "--batch", "8", "--epochs", "1", "--augment", "none",
                "--freeze-backbone", "--out", second.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("classifier re-initialised for 4 classes"), r.out());
        var loaded = Checkpoint.load(second.resolve("last.ckpt"));
        assertArrayEquals(new int[]{1, 37, 64}, loaded.model().get("pos_embed").shape());
        var src = org.vitarena.core.io.Safetensors.read(w);
        assertArrayEquals(src.get("blocks.0.attn.qkv.weight").floats(), loaded.model().get("blocks.0.attn.qkv.weight").floats(),
                "a frozen pretrained backbone must come through unchanged");
        // ViT weights into a CaiT: one error listing every offending key
        var bad = run("train", "--model", "cait_demo", "--pretrained", w.toString(), "--epochs", "1", "--classes", "3",
                "--train-per-class", "4", "--val-per-class", "2", "--out", tmp.resolve("bad").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("missing keys (62)") && bad.err().contains("unexpected keys (2): fc_norm.weight, fc_norm.bias")
                && bad.err().contains("mis-shaped keys (1): pos_embed") && bad.err().contains("blocks_token_only"), bad.err());
    }

    @Test
    void paperPresetNamesThePapersFourModelsAndNeedsTheirWeights() throws Exception {
        Path out = tmp.resolve("paper");
        var r = run("--all", "--preset", "paper", "--pretrained-dir", tmp.resolve("weights").toString(), "--out", out.toString());
        assertEquals(1, r.code(), r.err());
        JsonNode res = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        List<String> models = new ArrayList<>();
        for (JsonNode m : res.get("models")) {
            models.add(m.get("model").asText());
            assertEquals("failed", m.get("status").asText());
            assertTrue(m.get("error").asText().contains("no such weights file"), m.toString());
        }
        assertEquals(List.of("vit_large_patch16_384", "cait_s36_384", "deit_base_distilled_patch16_384", "swin_large_patch4_window12_384"), models);
        JsonNode recipe = res.get("recipe");
        assertEquals(384, recipe.get("img_size").asInt());
        assertEquals(128, recipe.get("effective_batch").asInt());
        assertTrue(recipe.get("freeze_backbone").asBoolean());
        assertEquals("paper", recipe.get("augment").asText());
    }

    private static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(String[]::new);
    }

    private static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
