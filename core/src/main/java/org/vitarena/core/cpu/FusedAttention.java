package org.vitarena.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multi-head attention's forward, one (item, head) at a time with its N×N map kept in cache:
 * logits = q·kᵀ, then ·scale and + bias, then softmax, then P·v, before the next (item, head);
 * and its backward when the bias needs no gradient, the same way ({@link #backward}).
 * Legend: B items, N tokens, C channels, H heads, D = C/H head dim.
 *
 * <p>The composed forward (one batched product per head, then scale, bias and softmax as passes
 * over the whole [B, H, N, N] map, then the second product) streams that map through memory four
 * to six times: for Swin-T/2 at 64 px and batch 64 it is 12.6 MB per block of stage 1, against
 * 1 KiB per (window, head) here. Every number is computed as the composed path computes it: the
 * products through {@link Gemm#sgemmSerial} (the path {@link Gemm#sgemm} takes for that shape),
 * the scale as {@code x * scale} (inside the softmax backward's passes when there is no bias: each
 * product rounded as the stored one is), the bias as a separate addition, the softmax by
 * {@link RowKernels#softmax}; so the result is bit for bit the same.
 */
final class FusedAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Per-thread N×N map when the caller keeps no P. */
    private static final ThreadLocal<float[][]> TILE = ThreadLocal.withInitial(() -> new float[1][0]);

    private FusedAttention() {}

    /**
     * out[b, i, h·D + d] = Σ_j P[b, h, i, j]·v[b, j, h·D + d] with P = softmax(scale·q·kᵀ + bias);
     * q, k, v read in place from qkv [B, N, 3C] (columns 0, C, 2C + h·D, row stride 3C).
     *
     * @param bias        null, or read at {@code bi·bs[0] + h·bs[1] + i·bs[2] + j·bs[3]} (broadcast
     *                    strides over [B, H, N, N])
     * @param p           [B, H, N, N] to keep the attention weights for the backward, or null
     * @return false, computing nothing, for the shapes {@link #declines} (the caller composes the
     *     forward instead)
     */
    static boolean forward(float[] qkv, int b, int n, int c, int heads, float scale, float[] bias,
                           int[] bs, float[] p, float[] out) {
        int d = c / heads;
        if (declines(n, d)) return false;
        int ld = 3 * c;
        CpuThreads.parallelRange(b * heads, grain(2L * n * n * d), (lo, hi) -> {
            float[] t;
            int tOff;
            for (int it = lo; it < hi; it++) {
                int bi = it / heads, h = it % heads;
                if (p != null) {
                    t = p;
                    tOff = it * n * n;
                } else {
                    t = tile(n * n);
                    tOff = 0;
                }
                int base = bi * n * ld;
                // logits = q·kᵀ [N, N]
                Gemm.sgemmSerial(false, true, n, n, d, qkv, base + h * d, ld, qkv, base + c + h * d, ld, t, tOff, n);
                for (int i = 0; i < n; i++) {
                    int row = tOff + i * n;
                    if (bias == null) {
                        scaleRow(t, row, t, row, n, scale);
                    } else {
                        scaleAddRow(t, row, n, scale, bias, bi * bs[0] + h * bs[1] + i * bs[2], bs[3]);
                    }
                }
                // rows [tOff/n, tOff/n + n) of t viewed as [*, N]: tOff is a multiple of n
                RowKernels.softmax(t, t, n, tOff / n, tOff / n + n);
                // out rows of this head = P·v [N, D]
                Gemm.sgemmSerial(false, false, n, d, n, t, tOff, n, qkv, base + 2 * c + h * d, ld, out, bi * n * c + h * d, c);
            }
        });
        return true;
    }

    /**
     * The backward of {@link #forward}, per (item, head) while its maps are in cache: dP = dOut·vᵀ,
     * dL = softmax'(P, dP), dq = scale·dL·k, dk = scale·dLᵀ·q and dv = Pᵀ·dOut written into dqkv
     * [B, N, 3C] (every element). The composed backward runs the same products (through
     * {@link Gemm#sgemmSerial}), the same scale and the same {@link RowKernels#softmaxBackward}, one
     * pass over the whole map each: the same bits. Its two orders are kept: without a bias gradient
     * the scale goes onto dP (softmax' is linear in it); with one ({@code keepLogitGrad}) softmax'
     * takes dP as it is, dL stays in {@code dL} for the caller's bias gradient, and its scaled copy
     * goes through a per-thread tile into the products (Swin's windows: their composed backward
     * streamed the [B, H, N, N] maps through memory for each product).
     *
     * @param keepLogitGrad whether the bias needs its gradient (see above)
     *
     * @param p    the kept attention weights [B, H, N, N]
     * @param dL   [B, H, N, N], overwritten: scratch, or with {@code keepLogitGrad} dL on return
     * @return false, computing nothing, for the shapes {@link #declines}
     */
    static boolean backward(float[] qkv, float[] p, float[] dOut, int b, int n, int c, int heads, float scale,
                            float[] dL, float[] dqkv, boolean keepLogitGrad) {
        int d = c / heads;
        if (declines(n, d)) return false;
        int ld = 3 * c;
        CpuThreads.parallelRange(b * heads, grain(5L * n * n * d), (lo, hi) -> {
            for (int it = lo; it < hi; it++) {
                int bi = it / heads, h = it % heads;
                int base = bi * n * ld, o = bi * n * c + h * d, m = it * n * n;
                // dP = dOut·vᵀ [N, N]
                Gemm.sgemmSerial(false, true, n, n, d, dOut, o, c, qkv, base + 2 * c + h * d, ld, dL, m, n);
                float[] g;
                int gOff;
                if (keepLogitGrad) {
                    // dL = softmax'(P, dP) in place (rows [m/n, m/n + n) of [*, N]), then scale·dL in a tile
                    RowKernels.softmaxBackward(p, dL, dL, false, n, it * n, it * n + n);
                    g = tile(n * n);
                    gOff = 0;
                    for (int i = 0; i < n; i++) scaleRow(dL, m + i * n, g, i * n, n, scale);
                } else {
                    RowKernels.softmaxBackward(p, dL, scale, dL, false, n, it * n, it * n + n);
                    g = dL;
                    gOff = m;
                }
                Gemm.sgemmSerial(false, false, n, d, n, g, gOff, n, qkv, base + c + h * d, ld, dqkv, base + h * d, ld);
                Gemm.sgemmSerial(true, false, n, d, n, g, gOff, n, qkv, base + h * d, ld, dqkv, base + c + h * d, ld);
                Gemm.sgemmSerial(true, false, n, d, n, p, m, n, dOut, o, c, dqkv, base + 2 * c + h * d, ld);
            }
        });
        return true;
    }

    /**
     * Whether N tokens and head dim D are left to the composed path: every product here has k = N or
     * k = D, and one that {@link Gemm#sgemm} could split along k ({@link Gemm#kSplit}) has no serial
     * path with the same sums.
     */
    private static boolean declines(int n, int d) {
        return n <= 0 || d <= 0 || n >= Gemm.KSPLIT_K || d >= Gemm.KSPLIT_K;
    }

    /** (item, head) pairs per parallel chunk: about 2^16 multiply-adds. */
    private static int grain(long perItem) {
        return (int) Math.max(1, (1L << 16) / Math.max(1, perItem));
    }

    private static float[] tile(int size) {
        return CpuThreads.scratch(TILE, size);
    }

    /** y[yo, yo+n) = x[xo, xo+n)·scale (in place when y is x and yo is xo). */
    private static void scaleRow(float[] x, int xo, float[] y, int yo, int n, float scale) {
        int j = 0;
        for (int upper = S.loopBound(n); j < upper; j += S.length()) {
            FloatVector.fromArray(S, x, xo + j).mul(scale).intoArray(y, yo + j);
        }
        for (; j < n; j++) y[yo + j] = x[xo + j] * scale;
    }

    /** x[o + j] = x[o + j]·scale + bias[bo + j·bStride]: two roundings, as scale then add. */
    private static void scaleAddRow(float[] x, int o, int n, float scale, float[] bias, int bo, int bStride) {
        int j = 0;
        if (bStride == 1) {
            for (int upper = S.loopBound(n); j < upper; j += S.length()) {
                FloatVector.fromArray(S, x, o + j).mul(scale).add(FloatVector.fromArray(S, bias, bo + j)).intoArray(x, o + j);
            }
        }
        for (; j < n; j++) x[o + j] = x[o + j] * scale + bias[bo + j * bStride];
    }
}
