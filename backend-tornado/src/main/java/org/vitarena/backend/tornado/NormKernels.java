package org.vitarena.backend.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Row-wise kernels, forward next to backward: LayerNorm, softmax, soft-target cross-entropy.
 * Legend: R rows, C columns (the normalised axis). Row kernels run one work-group of
 * {@link #GROUP} work-items per row and reduce through local memory.
 */
public final class NormKernels {
    public static final int GROUP = 256;

    private NormKernels() {}

    /** Tree sum of red[0..256) into red[0]; every work-item of the group must call it. */
    private static float groupSum(KernelContext ctx, float[] red, int lid, float value) {
        ctx.localBarrier();
        red[lid] = value;
        ctx.localBarrier();
        for (int h = 128; h > 0; h /= 2) {
            if (lid < h) {
                red[lid] += red[lid + h];
            }
            ctx.localBarrier();
        }
        return red[0];
    }

    private static float groupMax(KernelContext ctx, float[] red, int lid, float value) {
        ctx.localBarrier();
        red[lid] = value;
        ctx.localBarrier();
        for (int h = 128; h > 0; h /= 2) {
            if (lid < h) {
                red[lid] = TornadoMath.max(red[lid], red[lid + h]);
            }
            ctx.localBarrier();
        }
        return red[0];
    }

    /**
     * p: rows, cols, xOff, wOff, bOff (-1: none), yOff, meanOff, rstdOff. f: eps.
     * y = (x - mean)·rstd·w + b per row; saves mean and rstd for the backward.
     */
    public static void layerNorm(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        float[] red = ctx.allocateFloatLocalArray(256);
        int r = ctx.groupIdx;
        int lid = ctx.localIdx;
        int cols = p.get(1);
        int x = p.get(2) + r * cols;
        float s = 0f;
        for (int c = lid; c < cols; c += 256) {
            s += mem.get(x + c);
        }
        float mu = groupSum(ctx, red, lid, s) / cols;
        float v = 0f;
        for (int c = lid; c < cols; c += 256) {
            float d = mem.get(x + c) - mu;
            v += d * d;
        }
        float var = groupSum(ctx, red, lid, v) / cols;
        float rstd = 1f / TornadoMath.sqrt(var + f.get(0));
        int w = p.get(3);
        int b = p.get(4);
        int y = p.get(5) + r * cols;
        for (int c = lid; c < cols; c += 256) {
            float o = (mem.get(x + c) - mu) * rstd * mem.get(w + c);
            if (b >= 0) {
                o += mem.get(b + c);
            }
            mem.set(y + c, o);
        }
        if (lid == 0) {
            mem.set(p.get(6) + r, mu);
            mem.set(p.get(7) + r, rstd);
        }
    }

    /**
     * LayerNorm backward for dx. p: rows, cols, dyOff, xOff, wOff, meanOff, rstdOff, dxOff.
     * dx += rstd·(dy·w − mean(dy·w) − x̂·mean(dy·w·x̂)).
     */
    public static void layerNormBackward(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        float[] red = ctx.allocateFloatLocalArray(256);
        int r = ctx.groupIdx;
        int lid = ctx.localIdx;
        int cols = p.get(1);
        int dy = p.get(2) + r * cols;
        int x = p.get(3) + r * cols;
        int w = p.get(4);
        float mu = mem.get(p.get(5) + r);
        float rstd = mem.get(p.get(6) + r);
        float sg = 0f;
        float sgx = 0f;
        for (int c = lid; c < cols; c += 256) {
            float gw = mem.get(dy + c) * mem.get(w + c);
            sg += gw;
            sgx += gw * (mem.get(x + c) - mu) * rstd;
        }
        float meanG = groupSum(ctx, red, lid, sg) / cols;
        float meanGX = groupSum(ctx, red, lid, sgx) / cols;
        int dx = p.get(7) + r * cols;
        for (int c = lid; c < cols; c += 256) {
            float xhat = (mem.get(x + c) - mu) * rstd;
            float g = rstd * (mem.get(dy + c) * mem.get(w + c) - meanG - xhat * meanGX);
            mem.set(dx + c, mem.get(dx + c) + g);
        }
    }

    /**
     * LayerNorm backward for the affine parameters, one work-item per column.
     * p: rows, cols, dyOff, xOff, meanOff, rstdOff, dwOff (-1: none), dbOff (-1: none).
     */
    public static void layerNormParamGrads(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int c = ctx.globalIdx;
        int cols = p.get(1);
        if (c < cols) {
            int rows = p.get(0);
            int dy = p.get(2);
            int x = p.get(3);
            int mean = p.get(4);
            int rstd = p.get(5);
            float sw = 0f;
            float sb = 0f;
            for (int r = 0; r < rows; r++) {
                float g = mem.get(dy + r * cols + c);
                sw += g * (mem.get(x + r * cols + c) - mem.get(mean + r)) * mem.get(rstd + r);
                sb += g;
            }
            int dw = p.get(6);
            int db = p.get(7);
            if (dw >= 0) {
                mem.set(dw + c, mem.get(dw + c) + sw);
            }
            if (db >= 0) {
                mem.set(db + c, mem.get(db + c) + sb);
            }
        }
    }

    /** p: rows, cols, xOff, yOff. Stable softmax of each row. */
    public static void softmax(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        float[] red = ctx.allocateFloatLocalArray(256);
        int r = ctx.groupIdx;
        int lid = ctx.localIdx;
        int cols = p.get(1);
        int x = p.get(2) + r * cols;
        int y = p.get(3) + r * cols;
        float mx = -3.4028235e38f;
        for (int c = lid; c < cols; c += 256) {
            mx = TornadoMath.max(mx, mem.get(x + c));
        }
        float max = groupMax(ctx, red, lid, mx);
        float s = 0f;
        for (int c = lid; c < cols; c += 256) {
            float e = TornadoMath.exp(mem.get(x + c) - max);
            mem.set(y + c, e);
            s += e;
        }
        float sum = groupSum(ctx, red, lid, s);
        for (int c = lid; c < cols; c += 256) {
            mem.set(y + c, mem.get(y + c) / sum);
        }
    }

    /** p: rows, cols, yOff, dyOff, dxOff, accumulate. dx (+)= y ⊙ (dy − Σ dy·y). */
    public static void softmaxBackward(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        float[] red = ctx.allocateFloatLocalArray(256);
        int r = ctx.groupIdx;
        int lid = ctx.localIdx;
        int cols = p.get(1);
        int y = p.get(2) + r * cols;
        int dy = p.get(3) + r * cols;
        int dx = p.get(4) + r * cols;
        float s = 0f;
        for (int c = lid; c < cols; c += 256) {
            s += mem.get(dy + c) * mem.get(y + c);
        }
        float dot = groupSum(ctx, red, lid, s);
        boolean acc = p.get(5) == 1;
        for (int c = lid; c < cols; c += 256) {
            float g = mem.get(y + c) * (mem.get(dy + c) - dot);
            if (acc) {
                g += mem.get(dx + c);
            }
            mem.set(dx + c, g);
        }
    }

    /**
     * p: rows, cols, logitsOff, targetsOff, probsOff, lossOff. One work-group walks the rows:
     * probs = softmax(x), loss[0] = mean_r(−Σ_c t·log softmax(x)).
     */
    public static void crossEntropy(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        float[] red = ctx.allocateFloatLocalArray(256);
        int lid = ctx.localIdx;
        int rows = p.get(0);
        int cols = p.get(1);
        float total = 0f;
        for (int r = 0; r < rows; r++) {
            int x = p.get(2) + r * cols;
            int t = p.get(3) + r * cols;
            int pr = p.get(4) + r * cols;
            float mx = -3.4028235e38f;
            for (int c = lid; c < cols; c += 256) {
                mx = TornadoMath.max(mx, mem.get(x + c));
            }
            float max = groupMax(ctx, red, lid, mx);
            float s = 0f;
            for (int c = lid; c < cols; c += 256) {
                s += TornadoMath.exp(mem.get(x + c) - max);
            }
            float logSum = TornadoMath.log(groupSum(ctx, red, lid, s)) + max;
            float l = 0f;
            for (int c = lid; c < cols; c += 256) {
                float logp = mem.get(x + c) - logSum;
                mem.set(pr + c, TornadoMath.exp(logp));
                l -= mem.get(t + c) * logp;
            }
            total += groupSum(ctx, red, lid, l);
        }
        if (lid == 0) {
            mem.set(p.get(5), total / rows);
        }
    }

    /** p: n, rows, probsOff, targetsOff, dlossOff, dlogitsOff, accumulate. dlogits (+)= (probs − t)·dloss/R. */
    public static void crossEntropyBackward(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int i = ctx.globalIdx;
        if (i < p.get(0)) {
            float s = mem.get(p.get(4)) / p.get(1);
            float v = (mem.get(p.get(2) + i) - mem.get(p.get(3) + i)) * s;
            int o = p.get(5) + i;
            if (p.get(6) == 1) {
                v += mem.get(o);
            }
            mem.set(o, v);
        }
    }
}
