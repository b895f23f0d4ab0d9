package org.vitarena.models.cait;

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
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Published sizes and loading a checkpoint at another image size and class count. */
class CaitModelTest {
    private final CaitProvider provider = new CaitProvider();

    @Test
    void s36At384HasThePublishedSize() {
        ModelInfo info = ModelInfo.measure(() -> provider.create("cait_s36_384", ModelOptions.of(1000)));
        System.out.printf("cait_s36_384: %.2fM params, %.2f GMACs%n", info.params() / 1e6, info.gmacs());
        assertEquals(68.4e6, info.params(), 0.01 * 68.4e6);
        assertEquals(48.0, info.gmacs(), 0.01 * 48.0);
    }

    @Test
    void checkpointLoadsAtAnotherImageSizeAndClassCount() {
        VisionModel src = provider.create("cait_demo", new ModelOptions(10, 32, 0f, 1L));
        Map<String, Safetensors.Entry> exported = StateDict.of(src);
        VisionModel dst = provider.create("cait_demo", new ModelOptions(5, 48, 0f, 2L));

        Map<String, Safetensors.Entry> filtered = new LinkedHashMap<>(dst.filterCheckpoint(exported));
        // no class position: the 4x4 grid becomes 6x6
        assertArrayEquals(new int[]{1, 36, 64}, filtered.get("pos_embed").shape());
        // the shared loader: filter, keep the fresh head for another class count, load the rest strictly
        org.vitarena.core.io.Pretrained.load(dst, exported, "exported cait_demo@32", msg -> {});
        assertArrayEquals(exported.get("blocks.0.attn.proj_l.weight").floats(), dst.namedParameters().get("blocks.0.attn.proj_l.weight").toArray());

        dst.train(false);
        float[] out;
        try (var ignored = NoGrad.scope()) {
            out = dst.forward(TestImages.random(2, 48, 5)).toArray();
        }
        assertEquals(2 * 5, out.length);
        for (float v : out) assertTrue(Float.isFinite(v));
    }

    @Test
    void filterStripsTheDistributedPrefixAndKeepsASameSizeCheckpoint() {
        VisionModel m = provider.create("cait_demo", new ModelOptions(3, 32, 0f, 1L));
        Map<String, Safetensors.Entry> state = new LinkedHashMap<>();
        StateDict.of(m).forEach((k, v) -> state.put("module." + k, v));
        Map<String, Safetensors.Entry> filtered = m.filterCheckpoint(state);
        assertEquals(m.namedParameters().keySet(), filtered.keySet());
        StateDict.load(m, filtered, true, "module-prefixed");
    }
}
