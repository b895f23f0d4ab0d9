package org.vitarena.models.swin;

import org.vitarena.spi.VariantTable;

/**
 * The Swin variants as data: timm's names mapped to their sizes (1000 classes as published; the
 * runner overrides the class count). {@code swin_tiny_patch2_window4_64} is Swin-T at Tiny
 * ImageNet's native 64 px (grids 32, 16, 8, 4); {@code swin_demo} is small enough to train in
 * seconds on a CPU (64 px, patch 4, grids 16 and 8, window 8: four shifted windows in the first stage, one in the second;
 * measured on the embedded dataset, window 4 learned half as fast).
 */
public final class SwinVariants {
    private SwinVariants() {}

    private static final int[] T_DEPTHS = {2, 2, 6, 2}, S_DEPTHS = {2, 2, 18, 2};

    public static final VariantTable<SwinConfig> TABLE = VariantTable.<SwinConfig>builder("swin")
            .addTimm("swin_tiny_patch4_window7_224", SwinConfig.of(224, 4, 7, 96, T_DEPTHS, new int[]{3, 6, 12, 24}, 1000))
            .addTimm("swin_small_patch4_window7_224", SwinConfig.of(224, 4, 7, 96, S_DEPTHS, new int[]{3, 6, 12, 24}, 1000))
            .addTimm("swin_base_patch4_window7_224", SwinConfig.of(224, 4, 7, 128, S_DEPTHS, new int[]{4, 8, 16, 32}, 1000))
            .addTimm("swin_base_patch4_window12_384", SwinConfig.of(384, 4, 12, 128, S_DEPTHS, new int[]{4, 8, 16, 32}, 1000))
            .addTimm("swin_large_patch4_window12_384", SwinConfig.of(384, 4, 12, 192, S_DEPTHS, new int[]{6, 12, 24, 48}, 1000))
            .add("swin_tiny_patch2_window4_64", SwinConfig.of(64, 2, 4, 96, T_DEPTHS, new int[]{3, 6, 12, 24}, 1000))
            .add("swin_demo", SwinConfig.of(64, 4, 8, 32, new int[]{2, 2}, new int[]{2, 4}, 1000))
            .build();
}
