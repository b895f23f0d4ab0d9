package org.vitarena.backend.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** Optimiser updates, one work-item per parameter element, in the CPU reference's float order. */
public final class OptimizerKernels {
    private OptimizerKernels() {}

    /**
     * torch.optim.AdamW. p: n, paramOff, gradOff, mOff, vOff.
     * f: beta1, beta2, eps, stepSize = lr/(1-beta1^t), sqrt(1-beta2^t), decay = 1 - lr·wd.
     */
    public static void adamw(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int i = ctx.globalIdx;
        if (i < p.get(0)) {
            float beta1 = f.get(0);
            float beta2 = f.get(1);
            int pi = p.get(1) + i;
            int mi = p.get(3) + i;
            int vi = p.get(4) + i;
            float g = mem.get(p.get(2) + i);
            float param = mem.get(pi) * f.get(5);
            float m = mem.get(mi);
            m += (g - m) * (1 - beta1);
            float v = mem.get(vi) * beta2 + (1 - beta2) * g * g;
            float denom = TornadoMath.sqrt(v) / f.get(4) + f.get(2);
            param -= f.get(3) * m / denom;
            mem.set(mi, m);
            mem.set(vi, v);
            mem.set(pi, param);
        }
    }

    /**
     * torch.optim.SGD. p: n, paramOff, gradOff, bufOff, nesterov, first, hasMomentum.
     * f: lr, momentum, dampening, weightDecay.
     */
    public static void sgd(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int i = ctx.globalIdx;
        if (i < p.get(0)) {
            float momentum = f.get(1);
            int pi = p.get(1) + i;
            float param = mem.get(pi);
            float g = mem.get(p.get(2) + i) + f.get(3) * param;
            if (p.get(6) == 1) {
                int bi = p.get(3) + i;
                float b;
                if (p.get(5) == 1) {
                    b = g;
                } else {
                    b = momentum * mem.get(bi) + (1 - f.get(2)) * g;
                }
                mem.set(bi, b);
                if (p.get(4) == 1) {
                    g = g + momentum * b;
                } else {
                    g = b;
                }
            }
            mem.set(pi, param - f.get(0) * g);
        }
    }
}
