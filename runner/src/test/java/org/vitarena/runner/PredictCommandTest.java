package org.vitarena.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.data.AugmentConfig;
import org.vitarena.data.DataLoader;
import org.vitarena.data.Dataset;
import org.vitarena.data.Images;
import org.vitarena.data.TinyImageNet;
import org.vitarena.engine.Checkpoint;
import org.vitarena.engine.Evaluator;
import org.vitarena.engine.ModelRegistry;
import org.vitarena.engine.Models;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.vitarena.runner.RunnerCommandsTest.run;

/** {@code runner predict} on a tiny trained checkpoint: the evaluation's predictions, bad images, the output formats. */
class PredictCommandTest {
    @TempDir static Path tmp;
    static Path data, ckpt;

    @BeforeAll
    static void train() throws Exception {
        data = tmp.resolve("tiny");
        assertEquals(0, run("make-synthetic", "--out", data.toString(), "--classes", "3", "--train-per-class", "8", "--val-per-class", "5").code());
        // validation images of another size than the cache's (64) and the model's: both resizes are exercised
        try (Stream<Path> s = Files.list(data.resolve("val/images"))) {
            for (Path f : s.toList()) {
                byte[] rgb = Images.decodeRgb(f, 64);
                Images.writeJpeg(Images.resizeRgb(rgb, 64, 64, 80, 96), 80, 96, f, 0.95f);
            }
        }
        Path out = tmp.resolve("run");
        var t = run("train", "--model", "vit_demo", "--data", data.toString(), "--epochs", "2", "--batch", "8", "--augment", "light",
                "--out", out.toString());
        assertEquals(0, t.code(), t.err());
        ckpt = out.resolve("last.ckpt");
    }

