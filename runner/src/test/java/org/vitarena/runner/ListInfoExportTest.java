package org.vitarena.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.vitarena.runner.RunnerCommandsTest.run;

/** What `list`, `info` and `export` tell the user: descriptions, the class count and size used, the timm call. */
class ListInfoExportTest {
    @TempDir Path tmp;

    private static final String VIT_DEMO = "ViT D64 depth 4 heads 4 patch 8 @64px";

    @Test void listShowsEachProvidersDescriptionInTheTableAndInJson() throws Exception {
        var text = run("list");
        assertEquals(0, text.code(), text.err());
        String header = text.out().lines().findFirst().orElseThrow();
        assertTrue(header.matches("MODEL\\s+FAMILY\\s+DESCRIPTION\\s+SOURCE\\s*"), header);
        String row = text.out().lines().filter(l -> l.startsWith("vit_demo ")).findFirst().orElseThrow();
        assertTrue(row.matches("vit_demo\\s+vit\\s+" + java.util.regex.Pattern.quote(VIT_DEMO) + "\\s+classpath"), row);
        // columns line up: every row's description starts where the header's does
        int col = header.indexOf("DESCRIPTION");
        assertEquals(VIT_DEMO, row.substring(col, col + VIT_DEMO.length()));

        var json = run("list", "--json");
        assertEquals(0, json.code(), json.err());
        boolean found = false;
        for (JsonNode n : new ObjectMapper().readTree(json.out())) {
            assertTrue(n.has("description"), n.toString());
            if (n.get("model").asText().equals("vit_demo")) {
                found = true;
                assertEquals(VIT_DEMO, n.get("description").asText());
            }
            if (n.get("model").asText().equals("swin_demo")) assertTrue(n.get("description").asText().startsWith("Swin C32"), n.toString());
        }
        assertTrue(found, json.out());
    }

    @Test void infoSaysTheClassCountAndImageSizeItUsed() {
        var r = run("info", "vit_demo");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("vit_demo (200 classes, 64 px): ") && r.out().contains("M params, ") && r.out().contains(" GMACs"), r.out());
        var sized = run("info", "vit_demo", "--num-classes", "10", "--img-size", "32");
        assertTrue(sized.out().startsWith("vit_demo (10 classes, 32 px): "), sized.out());
        var help = run("info", "--help");
        assertTrue(help.out().replaceAll("\\s+", " ").contains("Default: 200 (Tiny ImageNet"), help.out());
    }

    @Test void exportNamesCreateModelWhereTimmHasTheNameAndTheClassWithKwargsOtherwise() {
        var reg = new CommonOptions().registry(new PrintWriter(Writer.nullWriter()));
        assertEquals("timm.create_model('vit_base_patch16_224', num_classes=10)", ExportCommand.timmCall(reg, "vit_base_patch16_224", 10, 0));
        assertEquals("timm.create_model('vit_base_patch16_224', num_classes=10)", ExportCommand.timmCall(reg, "vit_base_patch16_224", 10, 224));
        assertEquals("timm.create_model('vit_base_patch16_224', num_classes=10, img_size=384)", ExportCommand.timmCall(reg, "vit_base_patch16_224", 10, 384));
        assertEquals("timm.models.vision_transformer.VisionTransformer(img_size=64, patch_size=8, embed_dim=64, depth=4, num_heads=4, "
                + "num_classes=10, global_pool='avg')", ExportCommand.timmCall(reg, "vit_demo", 10, 64));
        assertEquals("timm.create_model('swin_tiny_patch4_window7_224', num_classes=200)", ExportCommand.timmCall(reg, "swin_tiny_patch4_window7_224", 200, 0));
        assertEquals("timm.models.swin_transformer.SwinTransformer(img_size=64, patch_size=4, window_size=8, embed_dim=32, depths=[2, 2], "
                + "num_heads=[2, 4], num_classes=3, drop_path_rate=0.0)", ExportCommand.timmCall(reg, "swin_demo", 3, 0));
        assertTrue(ExportCommand.timmCall(reg, "cait_demo", 3, 0).startsWith("timm.models.cait.Cait(img_size=64, patch_size=8, embed_dim=64, depth=4, num_heads=4, num_classes=3, init_values=0.1"));
        // timm publishes the distilled tiny DeiT at 224 px only
        assertTrue(ExportCommand.timmCall(reg, "deit_tiny_distilled_patch16_384", 3, 0).startsWith("timm.models.deit.VisionTransformerDistilled(img_size=384,"));
        assertEquals("timm.create_model('deit_tiny_distilled_patch16_224', num_classes=3)", ExportCommand.timmCall(reg, "deit_tiny_distilled_patch16_224", 3, 0));
        assertTrue(ExportCommand.timmCall(reg, "gone_demo", 3, 0).startsWith("timm.create_model('gone_demo', num_classes=3) (if timm has"));
    }

    @Test void exportPrintsTheTimmClassForADemoCheckpoint() {
        Path out = tmp.resolve("run"), w = tmp.resolve("w.safetensors");
        var t = run("train", "--model", "vit_demo", "--classes", "3", "--train-per-class", "4", "--val-per-class", "2", "--batch", "4",
                "--epochs", "1", "--augment", "none", "--out", out.toString());
        assertEquals(0, t.code(), t.err());
        var x = run("export", "--checkpoint", out.resolve("last.ckpt").toString(), "--out", w.toString());
        assertEquals(0, x.code(), x.err());
        assertTrue(x.out().contains("load with timm.models.vision_transformer.VisionTransformer(img_size=64, patch_size=8, embed_dim=64, "
                + "depth=4, num_heads=4, num_classes=3, global_pool='avg') and load_state_dict"), x.out());
        assertFalse(x.out().contains("create_model('vit_demo'"), x.out());
    }
}
