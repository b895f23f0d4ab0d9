package org.vitarena.models.cait;

import org.junit.jupiter.api.Test;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;
import org.vitarena.spi.ProviderContract;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CaitProviderContractTest extends ProviderContract {
    @Override
    protected ModelProvider provider() {
        return new CaitProvider();
    }

    /** The timm kwargs of every variant parse back to the very config it is built from (rates and LayerScale included). */
    @Test
    void timmKwargsParseBackToTheSameConfig() {
        ModelOptions o = new ModelOptions(7, 0, 0.1f, 0L);
        for (String v : CaitVariants.TABLE.names()) {
            var spec = provider().timmSpec(v, o).orElseThrow();
            assertEquals(CaitVariants.TABLE.config(v, o), CaitProvider.fromTimm(spec.kwargs()), v);
        }
    }
}