    /** File name to the top-1 probability of the cached validation image, through the same forward as predict. */
    private static Map<String, Double> cachedTop1Probability() throws java.io.IOException {
        Checkpoint.Loaded c = Checkpoint.load(ckpt);
        var model = Models.fromCheckpoint(ModelRegistry.fromClasspath(), c);
        Dataset val = c.state().config().data().open(false, null).val();
        var top = PredictCommand.predict(model, val, 1, 64);
        var entries = TinyImageNet.list(data, TinyImageNet.Split.VAL, val.labelMap());
        Map<String, Double> p = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) p.put(entries.get(i).file().getFileName().toString(), top.get(i).getFirst().probability());
        return p;
    }

    /** File name to the evaluation's top-1 class, through the engine's Evaluator on the checkpoint's own validation split. */
    private static Map<String, Integer> evaluationTop1() throws java.io.IOException {
        Checkpoint.Loaded c = Checkpoint.load(ckpt);
        var model = Models.fromCheckpoint(ModelRegistry.fromClasspath(), c);
        Dataset val = c.state().config().data().open(false, null).val();
        Evaluator.Result r;
        try (DataLoader loader = DataLoader.builder(val).setBatchSize(64).optAugment(AugmentConfig.eval(model.imgSize()))
                .optShuffle(false).optSeed(0).optThreads(2).build()) {
            r = Evaluator.evaluate(model, loader, val.size());
        }
        var entries = TinyImageNet.list(data, TinyImageNet.Split.VAL, val.labelMap());
        assertEquals(entries.size(), r.sample().n());
        Map<String, Integer> top1 = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) top1.put(entries.get(i).file().getFileName().toString(), r.sample().predicted()[i]);
        return top1;
    }

    @Test
    void topOneOfEachValidationImageIsTheEvaluationsPrediction() throws Exception {
        var p = run("predict", "--checkpoint", ckpt.toString(), "--images", data.resolve("val").toString(), "--json", "--topk", "3", "--batch", "4");
        assertEquals(0, p.code(), p.err());
        JsonNode arr = new ObjectMapper().readTree(p.out());
        Map<String, Integer> expected = evaluationTop1();
        Map<String, Double> cached = cachedTop1Probability();
        assertEquals(15, arr.size());
        for (JsonNode img : arr) {
            String file = Path.of(img.get("file").asText()).getFileName().toString();
            JsonNode preds = img.get("predictions");
            assertEquals(3, preds.size());
            JsonNode first = preds.get(0);
            assertEquals(expected.get(file), first.get("class_index").asInt(), file);
            // decoded from the file as the cache decodes it: the same pixels, so the same probability
            assertEquals(cached.get(file), first.get("probability").asDouble(), 1e-6, file);
            double sum = 0, prev = 1;
            for (JsonNode q : preds) {
                double pr = q.get("probability").asDouble();
                assertTrue(pr <= prev + 1e-12, "sorted by probability: " + preds);
                prev = pr;
                sum += pr;
                assertTrue(q.get("class_id").asText().startsWith("s"), q.toString()); // the synthetic set's ids
                assertFalse(q.get("class_name").asText().isEmpty());
            }
            assertEquals(1.0, sum, 1e-5, "three classes: the top 3 hold all the probability");
        }
    }

    @Test
    void evaluatingAnImageFolderNeedsOnlyItsValidationFolder() throws Exception {
        // the checkpoint's validation images as an ImageFolder with val/CLASS/ only: no train/ beside it
        Path folder = tmp.resolve("val-only");
        Dataset val = Checkpoint.load(ckpt).state().config().data().open(false, null).val();
        for (TinyImageNet.Entry e : TinyImageNet.list(data, TinyImageNet.Split.VAL, val.labelMap())) {
            Path to = folder.resolve("val").resolve(val.labelMap().ids().get(e.label())).resolve(e.file().getFileName());
            Files.createDirectories(to.getParent());
            Files.copy(e.file(), to);
        }
        var own = run("eval", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--json");
        var folderOnly = run("eval", "--checkpoint", ckpt.toString(), "--data", folder.toString(), "--json");
        assertEquals(0, own.code(), own.err());
        assertEquals(0, folderOnly.code(), folderOnly.err());
        JsonNode a = new ObjectMapper().readTree(own.out()), b = new ObjectMapper().readTree(folderOnly.out());
        assertEquals(15, b.get("images").asInt());
        assertEquals(a.get("acc1").asDouble(), b.get("acc1").asDouble(), 1e-9);
        assertEquals(a.get("loss").asDouble(), b.get("loss").asDouble(), 1e-5);

        Files.createDirectories(folder.resolve("val/yak"));
        Files.copy(data.resolve("val/images/val_0.JPEG"), folder.resolve("val/yak/y.jpg"));
        var stranger = run("eval", "--checkpoint", ckpt.toString(), "--data", folder.toString());
        assertEquals(2, stranger.code(), stranger.out());
        assertTrue(stranger.err().contains(folder.resolve("val/yak") + ": class 'yak' is not one of the 3 classes of " + ckpt), stranger.err());
    }

    @Test
    void aCorruptImageIsNamedAndSkippedAndTheOthersArePredicted() throws Exception {
        Path dir = tmp.resolve("mixed");
        Files.createDirectories(dir.resolve("sub"));
        Path good = data.resolve("val/images/val_0.JPEG");
        Files.copy(good, dir.resolve("a.jpg"));
        Files.copy(good, dir.resolve("sub/b.PNG")); // a JPEG under a .PNG name decodes too (ImageIO reads the content)
        Files.writeString(dir.resolve("broken.jpg"), "not an image");
        Files.writeString(dir.resolve("notes.txt"), "ignored: not an image name");
        var p = run("predict", "--checkpoint", ckpt.toString(), "--images", dir.toString(), "--topk", "2");
        assertEquals(0, p.code(), p.err());
        assertTrue(p.err().contains(dir.resolve("broken.jpg").toString()) && p.err().contains("skipped"), p.err());
        assertTrue(p.err().contains("1 of 3 images could not be read"), p.err());
        assertTrue(p.out().contains(dir.resolve("a.jpg").toString()) && p.out().contains(dir.resolve("sub/b.PNG").toString()), p.out());
        assertFalse(p.out().contains("broken.jpg") || p.out().contains("notes.txt"), p.out());
        assertTrue(p.out().contains("  1. ") && p.out().contains("  2. ") && !p.out().contains("  3. "), p.out());

        var positional = run("predict", "--checkpoint", ckpt.toString(), dir.resolve("sub").toString(), "--csv", "--topk", "1");
        assertEquals(0, positional.code(), positional.err());
        assertEquals(2, positional.out().lines().count(), "a folder given as FILE is walked: " + positional.out());
        var empty = run("predict", "--checkpoint", ckpt.toString(), "--images", tmp.resolve("run").toString());
        assertEquals(2, empty.code());
        assertTrue(empty.err().contains("no .jpg, .jpeg or .png files in " + tmp.resolve("run")), empty.err());

        var none = run("predict", "--checkpoint", ckpt.toString(), dir.resolve("broken.jpg").toString(), dir.resolve("missing.png").toString());
        assertEquals(2, none.code(), none.out());
        assertTrue(none.err().contains("missing.png") && none.err().contains("no image could be read"), none.err());
    }

    @Test
    void csvHasAHeaderAndARowPerClassOfEachImage() throws Exception {
        Path a = data.resolve("val/images/val_1.JPEG"), b = data.resolve("val/images/val_2.JPEG");
        var p = run("predict", "--checkpoint", ckpt.toString(), a.toString(), b.toString(), "--csv", "--topk", "9");
        assertEquals(0, p.code(), p.err());
        List<String> lines = p.out().lines().toList();
        assertEquals("file,rank,class_index,class_id,class_name,probability", lines.get(0));
        assertEquals(1 + 2 * 3, lines.size(), "--topk above the class count lists every class: " + p.out());
        String[] row = lines.get(1).split(",");
        assertEquals(a.toString(), row[0]);
        assertEquals("1", row[1]);
        assertTrue(Double.parseDouble(row[5]) > 0 && Double.parseDouble(row[5]) <= 1, lines.get(1));

        var json = run("predict", "--checkpoint", ckpt.toString(), a.toString(), "--json");
        assertEquals(a.toString(), new ObjectMapper().readTree(json.out()).get(0).get("file").asText());
        assertEquals(0, new ObjectMapper().readTree(json.out()).get(0).get("predictions").get(0).get("class_index").asInt()
                - Integer.parseInt(row[2]), "the same image gets the same top class in every format");
        var both = run("predict", "--checkpoint", ckpt.toString(), a.toString(), "--json", "--csv");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--json and --csv exclude each other"), both.err());
    }
}
