package org.example.mixer;

import org.vitarena.core.nn.VisionModel;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The MLP-Mixer family for ViT Arena, registered in META-INF/services/org.vitarena.spi.ModelProvider. */
public final class MixerProvider implements ModelProvider {
    /** The variants as data (timm's sizes; 1000 classes as published). */
    static final Map<String, MixerConfig> VARIANTS = new LinkedHashMap<>();

    static {
        VARIANTS.put("mixer_s16_224", new MixerConfig(224, 16, 1000, 512, 8, 0.5f, 4f, 0f));
        VARIANTS.put("mixer_b16_224", new MixerConfig(224, 16, 1000, 768, 12, 0.5f, 4f, 0f));
        VARIANTS.put("mixer_demo", new MixerConfig(64, 8, 1000, 64, 4, 0.5f, 4f, 0f));
    }

    @Override public int spiVersion() { return ModelProvider.SPI_VERSION; }
    @Override public String family() { return "mixer"; }
    @Override public List<String> variants() { return List.copyOf(VARIANTS.keySet()); }

    @Override
    public VisionModel create(String variant, ModelOptions o) {
        MixerConfig c = VARIANTS.get(variant);
        if (c == null) throw new IllegalArgumentException("unknown mixer variant '" + variant + "'; known: " + String.join(", ", VARIANTS.keySet()));
        int size = o.imgSize() > 0 ? o.imgSize() : c.imgSize();
        return new MlpMixer(new MixerConfig(size, c.patchSize(), o.numClasses(), c.embedDim(), c.depth(), c.tokensRatio(),
                c.channelsRatio(), o.dropPathRate()), o.seed());
    }
}
