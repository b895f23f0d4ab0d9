package org.vitarena.core.ops;

import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.Storage;

import java.util.Arrays;

/**
 * Fused multi-head self-attention on a packed qkv buffer, as one graph node. Legend: B batch,
 * N tokens, C channels, H heads, D = C/H head dim.
 *
 * <p>q, k and v are read in place from qkv [B, N, 3C] (timm's layout: [B, N, 3, H, D]) by strided
 * batched products (row stride 3C, one call per head, batched over B), and the output is written
 * straight into [B, N, H, D] = [B, N, C]. This replaces reshape → permute → 3 selects → scale(q) →
 * q·kᵀ → softmax → p·v → transpose → reshape, whose layout copies each had a full-size backward.
 * Only {@link Backend} kernels are used, so device backends run it unchanged. {@link #fromQkv}'s
 * forward runs as one kernel where the backend has one ({@link Backend#attentionForward}: the CPU
 * backend keeps each N×N map in cache and gives the same bits), and so does its backward
 * ({@link Backend#attentionBackward}, with or without the bias's gradient); the composed forms are
 * the fallback.
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
        final Heads L = Heads.of(qkv, heads);
        final int b = L.b, n = L.n, c = L.c, h = L.h;
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
        // P is kept only for a backward; the fused kernel (when the backend has one) then needs no
        // [B, H, N, N] buffer at all
        boolean keepP = NoGrad.enabled() && (qkv.needsGrad() || bias != null && bias.needsGrad());
        Tensor out = Tensor.empty(b, n, c);
        Tensor kept = keepP ? Tensor.empty(lShape) : null;
        final Tensor p;
        if (be.attentionForward(s, b, n, c, h, scale, bias == null ? null : bias.storage(), biasStrides,
                kept == null ? null : kept.storage(), out.storage())) {
            p = kept;
        } else {
            p = kept != null ? kept : Tensor.empty(lShape);
            Tensor logits = Tensor.empty(lShape);
            L.scores(be, s, logits.storage());
            be.scale(logits.storage(), scale, logits.storage());
            if (bias != null) {
                Tensor biased = Tensor.empty(lShape);
                be.binary(org.vitarena.core.backend.BinaryOp.ADD, logits.storage(), Arith.broadcastStrides(lShape, lShape),
                        bias.storage(), biasStrides, biased.storage(), lShape);
                logits = biased;
            }
            be.softmax(logits.storage(), b * h * n, n, p.storage());
            logits = null;
            L.values(be, p.storage(), s, out.storage());
        }
        if (!keepP) return out;
        return Tensor.record("attention", out, g -> {
            var gs = g.storage();
            boolean biasGrad = bias != null && bias.needsGrad();
            Tensor dqkv = qkv.needsGrad() ? Tensor.empty(b, n, 3 * c) : null;
            Tensor dL = Tensor.empty(lShape);
            if (dqkv != null && be.attentionBackward(s, p.storage(), gs, b, n, c, h, scale, biasGrad, dL.storage(), dqkv.storage())) {
                return new Tensor[]{dqkv, biasGrad ? Arith.reduceTo(dL, bias.shape()) : null}; // dL is not touched again
            }
            Tensor dP = Tensor.empty(lShape);
            L.weightGrad(be, gs, s, dP.storage());
            Tensor dbias = null;
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
            if (dqkv != null) {
                L.queryKeyGrad(be, dL.storage(), s, dqkv.storage()); // dq = (scale·dL)·k, dk = (scale·dL)ᵀ·q
                L.valueGrad(be, p.storage(), gs, dqkv.storage());    // dv = Pᵀ·dOut
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
        final Heads L = Heads.of(qkv, heads);
        Backend be = qkv.backend();
        var s = qkv.storage();
        Tensor logits = Tensor.empty(L.b, L.h, L.n, L.n);
        L.scores(be, s, logits.storage());
        be.scale(logits.storage(), scale, logits.storage());
        return Tensor.record("attention_scores", logits, g -> {
            Tensor dL = Tensor.empty(L.b, L.h, L.n, L.n);
            be.scale(g.storage(), scale, dL.storage());
            Tensor dqkv = L.gradZeroing(be, 2 * L.c, L.c); // dv = 0
            L.queryKeyGrad(be, dL.storage(), s, dqkv.storage());
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
        final Heads L = Heads.of(qkv, heads);
        if (!Arrays.equals(p.shape(), new int[]{L.b, L.h, L.n, L.n})) {
            throw new IllegalArgumentException("attention weights " + Arrays.toString(p.shape()) + " for qkv " + Arrays.toString(qkv.shape()) + " and " + L.h + " heads");
        }
        Backend be = qkv.backend();
        var s = qkv.storage();
        Tensor out = Tensor.empty(L.b, L.n, L.c);
        L.values(be, p.storage(), s, out.storage());
        return Tensor.record("attention_values", out, g -> {
            Tensor dP = null, dqkv = null;
            if (p.needsGrad()) {
                dP = Tensor.empty(L.b, L.h, L.n, L.n);
                L.weightGrad(be, g.storage(), s, dP.storage());
            }
            if (qkv.needsGrad()) {
                dqkv = L.gradZeroing(be, 0, 2 * L.c); // dq = dk = 0
                L.valueGrad(be, p.storage(), g.storage(), dqkv.storage());
            }
            return new Tensor[]{dP, dqkv};
        }, p, qkv);
    }

    /**
     * The per-head products on a qkv buffer [B, N, 3C] (q, k, v at column offsets 0, C, 2C + h·D,
     * row stride 3C), the map [B, H, N, N] and the output [B, N, C]: one strided gemm per head,
     * batched over B. Every product overwrites its target region.
     */
    private record Heads(int b, int n, int c, int h, int d) {
        static Heads of(Tensor qkv, int heads) {
            if (qkv.rank() != 3 || qkv.dim(2) % (3 * heads) != 0) {
                throw new IllegalArgumentException("attention: qkv " + Arrays.toString(qkv.shape()) + " is not [B, N, 3C] with C divisible by " + heads + " heads");
            }
            int c = qkv.dim(2) / 3;
            return new Heads(qkv.dim(0), qkv.dim(1), c, heads, c / heads);
        }

        /**
         * A d(qkv) [B, N, 3C] whose columns [from, from + width) are zero in every row, the rest left
         * for a product to overwrite: zero-filling all of it cost twice the memory traffic.
         */
        Tensor gradZeroing(Backend be, int from, int width) {
            Tensor dqkv = Tensor.empty(b, n, 3 * c);
            Tensor zero = Tensor.zeros(width);
            be.copyBlocks(zero.storage(), 0, 0, dqkv.storage(), from, ld(), b * n, width, false);
            return dqkv;
        }

        private int ld() { return 3 * c; }
        private int sQkv() { return n * 3 * c; }
        private int sL() { return h * n * n; }

        /** logits = q·kᵀ. */
        void scores(Backend be, Storage qkv, Storage logits) {
            for (int hi = 0; hi < h; hi++) {
                be.gemm(b, false, true, n, n, d, qkv, hi * d, ld(), sQkv(), qkv, c + hi * d, ld(), sQkv(), logits, hi * n * n, n, sL(), false);
            }
        }

        /** out = P·v, heads concatenated. */
        void values(Backend be, Storage p, Storage qkv, Storage out) {
            for (int hi = 0; hi < h; hi++) {
                be.gemm(b, false, false, n, d, n, p, hi * n * n, n, sL(), qkv, 2 * c + hi * d, ld(), sQkv(), out, hi * d, c, n * c, false);
            }
        }

        /** dP = dOut·vᵀ. */
        void weightGrad(Backend be, Storage dOut, Storage qkv, Storage dP) {
            for (int hi = 0; hi < h; hi++) {
                be.gemm(b, false, true, n, n, d, dOut, hi * d, c, n * c, qkv, 2 * c + hi * d, ld(), sQkv(), dP, hi * n * n, n, sL(), false);
            }
        }

        /** dq = dL·k and dk = dLᵀ·q into the q and k parts of d(qkv). */
        void queryKeyGrad(Backend be, Storage dL, Storage qkv, Storage dqkv) {
            for (int hi = 0; hi < h; hi++) {
                be.gemm(b, false, false, n, d, n, dL, hi * n * n, n, sL(), qkv, c + hi * d, ld(), sQkv(), dqkv, hi * d, ld(), sQkv(), false);
                be.gemm(b, true, false, n, d, n, dL, hi * n * n, n, sL(), qkv, hi * d, ld(), sQkv(), dqkv, c + hi * d, ld(), sQkv(), false);
            }
        }

        /** dv = Pᵀ·dOut into the v part of d(qkv). */
        void valueGrad(Backend be, Storage p, Storage dOut, Storage dqkv) {
            for (int hi = 0; hi < h; hi++) {
                be.gemm(b, true, false, n, d, n, p, hi * n * n, n, sL(), dOut, hi * d, c, n * c, dqkv, 2 * c + hi * d, ld(), sQkv(), false);
            }
        }
    }
}
