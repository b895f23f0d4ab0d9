package org.vitarena.core.ops;

import org.junit.jupiter.api.Test;
import org.vitarena.core.Tensor;
import org.vitarena.core.testing.GradCheck;

import java.util.SplittableRandom;

import static org.vitarena.core.testing.GradCheck.check;
import static org.vitarena.core.testing.GradCheck.param;

/** Every op's backward against central finite differences (float32 forward, double accumulation). */
class OpsGradientTest {
    private static final double H = 1e-2, TOL = 2e-2;
    private final SplittableRandom rng = new SplittableRandom(1234);

    @Test void addWithBroadcasting() {
        check("add", t -> Arith.add(t[0], t[1]), H, TOL, param(rng, 2, 3, 4), param(rng, 3, 1));
    }

    @Test void subWithBroadcasting() {
        check("sub", t -> Arith.sub(t[0], t[1]), H, TOL, param(rng, 2, 3), param(rng, 2, 1));
    }

    @Test void mulWithBroadcasting() {
        check("mul", t -> Arith.mul(t[0], t[1]), H, TOL, param(rng, 2, 3, 4), param(rng, 4));
    }

    @Test void div() {
        Tensor b = Tensor.parameter(GradCheck.random(rng, 6, 1.0, 2.0), 2, 3);
        check("div", t -> Arith.div(t[0], t[1]), H, TOL, param(rng, 2, 3), b);
    }

    @Test void scaleAndExpand() {
        check("scale", t -> Arith.scale(t[0], -1.7f), H, TOL, param(rng, 3, 2));
        check("expand", t -> Arith.expand(t[0], 3, 2, 4), H, TOL, param(rng, 1, 2, 1));
    }

    @Test void exactGelu() {
        check("gelu", t -> Arith.gelu(t[0]), 1e-3, TOL, Tensor.parameter(GradCheck.random(rng, 40, -4, 4), 40));
    }

    @Test void linearWithAndWithoutBias() {
        check("linear", t -> Linalg.linear(t[0], t[1], t[2]), H, TOL, param(rng, 2, 3, 5), param(rng, 4, 5), param(rng, 4));
        check("linear-nobias", t -> Linalg.linear(t[0], t[1], null), H, TOL, param(rng, 3, 5), param(rng, 2, 5));
    }

    @Test void batchedMatmulEveryTranspose() {
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                Tensor a = ta ? param(rng, 2, 3, 4, 5) : param(rng, 2, 3, 5, 4);
                Tensor b = tb ? param(rng, 2, 3, 6, 4) : param(rng, 2, 3, 4, 6);
                check("matmul ta=" + ta + " tb=" + tb, t -> Linalg.matmul(t[0], t[1], ta, tb), H, TOL, a, b);
            }
        }
    }

    @Test void layoutOps() {
        check("reshape", t -> Shapes.reshape(t[0], 3, -1), H, TOL, param(rng, 2, 3, 2));
        check("permute", t -> Shapes.permute(t[0], 2, 0, 3, 1), H, TOL, param(rng, 2, 3, 4, 2));
        check("transpose", t -> Shapes.transpose(t[0], 0, 2), H, TOL, param(rng, 2, 3, 4));
        check("slice", t -> Shapes.slice(t[0], 1, 1, 3), H, TOL, param(rng, 2, 4, 3));
        check("select", t -> Shapes.select(t[0], 1, 2), H, TOL, param(rng, 2, 4, 3));
        check("concat", t -> Shapes.concat(1, t[0], t[1]), H, TOL, param(rng, 2, 1, 3), param(rng, 2, 4, 3));
        check("gather", t -> Shapes.gather(t[0], 1, new int[]{2, 0, 2, 1}), H, TOL, param(rng, 2, 3, 2));
        check("roll", t -> Shapes.roll(t[0], 1, -2), H, TOL, param(rng, 2, 5, 2));
        check("reorder", t -> Shapes.reorder(t[0], 1, new int[]{3, 0, 4, 1, 2}), H, TOL, param(rng, 2, 5, 2));
        check("sum", t -> Shapes.sum(t[0], 1, false), H, TOL, param(rng, 2, 3, 4));
        check("mean", t -> Shapes.mean(t[0], 0, true), H, TOL, param(rng, 3, 4));
    }

    @Test void layerNormSoftmaxAndLoss() {
        check("layerNorm", t -> Norms.layerNorm(t[0], t[1], t[2], 1e-6f), 1e-3, TOL, param(rng, 3, 8), param(rng, 8), param(rng, 8));
        check("softmax", t -> Norms.softmax(t[0]), H, TOL, param(rng, 2, 3, 5));
        float[] soft = {0.1f, 0.2f, 0.7f, 0f, 0.5f, 0.5f};
        Tensor targets = Tensor.of(soft, 2, 3);
        check("crossEntropy", t -> Norms.crossEntropy(t[0], targets), H, TOL, param(rng, 2, 3));
    }

    @Test void dropoutAndDropPathWithAFixedSeed() {
        check("dropout", t -> Stochastic.dropout(t[0], 0.3f, new SplittableRandom(5)), H, TOL, param(rng, 4, 6));
        check("dropPath", t -> Stochastic.dropPath(t[0], 0.5f, new SplittableRandom(6)), H, TOL, param(rng, 6, 2, 3));
    }
}
