package org.vitarena.models.vit;

import org.vitarena.spi.VariantTable;

/**
 * The ViT variants as data: timm's names mapped to their sizes (1000 classes as published; the
 * runner overrides the class count). {@code vit_tiny_patch8_64} is the paper-scale CPU benchmark
 * model at Tiny ImageNet's native 64 px; {@code vit_demo} is small enough to train in seconds.
 */
public final class VitVariants {
    private VitVariants() {}

    public static final VariantTable<VitConfig> TABLE = table();

    private static VariantTable<VitConfig> table() {
        var b = VariantTable.<VitConfig>builder("vit");
        for (int size : new int[]{224, 384}) {
            b.addTimm("vit_tiny_patch16_" + size, VitConfig.of(size, 16, 192, 12, 3, 1000));
            b.addTimm("vit_small_patch16_" + size, VitConfig.of(size, 16, 384, 12, 6, 1000));
            b.addTimm("vit_base_patch16_" + size, VitConfig.of(size, 16, 768, 12, 12, 1000));
            b.addTimm("vit_large_patch16_" + size, VitConfig.of(size, 16, 1024, 24, 16, 1000));
        }
        b.add("vit_tiny_patch8_64", VitConfig.of(64, 8, 192, 12, 3, 1000));
        // average pooling: on the embedded dataset it learns faster than the class token at this depth
        b.add("vit_demo", VitConfig.of(64, 8, 64, 4, 4, 1000).withGlobalPool("avg"));
        return b.build();
    }
}
