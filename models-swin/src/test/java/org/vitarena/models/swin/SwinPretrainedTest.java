package org.vitarena.models.swin;

import org.junit.jupiter.api.Test;
import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.io.StateDict;
import org.vitarena.spi.ModelOptions;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Weights exported from one Swin load into another window size through the checkpoint filter. */
class SwinPretrainedTest {
    private static SwinTransformer demo(int window, int classes, long seed) {
        // 32 px, patch 2: grids 16 and 8, so windows 4 and 8 both fit every stage
        SwinConfig c = SwinConfig.of(32, 2, 4, 32, new int[]{2, 2}, new int[]{2, 4}, classes).withWindowSize(window);
        return new SwinTransformer(c, seed);
    }

    private static float[] forward(SwinTransformer m) {
        SplittableRandom rng = new SplittableRandom(3);
        int s = m.imgSize();
        float[] x = new float[2 * 3 * s * s];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextDouble(-2, 2);
        m.train(false);
        try (var ignored = NoGrad.scope()) {
            return m.forward(Tensor.of(x, 2, 3, s, s)).toArray();
        }
    }

    @Test
    void weightsAtWindow4LoadIntoWindow8WithResizedBiasTables() {
        SwinTransformer src = demo(4, 10, 1);
        Map<String, Safetensors.Entry> state = StateDict.of(src);
        SwinTransformer dst = demo(8, 10, 2);
        assertThrows(StateDict.LoadException.class, () -> StateDict.load(dst, state, true, "window 4"));
        Map<String, Safetensors.Entry> filtered = dst.filterCheckpoint(state);
        StateDict.load(dst, filtered, true, "window 4, filtered");
        assertArrayEquals(new int[]{225, 2}, filtered.get("layers.0.blocks.0.attn.relative_position_bias_table").shape());
        assertArrayEquals(new int[]{225, 4}, filtered.get("layers.1.blocks.1.attn.relative_position_bias_table").shape());
        // everything but the tables loads unchanged
        for (var e : dst.namedParameters().entrySet()) {
            if (!e.getKey().endsWith("relative_position_bias_table")) assertArrayEquals(state.get(e.getKey()).floats(), e.getValue().toArray(), e.getKey());
        }
        float[] out = forward(dst);
        assertEquals(20, out.length);
        for (float v : out) assertTrue(Float.isFinite(v), "non-finite logit");
    }

    @Test
    void sameWindowRoundTripIsIdenticalAndBuffersAreDropped() {
        SwinTransformer src = demo(4, 10, 1);
        Map<String, Safetensors.Entry> state = new LinkedHashMap<>(StateDict.of(src));
        state.put("layers.0.blocks.0.attn.relative_position_index", Safetensors.Entry.ofLongs(new int[]{16, 16}, new long[256]));
        state.put("layers.0.blocks.1.attn_mask", Safetensors.Entry.ofFloats(new int[]{16, 16, 16}, new float[4096]));
        SwinTransformer dst = demo(4, 10, 2);
        StateDict.load(dst, dst.filterCheckpoint(state), true, "round trip");
        for (var e : dst.namedParameters().entrySet()) assertArrayEquals(state.get(e.getKey()).floats(), e.getValue().toArray(), e.getKey());
        assertArrayEquals(forward(src), forward(dst));
    }

    @Test
    void originalMicrosoftLayoutIsRenamed() {
        SwinTransformer src = demo(4, 10, 1);
        Map<String, Safetensors.Entry> old = new LinkedHashMap<>();
        StateDict.of(src).forEach((k, v) -> {
            String key = k.replace("layers.1.downsample", "layers.0.downsample").replace("head.fc.", "head.");
            old.put(key, v);
        });
        SwinTransformer dst = demo(4, 10, 2);
        StateDict.load(dst, dst.filterCheckpoint(old), true, "old layout");
        assertArrayEquals(forward(src), forward(dst));
    }

    @Test
    void aTableWithOtherHeadsIsRefusedNamingTheShapeThatWouldLoad() {
        Map<String, Safetensors.Entry> state = new LinkedHashMap<>(StateDict.of(demo(4, 10, 1)));
        state.put("layers.0.blocks.0.attn.relative_position_bias_table", Safetensors.Entry.ofFloats(new int[]{49, 3}, new float[147]));
        SwinTransformer dst = demo(4, 10, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> dst.filterCheckpoint(state));
        assertTrue(e.getMessage().contains("layers.0.blocks.0.attn.relative_position_bias_table") && e.getMessage().contains("[49, 2]"), e.getMessage());
    }

    @Test
    void theVariantsLoadAtAnotherClassCountAfterAHeadReset() {
        SwinTransformer src = (SwinTransformer) new SwinProvider().create("swin_demo", ModelOptions.of(1000));
        Map<String, Safetensors.Entry> state = new LinkedHashMap<>(StateDict.of(src));
        SwinTransformer dst = (SwinTransformer) new SwinProvider().create("swin_demo", ModelOptions.of(200).withSeed(5));
        state.keySet().removeIf(k -> dst.headPrefixes().stream().anyMatch(k::startsWith));
        var report = StateDict.load(dst, dst.filterCheckpoint(state), false, "no head");
        assertFalse(report.missing.isEmpty());
        assertTrue(report.missing.stream().allMatch(k -> k.startsWith("head.")), report.getMessage());
        assertEquals(400, forward(dst).length);
    }
}
