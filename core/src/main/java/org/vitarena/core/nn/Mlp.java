package org.vitarena.core.nn;

import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.ops.Linalg;
import org.vitarena.core.ops.Stochastic;

import java.util.SplittableRandom;

/** timm's Mlp: fc1 → GELU → dropout → fc2 → dropout. x [B, N, C] → [B, N, C]. */
public class Mlp extends Module {
    private final Linear fc1, fc2;
    private final float drop;

    public Mlp(int dim, int hidden, float drop, SplittableRandom rng) {
        this.fc1 = child("fc1", new Linear(dim, hidden, true, rng));
        this.fc2 = child("fc2", new Linear(hidden, dim, true, rng));
        this.drop = drop;
    }

    public Tensor forward(Tensor x) {
        if (training() && drop == 0f && NoGrad.enabled()) {
            // GELU's output is not kept for the backward (Linalg.geluLinear computes it again)
            return Linalg.geluLinear(fc1.forward(x), fc2.weight(), fc2.bias());
        }
        Tensor h = Linalg.linearGelu(x, fc1.weight(), fc1.bias());
        if (training()) h = Stochastic.dropout(h, drop);
        Tensor y = fc2.forward(h);
        return training() ? Stochastic.dropout(y, drop) : y;
    }
}
