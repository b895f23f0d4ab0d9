package org.vitarena.models.deit;

import org.vitarena.core.nn.VisionModel;
import org.vitarena.models.vit.VitProvider;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;
import org.vitarena.spi.TimmSpec;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The distilled DeiT family for the runner: variants from {@link DeitVariants}; timm's VisionTransformerDistilled kwargs. */
public final class DeitProvider implements ModelProvider {
    public static final String TIMM_CLASS = "timm.models.deit.VisionTransformerDistilled";

    @Override public int spiVersion() { return ModelProvider.SPI_VERSION; }

    @Override public String family() { return "deit"; }

    @Override public List<String> variants() { return DeitVariants.TABLE.names(); }

    @Override
    public VisionModel create(String variant, ModelOptions options) {
        return new VisionTransformerDistilled(DeitVariants.TABLE.config(variant, options), options.seed());
    }

    @Override public Set<String> timmClasses() { return Set.of(TIMM_CLASS); }

    /** The constructor arguments are VisionTransformer's (timm passes them through). */
    @Override
    public VisionModel createFromTimm(String timmClass, Map<String, Object> kwargs, long seed) {
        if (!TIMM_CLASS.equals(timmClass)) throw new IllegalArgumentException("deit cannot build " + timmClass);
        return new VisionTransformerDistilled(VitProvider.fromTimm(kwargs), seed);
    }

    @Override
    public Optional<TimmSpec> timmSpec(String variant, ModelOptions options) {
        return Optional.of(DeitVariants.TABLE.timmSpec(variant, options, TIMM_CLASS, VitProvider::toTimm));
    }

    @Override
    public String describe(String variant) {
        return DeitVariants.TABLE.find(variant).map(c -> "DeiT distilled D" + c.embedDim() + " depth " + c.depth() + " heads " + c.numHeads()
                + " patch " + c.patchSize() + " @" + c.imgSize() + "px").orElse("");
    }
}
