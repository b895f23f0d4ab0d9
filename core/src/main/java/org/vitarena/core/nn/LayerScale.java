package org.vitarena.core.nn;

import org.vitarena.core.Tensor;
import org.vitarena.core.ops.Arith;

/** timm's LayerScale: x · gamma, {@code gamma} [dim] initialised to {@code initValues}. */
public class LayerScale extends Module {
    public LayerScale(int dim, float initValues) {
        param("gamma", Tensor.full(initValues, dim));
    }

    public Tensor forward(Tensor x) {
        return Arith.mul(x, namedParameters().get("gamma"));
    }
}
