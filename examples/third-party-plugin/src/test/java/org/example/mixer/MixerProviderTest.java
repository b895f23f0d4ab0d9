package org.example.mixer;

import org.junit.jupiter.api.Test;
import org.vitarena.spi.ModelInfo;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;
import org.vitarena.spi.ProviderContract;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The shared contract every ViT Arena provider meets, plus the published size of Mixer-B/16. */
class MixerProviderTest extends ProviderContract {
    @Override
    protected ModelProvider provider() {
        return new MixerProvider();
    }

    @Test
    void mixerB16HasItsPublishedSize() {
        // timm mixer_b16_224: 59.88M parameters, 12.61 GMACs
        ModelInfo info = ModelInfo.measure(() -> provider().create("mixer_b16_224", ModelOptions.of(1000)));
        assertEquals(59.88, info.params() / 1e6, 0.01);
        assertEquals(12.61, info.gmacs(), 0.05);
    }
}
