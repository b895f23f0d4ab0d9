package org.vitarena.models.cait;

import org.vitarena.spi.VariantTable;

/**
 * The CaiT variants as data: timm's names mapped to their sizes and LayerScale init (1000 classes as
 * published; the runner overrides the class count). {@code cait_xxs24_patch8_64} is the paper-scale
 * CPU benchmark model at Tiny ImageNet's 64 px; {@code cait_demo} trains in seconds.
 */
public final class CaitVariants {
    private CaitVariants() {}

    public static final VariantTable<CaitConfig> TABLE = VariantTable.<CaitConfig>builder("cait")
            .addTimm("cait_xxs24_224", CaitConfig.of(224, 16, 192, 24, 4, 1e-5f, 1000))
            .addTimm("cait_xxs36_224", CaitConfig.of(224, 16, 192, 36, 4, 1e-5f, 1000))
            .addTimm("cait_s24_224", CaitConfig.of(224, 16, 384, 24, 8, 1e-5f, 1000))
            .addTimm("cait_s24_384", CaitConfig.of(384, 16, 384, 24, 8, 1e-5f, 1000))
            .addTimm("cait_s36_384", CaitConfig.of(384, 16, 384, 36, 8, 1e-6f, 1000))
            .add("cait_xxs24_patch8_64", CaitConfig.of(64, 8, 192, 24, 4, 1e-5f, 1000))
            .add("cait_demo", CaitConfig.of(64, 8, 64, 4, 4, 0.1f, 1000)) // 4 blocks: the CaiT paper's 0.1 for shallow nets
            .build();
}
