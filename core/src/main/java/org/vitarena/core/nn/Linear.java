package org.vitarena.core.nn;

import org.vitarena.core.Tensor;
import org.vitarena.core.ops.Linalg;

import java.util.SplittableRandom;

/** torch.nn.Linear: {@code weight} [out, in], {@code bias} [out]; x [..., in] → [..., out]. */
public class Linear extends Module {
    public final int in, out;

    public Linear(int in, int out, boolean bias, SplittableRandom rng) {
        this.in = in;
        this.out = out;
        param("weight", Tensor.of(Init.truncNormal(rng, 0.02f, in * out), out, in));
        if (bias) param("bias", Tensor.zeros(out));
    }

    public Tensor weight() {
        return namedParameters().get("weight");
    }

    public Tensor bias() {
        return namedParameters().get("bias");
    }

    public Tensor forward(Tensor x) {
        return Linalg.linear(x, weight(), bias());
    }
}
