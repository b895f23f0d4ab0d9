package org.vitarena.models.deit;

import org.junit.jupiter.api.Test;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;
import org.vitarena.spi.ProviderContract;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DeitProviderContractTest extends ProviderContract {
    @Override
    protected ModelProvider provider() {
        return new DeitProvider();
    }

    /** The timm kwargs of every variant parse back to the very config it is built from (rates and LayerScale included). */
    @Test
    void timmKwargsParseBackToTheSameConfig() {
        ModelOptions o = new ModelOptions(7, 0, 0.1f, 0L);
        for (String v : DeitVariants.TABLE.names()) {
            var spec = provider().timmSpec(v, o).orElseThrow();
            assertEquals(DeitVariants.TABLE.config(v, o), org.vitarena.models.vit.VitProvider.fromTimm(spec.kwargs()), v);
        }
    }
}
