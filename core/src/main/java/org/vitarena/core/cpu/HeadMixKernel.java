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
 * product's sum in the composed order: a chain of fused multiply-adds
 * over i from zero (the block diagonal's zeros add nothing: the chain starts at +0 and can never
 * be −0, and x + ±0 = x otherwise), then + bias. The products sum K = P·I ≤ 32 in one k-block.
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
}
