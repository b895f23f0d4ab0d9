package org.vitarena.models.deit;

import org.vitarena.core.nn.VisionModel;
import org.vitarena.models.vit.VitConfig;
import org.vitarena.models.vit.VitProvider;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The distilled DeiT family for the runner: variants from {@link DeitVariants}; timm's VisionTransformerDistilled kwargs. */
public final class DeitProvider implements ModelProvider {
    public static final String TIMM_CLASS = "timm.models.deit.VisionTransformerDistilled";

    @Override public int spiVersion() { return ModelProvider.SPI_VERSION; }

    @Override public String family() { return "deit"; }

    @Override public List<String> variants() { return List.copyOf(DeitVariants.TABLE.keySet()); }

    /** The config of a variant with the options applied. */
    public static VitConfig config(String variant, ModelOptions o) {
        VitConfig c = DeitVariants.TABLE.get(variant);
        if (c == null) {
            throw new IllegalArgumentException("unknown deit variant '" + variant + "'; known: " + String.join(", ", DeitVariants.TABLE.keySet()));
        }
        c = c.withNumClasses(o.numClasses()).withDropPath(o.dropPathRate());
        return o.imgSize() > 0 ? c.withImgSize(o.imgSize()) : c;
    }

    @Override
    public VisionModel create(String variant, ModelOptions options) {
        return new VisionTransformerDistilled(config(variant, options), options.seed());
    }

    @Override public Set<String> timmClasses() { return Set.of(TIMM_CLASS); }

    /** The constructor arguments are VisionTransformer's (timm passes them through). */
    @Override
    public VisionModel createFromTimm(String timmClass, Map<String, Object> kwargs, long seed) {
        if (!TIMM_CLASS.equals(timmClass)) throw new IllegalArgumentException("deit cannot build " + timmClass);
        return new VisionTransformerDistilled(VitProvider.fromTimm(kwargs), seed);
    }

    @Override
    public String describe(String variant) {
        VitConfig c = DeitVariants.TABLE.get(variant);
        return c == null ? "" : "DeiT distilled D" + c.embedDim() + " depth " + c.depth() + " heads " + c.numHeads()
                + " patch " + c.patchSize() + " @" + c.imgSize() + "px";
    }
}
