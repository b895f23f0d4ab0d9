package org.vitarena.models.vit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ViT variants as data: timm's names mapped to their sizes (1000 classes as published; the
 * runner overrides the class count). {@code vit_tiny_patch8_64} is the paper-scale CPU benchmark
 * model at Tiny ImageNet's native 64 px; {@code vit_demo} is small enough to train in seconds.
 */
public final class VitVariants {
    private VitVariants() {}

    public static final Map<String, VitConfig> TABLE = new LinkedHashMap<>();

    static {
        for (int size : new int[]{224, 384}) {
            TABLE.put("vit_tiny_patch16_" + size, VitConfig.of(size, 16, 192, 12, 3, 1000));
            TABLE.put("vit_small_patch16_" + size, VitConfig.of(size, 16, 384, 12, 6, 1000));
            TABLE.put("vit_base_patch16_" + size, VitConfig.of(size, 16, 768, 12, 12, 1000));
            TABLE.put("vit_large_patch16_" + size, VitConfig.of(size, 16, 1024, 24, 16, 1000));
        }
        TABLE.put("vit_tiny_patch8_64", VitConfig.of(64, 8, 192, 12, 3, 1000));
        // average pooling: on the embedded dataset it learns faster than the class token at this depth
        TABLE.put("vit_demo", VitConfig.of(64, 8, 64, 4, 4, 1000).withGlobalPool("avg"));
    }
}
