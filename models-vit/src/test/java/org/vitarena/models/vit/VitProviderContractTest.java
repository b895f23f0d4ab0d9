package org.vitarena.models.vit;

import org.vitarena.spi.ModelProvider;
import org.vitarena.spi.ProviderContract;

class VitProviderContractTest extends ProviderContract {
    @Override
    protected ModelProvider provider() {
        return new VitProvider();
    }
}
