package org.vitarena.models.vit;

import org.junit.jupiter.api.Test;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;
import org.vitarena.spi.ProviderContract;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VitProviderContractTest extends ProviderContract {
    @Override
    protected ModelProvider provider() {
        return new VitProvider();
    }

    /** The timm kwargs of every variant parse back to the very config it is built from (rates and LayerScale included). */
    @Test
    void timmKwargsParseBackToTheSameConfig() {
        ModelOptions o = new ModelOptions(7, 0, 0.1f, 0L);
        for (String v : VitVariants.TABLE.names()) {
            var spec = provider().timmSpec(v, o).orElseThrow();
            assertEquals(VitVariants.TABLE.config(v, o), VitProvider.fromTimm(spec.kwargs()), v);
        }
    }
}
