package org.vitarena.models.deit;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import org.vitarena.verify.InitReference;

/**
 * A freshly built deit_demo is initialised as timm initialises the same VisionTransformerDistilled: per tensor, mean and std
 * within sampling error of timm's over 8 seeds, constant tensors exactly equal
 * ({@code reference/init/deit_demo.json}, made by {@code verify/generator/init_stats.py}; tolerances in
 * {@link InitReference}).
 */
class DeitInitTest {
    @Test
    void everyTensorIsInitialisedAsTimmDoes() throws Exception {
        InitReference.assertMatches(new DeitProvider(), "deit_demo", Golden.repository().resolve("init/deit_demo.json"));
    }
}
