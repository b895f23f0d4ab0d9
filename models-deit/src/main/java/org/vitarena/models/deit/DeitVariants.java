package org.vitarena.models.deit;

import org.vitarena.models.vit.VitConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The distilled DeiT variants as data: timm's names mapped to their sizes (1000 classes as
 * published; the runner overrides the class count). {@code deit_tiny_distilled_patch8_64} is the
 * paper-scale CPU benchmark model at Tiny ImageNet's 64 px; {@code deit_demo} trains in seconds.
 */
public final class DeitVariants {
    private DeitVariants() {}

    public static final Map<String, VitConfig> TABLE = new LinkedHashMap<>();

    static {
        for (int size : new int[]{224, 384}) {
            TABLE.put("deit_tiny_distilled_patch16_" + size, VitConfig.of(size, 16, 192, 12, 3, 1000));
            TABLE.put("deit_small_distilled_patch16_" + size, VitConfig.of(size, 16, 384, 12, 6, 1000));
            TABLE.put("deit_base_distilled_patch16_" + size, VitConfig.of(size, 16, 768, 12, 12, 1000));
        }
        TABLE.put("deit_tiny_distilled_patch8_64", VitConfig.of(64, 8, 192, 12, 3, 1000));
        TABLE.put("deit_demo", VitConfig.of(64, 8, 64, 4, 4, 1000));
    }
}
