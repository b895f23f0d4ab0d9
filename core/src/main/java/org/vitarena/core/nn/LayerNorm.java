package org.vitarena.core.nn;

import org.vitarena.core.Tensor;
import org.vitarena.core.ops.Norms;

/** torch.nn.LayerNorm over the last dimension: {@code weight}, {@code bias} [dim]. */
public class LayerNorm extends Module {
    public final float eps;

    public LayerNorm(int dim, float eps) {
        this.eps = eps;
        param("weight", Tensor.full(1f, dim));
        param("bias", Tensor.zeros(dim));
    }

    public Tensor forward(Tensor x) {
        var p = namedParameters();
        return Norms.layerNorm(x, p.get("weight"), p.get("bias"), eps);
    }
}
