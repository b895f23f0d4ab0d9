package org.example.mixer;

import org.vitarena.core.nn.VisionModel;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;
import org.vitarena.spi.VariantTable;

import java.util.List;

/** The MLP-Mixer family for ViT Arena, registered in META-INF/services/org.vitarena.spi.ModelProvider. */
public final class MixerProvider implements ModelProvider {
    /**
     * The variants as data (timm's sizes; 1000 classes as published). MixerConfig has no with* methods,
     * so the table is given the function that applies the options; a config implementing
     * {@link org.vitarena.spi.VariantConfig} needs none.
     */
    static final VariantTable<MixerConfig> VARIANTS = VariantTable.<MixerConfig>builder("mixer", MixerProvider::withOptions)
            .addTimm("mixer_s16_224", new MixerConfig(224, 16, 1000, 512, 8, 0.5f, 4f, 0f))
            .addTimm("mixer_b16_224", new MixerConfig(224, 16, 1000, 768, 12, 0.5f, 4f, 0f))
            .add("mixer_demo", new MixerConfig(64, 8, 1000, 64, 4, 0.5f, 4f, 0f))
            .build();

    private static MixerConfig withOptions(MixerConfig c, ModelOptions o) {
        int size = o.imgSize() > 0 ? o.imgSize() : c.imgSize();
        return new MixerConfig(size, c.patchSize(), o.numClasses(), c.embedDim(), c.depth(), c.tokensRatio(), c.channelsRatio(),
                o.dropPathRate());
    }

    @Override public int spiVersion() { return ModelProvider.SPI_VERSION; }
    @Override public String family() { return "mixer"; }
    @Override public List<String> variants() { return VARIANTS.names(); }

    @Override
    public VisionModel create(String variant, ModelOptions o) {
        return new MlpMixer(VARIANTS.config(variant, o), o.seed());
    }

    @Override
    public String describe(String variant) {
        return VARIANTS.find(variant).map(c -> "MLP-Mixer C" + c.embedDim() + " depth " + c.depth() + " patch " + c.patchSize()
                + " @" + c.imgSize() + "px").orElse("");
    }
}
