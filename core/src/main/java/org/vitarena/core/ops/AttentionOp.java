package org.vitarena.core.ops;

import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backend;

import java.util.Arrays;

/**
 * Fused multi-head self-attention on a packed qkv buffer, as one graph node. Legend: B batch,
 * N tokens, C channels, H heads, D = C/H head dim.
 *
 * <p>q, k and v are read in place from qkv [B, N, 3C] (timm's layout: [B, N, 3, H, D]) by strided
 * batched products (row stride 3C, one call per head, batched over B), and the output is written
 * straight into [B, N, H, D] = [B, N, C]. This replaces reshape → permute → 3 selects → scale(q) →
 * q·kᵀ → softmax → p·v → transpose → reshape, whose layout copies each had a full-size backward.
 * Only {@link Backend} kernels are used, so device backends run it unchanged.
 */
public final class AttentionOp {
    private AttentionOp() {}

    /**
     * out = softmax(scale·q·kᵀ + bias)·v, in head-concatenated layout [B, N, C].
     *
     * @param qkv   [B, N, 3C]
     * @param bias  null, or broadcastable to the logits [B, H, N, N] (e.g. [1, H, N, N])
     *
     * <p>Backward: dP = dOut·vᵀ, dL = softmax'(dP), dq = scale·dL·k, dk = scale·dLᵀ·q, dv = Pᵀ·dOut,
     * all written into d(qkv); dbias = dL summed over the broadcast dimensions.
     */
    public static Tensor fromQkv(Tensor qkv, int heads, float scale, Tensor bias) {
        checkQkv(qkv, heads);
        final int b = qkv.dim(0), n = qkv.dim(1), c = qkv.dim(2) / 3, h = heads, d = c / h;
        final int ld = 3 * c, sQkv = n * ld, nn = n * n, sL = h * nn;
        final int[] lShape = {b, h, n, n};
        int[] biasStrides = null;
        if (bias != null) {
            if (!Arrays.equals(Arith.broadcastShape(bias.shape(), lShape), lShape)) {
                throw new IllegalArgumentException("attention bias " + Arrays.toString(bias.shape()) + " does not broadcast to " + Arrays.toString(lShape));
            }
            biasStrides = Arith.broadcastStrides(bias.shape(), lShape);
        }
        Backend be = qkv.backend();
        var s = qkv.storage();
        Tensor logits = Tensor.empty(lShape);
        for (int hi = 0; hi < h; hi++) { // q·kᵀ for head hi, all batches
            be.gemm(b, false, true, n, n, d, s, hi * d, ld, sQkv, s, c + hi * d, ld, sQkv, logits.storage(), hi * nn, n, sL, false);
        }
        be.scale(logits.storage(), scale, logits.storage());
        if (bias != null) {
            Tensor biased = Tensor.empty(lShape);
            be.binary(org.vitarena.core.backend.BinaryOp.ADD, logits.storage(), Arith.broadcastStrides(lShape, lShape),
                    bias.storage(), biasStrides, biased.storage(), lShape);
            logits = biased;
        }
        Tensor p = Tensor.empty(lShape);
        be.softmax(logits.storage(), b * h * n, n, p.storage());
        logits = null;
        Tensor out = Tensor.empty(b, n, c);
        for (int hi = 0; hi < h; hi++) { // p·v into [B, N, H, D]
            be.gemm(b, false, false, n, d, n, p.storage(), hi * nn, n, sL, s, 2 * c + hi * d, ld, sQkv, out.storage(), hi * d, c, n * c, false);
        }
        return Tensor.record("attention", out, g -> {
            var gs = g.storage();
            boolean biasGrad = bias != null && bias.needsGrad();
            Tensor dP = Tensor.empty(lShape);
            for (int hi = 0; hi < h; hi++) { // dP = dOut·vᵀ
                be.gemm(b, false, true, n, n, d, gs, hi * d, c, n * c, s, 2 * c + hi * d, ld, sQkv, dP.storage(), hi * nn, n, sL, false);
            }
            Tensor dbias = null;
            Tensor dL = Tensor.empty(lShape);
            if (biasGrad) {
                be.softmaxBackward(p.storage(), dP.storage(), b * h * n, n, dL.storage(), false);
                dbias = Arith.reduceTo(dL, bias.shape());
                if (dbias == dL) {
                    dbias = Tensor.zeros(bias.shape());
                    be.copy(dL.storage(), 0, dbias.storage(), 0, dL.size());
                }
                be.scale(dL.storage(), scale, dL.storage());
            } else {
                be.scale(dP.storage(), scale, dP.storage()); // softmax' is linear in dP: fold the scale in here
                be.softmaxBackward(p.storage(), dP.storage(), b * h * n, n, dL.storage(), false);
            }
            dP = null;
            Tensor dqkv = null;
            if (qkv.needsGrad()) {
                dqkv = Tensor.empty(b, n, 3 * c);
                var ds = dqkv.storage();
                for (int hi = 0; hi < h; hi++) {
                    // dq = (scale·dL)·k, dk = (scale·dL)ᵀ·q, dv = Pᵀ·dOut
                    be.gemm(b, false, false, n, d, n, dL.storage(), hi * nn, n, sL, s, c + hi * d, ld, sQkv, ds, hi * d, ld, sQkv, false);
                    be.gemm(b, true, false, n, d, n, dL.storage(), hi * nn, n, sL, s, hi * d, ld, sQkv, ds, c + hi * d, ld, sQkv, false);
                    be.gemm(b, true, false, n, d, n, p.storage(), hi * nn, n, sL, gs, hi * d, c, n * c, ds, 2 * c + hi * d, ld, sQkv, false);
                }
            }
            return new Tensor[]{dqkv, dbias};
        }, qkv, bias);
    }

