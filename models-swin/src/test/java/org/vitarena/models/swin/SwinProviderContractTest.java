package org.vitarena.models.swin;

import org.junit.jupiter.api.Test;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;
import org.vitarena.spi.ProviderContract;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SwinProviderContractTest extends ProviderContract {
    @Override
    protected ModelProvider provider() {
        return new SwinProvider();
    }

    /** The timm kwargs of every variant parse back to the very config it is built from (rates and LayerScale included). */
    @Test
    void timmKwargsParseBackToTheSameConfig() {
        ModelOptions o = new ModelOptions(7, 0, 0.1f, 0L);
        for (String v : SwinVariants.TABLE.names()) {
            var spec = provider().timmSpec(v, o).orElseThrow();
            assertEquals(SwinVariants.TABLE.config(v, o), SwinProvider.fromTimm(spec.kwargs()), v);
        }
    }
}
