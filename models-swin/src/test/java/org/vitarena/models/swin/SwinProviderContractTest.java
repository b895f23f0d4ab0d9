package org.vitarena.models.swin;

import org.vitarena.spi.ModelProvider;
import org.vitarena.spi.ProviderContract;

class SwinProviderContractTest extends ProviderContract {
    @Override
    protected ModelProvider provider() {
        return new SwinProvider();
    }
}
