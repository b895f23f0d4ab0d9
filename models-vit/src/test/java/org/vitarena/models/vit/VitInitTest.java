package org.vitarena.models.vit;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import org.vitarena.verify.InitReference;

/**
 * A freshly built vit_demo is initialised as timm initialises the same VisionTransformer: per tensor, mean and std
 * within sampling error of timm's over 8 seeds, constant tensors exactly equal
 * ({@code reference/init/vit_demo.json}, made by {@code verify/generator/init_stats.py}; tolerances in
 * {@link InitReference}).
 */
class VitInitTest {
    @Test
    void everyTensorIsInitialisedAsTimmDoes() throws Exception {
        InitReference.assertMatches(new VitProvider(), "vit_demo", Golden.repository().resolve("init/vit_demo.json"));
    }
}