    /**
     * The first half of attention for variants that transform the logits between the two products
     * (CaiT's talking heads): logits = scale·q·kᵀ [B, H, N, N], q and k read in place from qkv [B, N, 3C].
     *
     * <p>Backward: dq = scale·dL·k and dk = scale·dLᵀ·q written into d(qkv), whose v part is zero.
     */
    public static Tensor scoresFromQkv(Tensor qkv, int heads, float scale) {
        checkQkv(qkv, heads);
        final int b = qkv.dim(0), n = qkv.dim(1), c = qkv.dim(2) / 3, h = heads, d = c / h;
        final int ld = 3 * c, sQkv = n * ld, nn = n * n, sL = h * nn;
        Backend be = qkv.backend();
        var s = qkv.storage();
        Tensor logits = Tensor.empty(b, h, n, n);
        for (int hi = 0; hi < h; hi++) {
            be.gemm(b, false, true, n, n, d, s, hi * d, ld, sQkv, s, c + hi * d, ld, sQkv, logits.storage(), hi * nn, n, sL, false);
        }
        be.scale(logits.storage(), scale, logits.storage());
        return Tensor.record("attention_scores", logits, g -> {
            Tensor dL = Tensor.empty(b, h, n, n);
            be.scale(g.storage(), scale, dL.storage());
            Tensor dqkv = Tensor.zeros(b, n, 3 * c);
            var ds = dqkv.storage();
            for (int hi = 0; hi < h; hi++) {
                be.gemm(b, false, false, n, d, n, dL.storage(), hi * nn, n, sL, s, c + hi * d, ld, sQkv, ds, hi * d, ld, sQkv, false);
                be.gemm(b, true, false, n, d, n, dL.storage(), hi * nn, n, sL, s, hi * d, ld, sQkv, ds, c + hi * d, ld, sQkv, false);
            }
            return new Tensor[]{dqkv};
        }, qkv);
    }

    /**
     * The second half: out = P·v in head-concatenated layout [B, N, C], for attention weights
     * P [B, H, N, N] and v read in place from qkv [B, N, 3C].
     *
     * <p>Backward: dP = dOut·vᵀ; dv = Pᵀ·dOut written into d(qkv), whose q and k parts are zero.
     */
    public static Tensor valuesFromQkv(Tensor p, Tensor qkv, int heads) {
        checkQkv(qkv, heads);
        final int b = qkv.dim(0), n = qkv.dim(1), c = qkv.dim(2) / 3, h = heads, d = c / h;
        final int ld = 3 * c, sQkv = n * ld, nn = n * n, sL = h * nn;
        if (!Arrays.equals(p.shape(), new int[]{b, h, n, n})) {
            throw new IllegalArgumentException("attention weights " + Arrays.toString(p.shape()) + " for qkv " + Arrays.toString(qkv.shape()) + " and " + h + " heads");
        }
        Backend be = qkv.backend();
        var s = qkv.storage();
        Tensor out = Tensor.empty(b, n, c);
        for (int hi = 0; hi < h; hi++) {
            be.gemm(b, false, false, n, d, n, p.storage(), hi * nn, n, sL, s, 2 * c + hi * d, ld, sQkv, out.storage(), hi * d, c, n * c, false);
        }
        return Tensor.record("attention_values", out, g -> {
            var gs = g.storage();
            Tensor dP = null, dqkv = null;
            if (p.needsGrad()) {
                dP = Tensor.empty(b, h, n, n);
                for (int hi = 0; hi < h; hi++) {
                    be.gemm(b, false, true, n, n, d, gs, hi * d, c, n * c, s, 2 * c + hi * d, ld, sQkv, dP.storage(), hi * nn, n, sL, false);
                }
            }
            if (qkv.needsGrad()) {
                dqkv = Tensor.zeros(b, n, 3 * c);
                for (int hi = 0; hi < h; hi++) {
                    be.gemm(b, true, false, n, d, n, p.storage(), hi * nn, n, sL, gs, hi * d, c, n * c, dqkv.storage(), 2 * c + hi * d, ld, sQkv, false);
                }
            }
            return new Tensor[]{dP, dqkv};
        }, p, qkv);
    }

    private static void checkQkv(Tensor qkv, int heads) {
        if (qkv.rank() != 3 || qkv.dim(2) % (3 * heads) != 0) {
            throw new IllegalArgumentException("attention: qkv " + Arrays.toString(qkv.shape()) + " is not [B, N, 3C] with C divisible by " + heads + " heads");
        }
    }
}
