package org.vitarena.models.swin;

import org.junit.jupiter.api.Test;
import org.vitarena.spi.ModelInfo;
import org.vitarena.spi.ModelOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Parameters and MACs against the published figures (Swin paper, Table 1 / timm's model card). */
class SwinSizesTest {
    private final SwinProvider provider = new SwinProvider();

    private ModelInfo measure(String variant) {
        ModelInfo info = ModelInfo.measure(() -> provider.create(variant, ModelOptions.of(1000)));
        System.out.printf("%s: %.2fM params, %.2f GMACs%n", variant, info.params() / 1e6, info.gmacs());
        return info;
    }

    @Test
    void swinLarge384MatchesThePublishedSize() {
        ModelInfo info = measure("swin_large_patch4_window12_384");
        assertEquals(196.7, info.params() / 1e6, 196.7 * 0.01);
        assertEquals(103.9, info.gmacs(), 103.9 * 0.01);
    }

    @Test
    void swinTiny224MatchesThePublishedSize() {
        ModelInfo info = measure("swin_tiny_patch4_window7_224");
        assertEquals(28.3, info.params() / 1e6, 28.3 * 0.01);
        assertEquals(4.5, info.gmacs(), 4.5 * 0.02); // published rounded to 0.1 G
    }
}
