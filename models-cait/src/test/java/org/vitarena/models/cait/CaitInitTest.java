package org.vitarena.models.cait;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import org.vitarena.verify.InitReference;

/**
 * A freshly built cait_demo is initialised as timm initialises the same Cait: per tensor, mean and std
 * within sampling error of timm's over 8 seeds, constant tensors exactly equal
 * ({@code reference/init/cait_demo.json}, made by {@code verify/generator/init_stats.py}; tolerances in
 * {@link InitReference}).
 */
class CaitInitTest {
    @Test
    void everyTensorIsInitialisedAsTimmDoes() throws Exception {
        InitReference.assertMatches(new CaitProvider(), "cait_demo", Golden.repository().resolve("init/cait_demo.json"));
    }
}
