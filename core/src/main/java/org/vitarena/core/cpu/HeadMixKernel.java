package org.vitarena.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Talking heads' mix across the head dimension, streamed: y[b, o, s] = Σ_i c(o, i)·x[b, i, s]
 * (+ bias[o]), c(o, i) = w[o·I + i] (w [O, I]) or, transposed, w[i·O + o] (w [I, O]: the input
 * gradient of the forward mix). Legend: B items, I input and O output heads, S per-head elements
 * (N·N of an attention map).
 *
 * <p>{@link org.vitarena.core.ops.HeadMix} composes the same map from batched products whose
 * K is P·I (P items mixed at once by a block-diagonal weight, P·O = 8 rows): with 6-row tiles half
 * the tiles were edges, and K = 8 left each tile mostly loading and storing (cait_demo: 8% of a
 * training step in these products and in the product that broadcasts the bias; this pass takes
 * 78 against 211 µs for [32, 4, 64·64], two threads). Here every element is the composed
 * product's sum in the composed order: a chain of fused multiply-adds over i from zero (the
 * products sum K = P·I ≤ 32 in one k-block; the block diagonal's zeros add nothing: the chain
 * starts at +0 and can never be −0, and x + ±0 = x otherwise), then + bias. That holds for finite
 * inputs: an infinite logit made the composed product's 0·∞ a NaN in the item mixed beside it,
 * which this kernel does not. {@link #weightGrad} computes the weight gradient's diagonal blocks.
 */
final class HeadMixKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    /** Per-head elements per parallel work unit. */
    private static final int BLOCK = 2048;

    private HeadMixKernel() {}

    /**
     * y [B, O, S] = the mix of x [B, I, S], as the class comment says, for I = 4.
     *
     * @return false, computing nothing, unless I is 4 (CaiT's XXS models and cait_demo: with a loop
     *     over I the JIT kept the accumulator in memory, and eight heads ran 3.8 times slower than
     *     the composed products) and every size is positive
     */
    static boolean mix(float[] x, float[] w, float[] bias, int batch, int in, int out, int s,
                       boolean transposed, float[] y) {
        if (batch <= 0 || in != 4 || out <= 0 || s <= 0) return false;
        float[] c = new float[out * in]; // c[o·I + i], whichever way w is stored
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) c[o * in + i] = transposed ? w[i * out + o] : w[o * in + i];
        }
        int blocks = (s + BLOCK - 1) / BLOCK;
        int grain = (int) Math.max(1, (1L << 16) / ((long) in * out * Math.min(s, BLOCK)));
        CpuThreads.parallelRange(batch * blocks, grain, (lo, hi) -> {
            for (int u = lo; u < hi; u++) {
                int b = u / blocks, j0 = (u % blocks) * BLOCK;
                block4(x, b * in * s, c, bias, out, s, y, b * out * s, j0, Math.min(s, j0 + BLOCK));
            }
        });
        return true;
    }

    /**
     * Columns [j0, j1) of one item with four input heads: x rows at xBase + i·S (each column
     * vector's four loaded once for all O outputs), y rows at yBase + o·S.
     */
    private static void block4(float[] x, int xBase, float[] c, float[] bias, int out, int s,
                               float[] y, int yBase, int j0, int j1) {
        int j = j0;
        FloatVector zero = FloatVector.zero(S);
        for (int upper = j0 + S.loopBound(j1 - j0); j < upper; j += VL) {
            int xi = xBase + j;
            FloatVector x0 = FloatVector.fromArray(S, x, xi), x1 = FloatVector.fromArray(S, x, xi + s);
            FloatVector x2 = FloatVector.fromArray(S, x, xi + 2 * s), x3 = FloatVector.fromArray(S, x, xi + 3 * s);
            for (int o = 0, co = 0; o < out; o++, co += 4) {
                FloatVector acc = FloatVector.broadcast(S, c[co]).fma(x0, zero);
                acc = FloatVector.broadcast(S, c[co + 1]).fma(x1, acc);
                acc = FloatVector.broadcast(S, c[co + 2]).fma(x2, acc);
                acc = FloatVector.broadcast(S, c[co + 3]).fma(x3, acc);
                if (bias != null) acc = acc.add(bias[o]);
                acc.intoArray(y, yBase + o * s + j);
            }
        }
        // the ragged end one column at a time, each the chain of a vector lane
        for (; j < j1; j++) {
            int xi = xBase + j;
            for (int o = 0, co = 0; o < out; o++, co += 4) {
                float acc = Math.fma(c[co], x[xi], 0f);
                acc = Math.fma(c[co + 1], x[xi + s], acc);
                acc = Math.fma(c[co + 2], x[xi + 2 * s], acc);
                acc = Math.fma(c[co + 3], x[xi + 3 * s], acc);
                y[yBase + o * s + j] = bias != null ? acc + bias[o] : acc;
            }
        }
    }

    /** Splits of S the weight gradient takes: one vector lane per split. */
    private static final int T = 8;
    /** Per-thread transposed rows of dOut and x, grown on demand and reused. */
    private static final ThreadLocal<float[][]> DT = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> XT = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * The weight gradient of the forward mix, dw [G, H] = Σ_b dOut[b]·x[b]ᵀ, for H = 4 and S split
     * in T = 8 blocks of L = S/8, as {@link org.vitarena.core.ops.HeadMix}'s composed gradient
     * computes it, bit for bit: per item the product [G·T, H·T] of dOut[b] read as [G·T, L] and x[b]
     * as [H·T, L] (k-blocks of {@link Gemm#kBlock}: each element the chain of fused multiply-adds
     * over the first block from zero, then each next block's chain plus the element), its rows summed
     * over items as {@link CpuBackend#sumRowsInto} sums them, and dw[g, h] the double sum over t of the diagonal blocks' (g·T + t, h·T + t).
     * Only those diagonal elements are computed (the product computes T times more), each item's
     * rows transposed ({@link Gemm#transposeMatrix}) so that a vector holds the T blocks: lane t of E[g][h] is element
     * (g·T + t, h·T + t).
     *
     * @param dw [G, H], overwritten
     * @return false, computing nothing, unless H is 4, T is 8, vectors have 8 lanes (the
     *     transposition's), and the product is not split along k ({@link Gemm#kSplit})
     */
    static boolean weightGrad(float[] dOut, float[] x, int batch, int g, int h, int s, int t, float[] dw) {
        if (batch <= 0 || g <= 0 || h != 4 || t != T || VL != T || s % T != 0 || Gemm.kSplit(g * T, h * T, s / T)) {
            return false;
        }
        int l = s / T, kc = Gemm.kBlock(l);
        int per = g * h * T; // E[b][g][h][t]
        float[] e = new float[batch * per];
        CpuThreads.parallelRange(batch, 1, (lo, hi) -> {
            float[] dT = CpuThreads.scratch(DT, g * s), xT = CpuThreads.scratch(XT, h * s);
            for (int b = lo; b < hi; b++) {
                // row r of an item [R, S] read as [T, L], transposed: dT[(r·L + i)·T + t]
                for (int r = 0; r < g; r++) Gemm.transposeMatrix(dOut, (b * g + r) * s, l, T, l, dT, r * l * T, T);
                for (int r = 0; r < h; r++) Gemm.transposeMatrix(x, (b * h + r) * s, l, T, l, xT, r * l * T, T);
                for (int gi = 0; gi < g; gi++) diagonal4(dT, gi * l * T, xT, l, kc, e, b * per + gi * h * T);
            }
        });
        // Σ over items as sumRowsInto sums them, onto zeros; then the diagonal blocks' double sum
        // over t (sumTo, x's order), onto zeros
        float[] summed = new float[per];
        CpuBackend.sumRowsInto(e, batch, per, summed);
        for (int gh = 0; gh < g * h; gh++) {
            double acc = 0;
            for (int ti = 0; ti < T; ti++) acc += summed[gh * T + ti];
            dw[gh] = 0f + (float) acc;
        }
        return true;
    }

    /**
     * e[eOff + h·T + t] for h < 4: lane t is Σ_i dT[d + i·T + t]·xT[h·L·T + i·T + t], k-block by
     * k-block as the product sums it.
     */
    private static void diagonal4(float[] dT, int d, float[] xT, int l, int kc, float[] e, int eOff) {
        int x1 = l * T, x2 = 2 * l * T, x3 = 3 * l * T;
        for (int p0 = 0; p0 < l; p0 += kc) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int i = p0, end = Math.min(l, p0 + kc); i < end; i++) {
                int o = i * T;
                FloatVector dv = FloatVector.fromArray(S, dT, d + o);
                a0 = dv.fma(FloatVector.fromArray(S, xT, o), a0);
                a1 = dv.fma(FloatVector.fromArray(S, xT, x1 + o), a1);
                a2 = dv.fma(FloatVector.fromArray(S, xT, x2 + o), a2);
                a3 = dv.fma(FloatVector.fromArray(S, xT, x3 + o), a3);
            }
            // the block's sums stored, or added to the stored ones, as the product's kernels do with
            // C (vectors carried across the blocks were boxed: C2 ran the loop through the
            // library's Java fallbacks)
            if (p0 > 0) {
                a0 = a0.add(FloatVector.fromArray(S, e, eOff));
                a1 = a1.add(FloatVector.fromArray(S, e, eOff + T));
                a2 = a2.add(FloatVector.fromArray(S, e, eOff + 2 * T));
                a3 = a3.add(FloatVector.fromArray(S, e, eOff + 3 * T));
            }
            a0.intoArray(e, eOff);
            a1.intoArray(e, eOff + T);
            a2.intoArray(e, eOff + 2 * T);
            a3.intoArray(e, eOff + 3 * T);
        }
    }
}
