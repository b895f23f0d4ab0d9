package org.vitarena.core;

import org.junit.jupiter.api.Test;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.optim.AdamW;
import org.vitarena.core.optim.SGD;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Optimiser steps against values computed independently from torch.optim's documented update rules. */
class OptimTest {
    private static void grad(Tensor p, float[] g) {
        p.zeroGrad();
        Arith.mul(p, Tensor.of(g, g.length)).backward(Tensor.full(1f, g.length));
    }

    @Test void sgdNesterovWithWeightDecayFollowsTorch() {
        Tensor p = Tensor.parameter(new float[]{1f, -2f}, 2);
        SGD opt = new SGD(Map.of("p", p), 0.1f, 0.9f, 0f, 0.01f, true);
        double[] w = {1, -2}, buf = new double[2];
        for (int step = 0; step < 3; step++) {
            float[] g = {0.5f + step, -0.25f * step};
            grad(p, g);
            opt.step();
            for (int i = 0; i < 2; i++) {
                double gi = g[i] + 0.01 * w[i];
                buf[i] = step == 0 ? gi : 0.9 * buf[i] + gi;
                w[i] -= 0.1 * (gi + 0.9 * buf[i]);
            }
            assertArrayEquals(new float[]{(float) w[0], (float) w[1]}, p.toArray(), 1e-6f);
        }
    }

    @Test void adamwFollowsTheDecoupledUpdateRule() {
        Tensor p = Tensor.parameter(new float[]{0.3f, -0.7f}, 2);
        AdamW opt = new AdamW(Map.of("p", p), 0.01f, 0.9f, 0.999f, 1e-8f, 0.1f);
        double[] w = {0.3, -0.7}, m = new double[2], v = new double[2];
        for (int t = 1; t <= 4; t++) {
            float[] g = {0.2f * t, -0.05f};
            grad(p, g);
            opt.step();
            for (int i = 0; i < 2; i++) {
                w[i] *= 1 - 0.01 * 0.1;
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                double mh = m[i] / (1 - Math.pow(0.9, t)), vh = v[i] / (1 - Math.pow(0.999, t));
                w[i] -= 0.01 * mh / (Math.sqrt(vh) + 1e-8);
            }
            assertArrayEquals(new float[]{(float) w[0], (float) w[1]}, p.toArray(), 2e-6f);
        }
    }

    @Test void adamwStateRoundTripContinuesIdentically() {
        Tensor p1 = Tensor.parameter(new float[]{0.3f, -0.7f, 1.1f}, 3);
        Tensor p2 = Tensor.parameter(new float[]{0f, 0f, 0f}, 3);
        AdamW a = AdamW.paper(Map.of("p", p1)), b = AdamW.paper(Map.of("p", p2));
        float[] g = {0.2f, -0.1f, 0.05f};
        for (int s = 0; s < 2; s++) {
            grad(p1, g);
            a.step();
        }
        p2.copyFrom(p1.toArray());
        b.loadState(a.state());
        grad(p1, g);
        grad(p2, g);
        a.step();
        b.step();
        assertArrayEquals(p1.toArray(), p2.toArray());
    }
}
