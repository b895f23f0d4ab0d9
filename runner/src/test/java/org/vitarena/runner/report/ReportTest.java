package org.vitarena.runner.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ReportTest {
    static List<EpochPoint> history(double... acc1) {
        List<EpochPoint> h = new ArrayList<>();
        for (int i = 0; i < acc1.length; i++)
            h.add(new EpochPoint(i + 1, 2.0 - 0.3 * i, 1.9 - 0.25 * i, acc1[i], Math.min(100, acc1[i] * 2), 12.5 + i));
        return h;
    }

    static List<ModelResult> results() {
        return List.of(
                ModelResult.ok("vit_demo", "vit", 1_234_567, 0.0123, 512L << 20, 31.4, 250.5, 900.25, 42.5, 88.75,
                        history(20, 35.5, 42.5)),
                ModelResult.ok("deit_demo", "deit", 1_300_000, 0.0131, 600L << 20, 33.0, 240.0, 870.0, 45.0, 90.0,
                        history(22, 38, 45)),
                new ModelResult("vit_base_patch16_384", "vit", 86_000_000, 55.5, 3L << 30, 300, 10, 30, 60.0, 95.0,
                        "ok", null, history(50, 60)),
                ModelResult.failed("cait_demo", "cait", 1_500_000, 0.02,
                        "OutOfMemoryError: Java heap space, while allocating attention, \"big\"\n\tat somewhere", history(10)));
    }

    static Map<String, Object> recipe() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("epochs", 3);
        r.put("batch", 32);
        r.put("lr", 1e-3);
        r.put("optimizer", "adamw");
        r.put("freeze_backbone", true);
        return r;
    }

    @Test void tableHasAllColumnsAlignedAndTheFailure() {
        String t = Report.table(results());
        String[] lines = t.split("\n");
        assertEquals(2 + 4, lines.length, t);
        for (String col : List.of("model", "family", "params (M)", "GMACs", "peak mem (MiB)", "s/epoch",
                "train img/s", "eval img/s", "acc@1", "acc@5", "status"))
            assertTrue(lines[0].contains(col), col + " missing in\n" + t);
        assertTrue(lines[1].matches("-+"), t);
        // right-aligned numbers end at the same column: acc@5 column ends where its header ends
        int acc5End = lines[0].indexOf("acc@5") + "acc@5".length();
        assertEquals("88.75", lines[2].substring(acc5End - 5, acc5End), t);
        assertEquals("90.00", lines[3].substring(acc5End - 5, acc5End), t);
        assertTrue(lines[2].contains("1.23"), t);     // params in millions
        assertTrue(lines[2].contains("512.0"), t);    // MiB
        assertTrue(lines[2].contains("0.0123"), t);   // GMACs of a demo model stay readable
        String failed = lines[5];
        assertTrue(failed.startsWith("cait_demo"), t);
        assertTrue(failed.contains("failed: OutOfMemoryError: Java heap space"), t);
        assertFalse(failed.contains("somewhere"), "only the first line of the error: " + t);
        assertTrue(failed.length() < lines[0].length() + Report.SHORT_ERROR + 20, t);
        assertTrue(lines[2].endsWith("ok"), t);
    }

    @Test void writeThenReadBackIsEqual(@TempDir Path dir) throws Exception {
        DatasetInfo ds = new DatasetInfo("synthetic", 10, 2000, 500);
        List<ModelResult> rs = results();
        Report.write(dir, ds, recipe(), rs);
        for (String f : List.of("results.json", "results.md", "results.csv", "acc_per_epoch.png", "acc_vs_gmacs.png"))
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        try (var s = Files.list(dir)) {
            assertEquals(5, s.count(), "no temporary files left behind");
        }
        assertEquals(rs, Report.readJson(dir.resolve("results.json")));

        // writing again over the same folder replaces the files
        List<ModelResult> fewer = rs.subList(0, 2);
        Report.write(dir, ds, recipe(), fewer);
        assertEquals(fewer, Report.readJson(dir.resolve("results.json")));
    }

    @Test void jsonHasExactlyTheDocumentedShape(@TempDir Path dir) throws Exception {
        Report.write(dir, new DatasetInfo("synthetic", 10, 2000, 500), recipe(), results());
        JsonNode root = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertEquals(List.of("dataset", "recipe", "models"), names(root));
        assertEquals(List.of("name", "num_classes", "train_images", "val_images"), names(root.get("dataset")));
        assertEquals("synthetic", root.get("dataset").get("name").asText());
        assertEquals(10, root.get("dataset").get("num_classes").asInt());
        assertEquals(2000, root.get("dataset").get("train_images").asInt());
        assertEquals(500, root.get("dataset").get("val_images").asInt());
        assertEquals(3, root.get("recipe").get("epochs").asInt());
        assertEquals("adamw", root.get("recipe").get("optimizer").asText());
        assertEquals(4, root.get("models").size());
        List<String> modelKeys = List.of("model", "family", "params", "gmacs", "peak_memory_bytes", "epoch_seconds",
                "train_img_per_s", "eval_img_per_s", "acc1", "acc5", "status", "error", "history");
        for (JsonNode m : root.get("models")) {
            assertEquals(modelKeys, names(m));
            for (JsonNode e : m.get("history"))
                assertEquals(List.of("epoch", "train_loss", "eval_loss", "acc1", "acc5", "seconds"), names(e));
        }
        JsonNode ok = root.get("models").get(0);
        assertEquals("vit_demo", ok.get("model").asText());
        assertEquals(1_234_567, ok.get("params").asLong());
        assertEquals(42.5, ok.get("acc1").asDouble());   // percent
        assertTrue(ok.get("error").isNull());
        assertEquals("ok", ok.get("status").asText());
        JsonNode bad = root.get("models").get(3);
        assertEquals("failed", bad.get("status").asText());
        assertTrue(bad.get("error").asText().startsWith("OutOfMemoryError: Java heap space"));
        assertTrue(bad.get("acc1").isNull(), "an unmeasured accuracy is null, not NaN");
        assertEquals(1, bad.get("history").size());
    }

    @Test void markdownAndCsv(@TempDir Path dir) throws Exception {
        Report.write(dir, new DatasetInfo("synthetic", 10, 2000, 500), recipe(), results());
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains("synthetic"), md);
        assertTrue(md.contains("10 classes"), md);
        assertTrue(md.contains("`epochs` = 3"), md);
        assertTrue(md.contains("| model | family |"), md);
        assertTrue(md.contains("| cait_demo |"), md);
        assertTrue(md.contains("failed: OutOfMemoryError"), md);
        List<String> csv = Files.readAllLines(dir.resolve("results.csv"));
        // header + 4 records; the failed record's quoted error spans two physical lines
        assertEquals(6, csv.size(), String.join("\n", csv));
        assertEquals(String.join(",", Report.CSV_HEADER), csv.get(0));
        assertTrue(csv.get(1).startsWith("vit_demo,vit,1234567,0.0123,"), csv.get(1));
        // the failed row's error is one quoted field (it holds commas, quotes and a newline)
        String all = Files.readString(dir.resolve("results.csv"));
        assertTrue(all.contains(",failed,\"OutOfMemoryError: Java heap space, while allocating attention, \"\"big\"\"\n\tat somewhere\""), all);
    }

    @Test void plotsDecode(@TempDir Path dir) throws Exception {
        Report.write(dir, new DatasetInfo("synthetic", 10, 2000, 500), recipe(), results());
        for (String f : List.of("acc_per_epoch.png", "acc_vs_gmacs.png")) {
            BufferedImage img = ImageIO.read(dir.resolve(f).toFile());
            assertNotNull(img, f);
            assertTrue(img.getWidth() >= 600 && img.getHeight() >= 400, f + " " + img.getWidth() + "x" + img.getHeight());
            assertTrue(Files.size(dir.resolve(f)) > 10_000, f + " has " + Files.size(dir.resolve(f)) + " bytes");
            assertTrue(distinctColours(img) > 10, f + " looks blank");
        }
    }

    @Test void plotsOfNothingFinishedStillWrite(@TempDir Path dir) throws Exception {
        List<ModelResult> onlyFailed = List.of(ModelResult.failed("x", "vit", 0, Double.NaN, "could not build", null));
        Report.write(dir, new DatasetInfo("synthetic", 10, 20, 5), Map.of(), onlyFailed);
        assertNotNull(ImageIO.read(dir.resolve("acc_per_epoch.png").toFile()));
        assertNotNull(ImageIO.read(dir.resolve("acc_vs_gmacs.png").toFile()));
        List<ModelResult> back = Report.readJson(dir.resolve("results.json"));
        assertEquals(onlyFailed, back);
        assertEquals(List.of(), back.get(0).history());
        assertTrue(Report.table(back).contains("failed: could not build"));
    }

    @Test void narrowGmacsRangeUsesLinearAxis() throws Exception {
        List<ModelResult> rs = results().subList(0, 2);
        assertFalse(Report.accVsGmacsChart(rs).getStyler().isXAxisLogarithmic());
        assertTrue(Report.accVsGmacsChart(results()).getStyler().isXAxisLogarithmic());
        assertNotNull(ImageIO.read(new java.io.ByteArrayInputStream(Report.png(Report.accVsGmacsChart(rs)))));
    }

    @Test void readingAMissingOrBrokenFileSaysWhich(@TempDir Path dir) throws Exception {
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Report.readJson(dir.resolve("results.json")));
        Path broken = dir.resolve("results.json");
        Files.writeString(broken, "{\"models\": [");
        var e = assertThrows(java.io.IOException.class, () -> Report.readJson(broken));
        assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
    }

    static List<String> names(JsonNode o) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    static int distinctColours(BufferedImage img) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3)
            for (int x = 0; x < img.getWidth(); x += 3) seen.add(img.getRGB(x, y));
        return seen.size();
    }
}
