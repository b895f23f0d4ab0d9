package org.vitarena.spi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.nn.DropPath;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Shapes;
import org.vitarena.core.ops.Stochastic;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TimmVerifier}'s recovery of a reference's stochastic depth, on a toy model whose K drop-path
 * sites each multiply a sample by a distinct factor, with references written by the model itself
 * under a known keep/drop pattern.
 */
class TimmVerifierReplayTest {
    static final String CLASS = "toy.DropPathToy";

    /** images [B, 3, 1, 1] → x = images ⊙ w; then per site s: x = x + drop_path((s+1)/10 · x). */
    static final class Toy extends VisionModel {
        private final DropPath[] sites;

        Toy(int k) {
            param("w", Tensor.parameter(new float[]{0.7f, -1.3f, 0.4f}, 3));
            sites = new DropPath[k];
            for (int s = 0; s < k; s++) sites[s] = new DropPath(0.5f);
        }

        @Override public Tensor forwardFeatures(Tensor images) {
            Tensor x = Arith.mul(Shapes.reshape(images, images.dim(0), 3), namedParameters().get("w"));
            for (int s = 0; s < sites.length; s++) x = Arith.add(x, sites[s].apply(Arith.scale(x, (s + 1) / 10f), training()));
            return x;
        }

        @Override public Tensor forwardHead(Tensor features) { return features; }
        @Override public int numClasses() { return 3; }
        @Override public int imgSize() { return 1; }
        @Override public List<String> headPrefixes() { return List.of(); }
        @Override public void resetHead(int classes, SplittableRandom rng) {}
    }

    static final class ToyProvider implements ModelProvider {
        @Override public int spiVersion() { return SPI_VERSION; }
        @Override public String family() { return "toy"; }
        @Override public List<String> variants() { return List.of(); }
        @Override public VisionModel create(String variant, ModelOptions options) { throw new IllegalArgumentException(variant); }
        @Override public java.util.Set<String> timmClasses() { return java.util.Set.of(CLASS); }
        @Override public VisionModel createFromTimm(String timmClass, Map<String, Object> kwargs, long seed) {
            return new Toy(((Number) kwargs.get("sites")).intValue());
        }
    }

    /** Writes a reference case whose training pass kept sample i at site s iff keep[s][i] (null: no drop-path). */
    private static void writeCase(Path dir, String name, int k, boolean[][] keep) throws Exception {
        Files.writeString(dir.resolve(name + ".json"), "{\"class\": \"" + CLASS + "\", \"kwargs\": {\"sites\": " + k + "}}");
        Toy m = new Toy(k);
        Map<String, Safetensors.Entry> w = new LinkedHashMap<>();
        w.put("w", Safetensors.Entry.ofFloats(new int[]{3}, m.namedParameters().get("w").toArray()));
        Safetensors.write(dir.resolve(name + ".weights.safetensors"), w, Map.of());
        Tensor input = Tensor.of(new float[]{1f, 0.5f, -2f, -0.3f, 1.5f, 0.8f}, 2, 3, 1, 1);
        int[] target = {2, 0};
        Map<String, Safetensors.Entry> io = new LinkedHashMap<>();
        io.put("input", Safetensors.Entry.ofFloats(input.shape(), input.toArray()));
        io.put("target", Safetensors.Entry.ofLongs(new int[]{2}, new long[]{2, 0}));
        m.train(false);
        try (var ignored = NoGrad.scope()) {
            io.put("eval_logits", Safetensors.Entry.ofFloats(new int[]{2, 3}, m.forward(input).toArray()));
        }
        m.train(true);
        Tensor logits;
        try (var ignored = keep == null ? Stochastic.DropPathReplay.counting() : Stochastic.DropPathReplay.replaying(keep)) {
            logits = m.forward(input);
        }
        io.put("train_logits", Safetensors.Entry.ofFloats(new int[]{2, 3}, logits.toArray()));
        Tensor loss = TimmVerifier.loss(List.of(logits), target, target, 0f);
        io.put("loss", Safetensors.Entry.ofFloats(new int[]{1}, new float[]{loss.item()}));
        loss.backward();
        io.put("grad.w", Safetensors.Entry.ofFloats(new int[]{3}, m.namedParameters().get("w").grad().toArray()));
        Safetensors.write(dir.resolve(name + ".io.safetensors"), io, Map.of());
    }

    private static TimmVerifier.Result verify(Path dir, String name) {
        TimmVerifier.Result r = new TimmVerifier(List.of(new ToyProvider())).verifyCase(dir, name);
        System.out.println(r.line());
        return r;
    }

    @Test
    void recoversAndReplaysEachSamplesPattern(@TempDir Path dir) throws Exception {
        writeCase(dir, "toy", 3, new boolean[][]{{true, true}, {true, false}, {false, false}});
        TimmVerifier.Result r = verify(dir, "toy");
        assertEquals(TimmVerifier.Status.PASS, r.status(), r.line());
        assertTrue(r.detail().contains("sample 0 dropped site 2 "), r.line());
        assertTrue(r.detail().contains("sample 1 dropped sites 1,2 "), r.line());
    }

    @Test
    void aReferenceWithoutDropPathIsComparedWithoutReplay(@TempDir Path dir) throws Exception {
        writeCase(dir, "toy", 3, null);
        TimmVerifier.Result r = verify(dir, "toy");
        assertEquals(TimmVerifier.Status.PASS, r.status(), r.line());
        assertFalse(r.detail().contains("replayed"), r.line());
    }

    @Test
    void moreThanTwelveSitesFailWithAClearDetail(@TempDir Path dir) throws Exception {
        boolean[][] keep = new boolean[13][2];
        keep[4][1] = true;
        writeCase(dir, "toy", 13, keep);
        TimmVerifier.Result r = verify(dir, "toy");
        assertEquals(TimmVerifier.Status.FAIL, r.status(), r.line());
        assertTrue(r.detail().contains("13 drop-path sites"), r.line());
    }
}
