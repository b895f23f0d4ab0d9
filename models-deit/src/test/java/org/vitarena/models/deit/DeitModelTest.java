package org.vitarena.models.deit;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.TestImages;
import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.io.StateDict;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.spi.ModelInfo;
import org.vitarena.spi.ModelOptions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Published sizes, the two-head outputs, and loading a checkpoint at another image size and class count. */
class DeitModelTest {
    private final DeitProvider provider = new DeitProvider();

    @Test
    void baseDistilled384HasThePublishedSize() {
        ModelInfo info = ModelInfo.measure(() -> provider.create("deit_base_distilled_patch16_384", ModelOptions.of(1000)));
        System.out.printf("deit_base_distilled_patch16_384: %.2fM params, %.2f GMACs%n", info.params() / 1e6, info.gmacs());
        assertEquals(87.6e6, info.params(), 0.01 * 87.6e6);
        assertEquals(55.5, info.gmacs(), 0.01 * 55.5);
    }

    @Test
    void evaluationIsTheMeanOfTheTwoTrainingHeads() {
        var m = (VisionTransformerDistilled) provider.create("deit_demo", new ModelOptions(6, 32, 0f, 3L));
        Tensor x = TestImages.random(2, 32, 1);
        m.train(true);
        List<Tensor> both;
        try (var ignored = NoGrad.scope()) {
            both = m.forwardTrain(x);
        }
        assertEquals(2, both.size());
        m.train(false);
        float[] eval;
        try (var ignored = NoGrad.scope()) {
            eval = m.forward(x).toArray();
        }
        float[] a = both.get(0).toArray(), b = both.get(1).toArray();
        for (int i = 0; i < eval.length; i++) assertEquals((a[i] + b[i]) / 2, eval[i], 1e-6f);
        m.setDistilledTraining(false);
        m.train(true);
        assertEquals(1, m.forwardTrain(x).size());
    }

    @Test
    void checkpointLoadsAtAnotherImageSizeAndClassCount() {
        VisionModel src = provider.create("deit_demo", new ModelOptions(10, 32, 0f, 1L));
        Map<String, Safetensors.Entry> exported = StateDict.of(src);
        VisionModel dst = provider.create("deit_demo", new ModelOptions(5, 48, 0f, 2L));

        Map<String, Safetensors.Entry> filtered = new LinkedHashMap<>(dst.filterCheckpoint(exported));
        assertArrayEquals(new int[]{1, 2 + 36, 64}, filtered.get("pos_embed").shape());
        // prefix tokens' positions are kept as they are
        float[] before = exported.get("pos_embed").floats(), after = filtered.get("pos_embed").floats();
        for (int i = 0; i < 2 * 64; i++) assertEquals(before[i], after[i]);
        // the shared loader: filter, keep the fresh head for another class count, load the rest strictly
        org.vitarena.core.io.Pretrained.load(dst, exported, "exported deit_demo@32", msg -> {});
        assertArrayEquals(exported.get("blocks.0.attn.qkv.weight").floats(), dst.namedParameters().get("blocks.0.attn.qkv.weight").toArray());

        dst.train(false);
        float[] out;
        try (var ignored = NoGrad.scope()) {
            out = dst.forward(TestImages.random(2, 48, 5)).toArray();
        }
        assertEquals(2 * 5, out.length);
        for (float v : out) assertTrue(Float.isFinite(v));
    }
}
