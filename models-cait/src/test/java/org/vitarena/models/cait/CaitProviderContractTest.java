package org.vitarena.models.cait;

import org.vitarena.spi.ModelProvider;
import org.vitarena.spi.ProviderContract;

class CaitProviderContractTest extends ProviderContract {
    @Override
    protected ModelProvider provider() {
        return new CaitProvider();
    }
}
