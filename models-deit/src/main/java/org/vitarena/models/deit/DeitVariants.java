package org.vitarena.models.deit;

import org.vitarena.models.vit.VitConfig;
import org.vitarena.spi.VariantTable;

/**
 * The distilled DeiT variants as data: timm's names mapped to their sizes (1000 classes as
 * published; the runner overrides the class count). timm publishes the tiny and small distilled
 * models at 224 px only; the 384 px ones here are this project's. {@code deit_tiny_distilled_patch8_64}
 * is the paper-scale CPU benchmark model at Tiny ImageNet's 64 px; {@code deit_demo} trains in seconds.
 */
public final class DeitVariants {
    private DeitVariants() {}

    public static final VariantTable<VitConfig> TABLE = table();

    private static VariantTable<VitConfig> table() {
        var b = VariantTable.<VitConfig>builder("deit");
        for (int size : new int[]{224, 384}) {
            String tiny = "deit_tiny_distilled_patch16_" + size, small = "deit_small_distilled_patch16_" + size;
            if (size == 224) {
                b.addTimm(tiny, VitConfig.of(size, 16, 192, 12, 3, 1000));
                b.addTimm(small, VitConfig.of(size, 16, 384, 12, 6, 1000));
            } else {
                b.add(tiny, VitConfig.of(size, 16, 192, 12, 3, 1000));
                b.add(small, VitConfig.of(size, 16, 384, 12, 6, 1000));
            }
            b.addTimm("deit_base_distilled_patch16_" + size, VitConfig.of(size, 16, 768, 12, 12, 1000));
        }
        b.add("deit_tiny_distilled_patch8_64", VitConfig.of(64, 8, 192, 12, 3, 1000));
        b.add("deit_demo", VitConfig.of(64, 8, 64, 4, 4, 1000));
        return b.build();
    }
}
