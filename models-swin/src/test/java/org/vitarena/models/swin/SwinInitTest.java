package org.vitarena.models.swin;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import org.vitarena.verify.InitReference;

/**
 * A freshly built swin_demo is initialised as timm initialises the same SwinTransformer: per tensor, mean and std
 * within sampling error of timm's over 8 seeds, constant tensors exactly equal
 * ({@code reference/init/swin_demo.json}, made by {@code verify/generator/init_stats.py}; tolerances in
 * {@link InitReference}).
 */
class SwinInitTest {
    @Test
    void everyTensorIsInitialisedAsTimmDoes() throws Exception {
        InitReference.assertMatches(new SwinProvider(), "swin_demo", Golden.repository().resolve("init/swin_demo.json"));
    }
}
