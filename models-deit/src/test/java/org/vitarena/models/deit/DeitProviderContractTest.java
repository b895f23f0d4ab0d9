package org.vitarena.models.deit;

import org.vitarena.spi.ModelProvider;
import org.vitarena.spi.ProviderContract;

class DeitProviderContractTest extends ProviderContract {
    @Override
    protected ModelProvider provider() {
        return new DeitProvider();
    }
}
