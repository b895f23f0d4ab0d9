package org.vitarena.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD row kernels, forward and backward side by side: softmax, LayerNorm, bias add / bias
 * gradient. Each works on the rows [lo, hi) of a row-major matrix so that {@link CpuBackend}
 * can split rows over threads. The last partial vector of a row is handled with a mask.
 *
 * <p>Legend: R rows, C columns (the last dimension), r a row, c a column.
 */
final class RowKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    private RowKernels() {}

    /**
     * Σ lanes of v, added in lane order. {@code reduceLanes(ADD)} may add in a different order once
     * JIT-compiled than in the interpreter, so the same input could give two results.
     */
    private static float sum(FloatVector v, float[] tmp) {
        v.intoArray(tmp, 0);
        return lanes(tmp, 0);
    }

    /**
     * Σ tmp[o, o + VL) in lane order: a vector spilled there (after the scalar tail of a row has been
     * added to its lanes).
     */
    private static float lanes(float[] tmp, int o) {
        float s = 0;
        for (int i = 0; i < VL; i++) s += tmp[o + i];
        return s;
    }

    // ---- softmax ---------------------------------------------------------------------------

    /**
     * y[r] = softmax(x[r]) for rows [lo, hi) of a [R, C] matrix. Whole vectors run unmasked; the
     * ragged tail one float at a time through {@link VecMath#exp(float)}, which gives a lane's bits,
     * each tail float added to the lane of the sum it would have in a vector, so the result is the
     * same bits as an all-masked loop. One call site of the vector {@code exp}: with a second one for
     * the tail, C2 ran out of nodes (NodeCountInliningCutoff), called the tail's exp out of line and
     * boxed its vectors, for every row of 65 tokens (Zen 3: 132 ns a 65-wide row). The tail then
     * went through the loops' bodies from a copy padded with -inf (116 ns a row; 79 for 64 columns),
     * which cost a ninth vector of exps for one float. No masked loads or stores either: a masked
     * store is microcoded on AMD's cores (149 ns a row). Not two rows at a time as
     * {@link #softmaxBackward} goes: with two exps in one loop C2 boxed the vectors of that loop in
     * ViT-Tiny's attention (`runner bench`: 36.6 MiB of heap allocated an inference step against
     * 0.5), though not in a benchmark of the kernel alone.
     */
    static void softmax(float[] x, float[] y, int cols, int lo, int hi) {
        float[] tmp = new float[VL];
        int full = S.loopBound(cols);
        for (int r = lo; r < hi; r++) {
            int off = r * cols;
            FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int c = 0; c < full; c += VL) {
                vmax = vmax.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, off + c));
            }
            float max = vmax.reduceLanes(VectorOperators.MAX);
            for (int c = full; c < cols; c++) max = Math.max(max, x[off + c]);
            FloatVector vsum = FloatVector.zero(S);
            for (int c = 0; c < full; c += VL) {
                FloatVector e = VecMath.exp(FloatVector.fromArray(S, x, off + c).sub(max));
                e.intoArray(y, off + c);
                vsum = vsum.add(e);
            }
            // sum(vsum, tmp) written out: C2 declined that call too (NodeCountInliningCutoff, after
            // the exp) and boxed vsum, once a row. The tail's exps go to the lanes they would have
            // in a vector (the lanes past it would add exp(-inf) = +0, which changes no lane)
            vsum.intoArray(tmp, 0);
            for (int c = full; c < cols; c++) {
                float e = VecMath.exp(x[off + c] - max);
                y[off + c] = e;
                tmp[c - full] += e;
            }
            float inv = 1f / lanes(tmp, 0);
            for (int c = 0; c < full; c += VL) {
                FloatVector.fromArray(S, y, off + c).mul(inv).intoArray(y, off + c);
            }
            for (int c = full; c < cols; c++) {
                y[off + c] = y[off + c] * inv;
            }
        }
    }

    /** dx[r] (+)= y[r]·(dy[r] − ⟨dy[r], y[r]⟩) for rows [lo, hi); dx may be dy. */
    static void softmaxBackward(float[] y, float[] dy, float[] dx, boolean accumulate, int cols, int lo, int hi) {
        softmaxBackward(y, dy, 1f, dx, accumulate, cols, lo, hi);
    }

    /**
     * {@link #softmaxBackward} of dy·scale: the same bits as {@code dy·scale} stored and then
     * {@link #softmaxBackward}, without that pass. dx may be dy.
     */
    static void softmaxBackward(float[] y, float[] dy, float scale, float[] dx, boolean accumulate, int cols,
                                int lo, int hi) {
        // whole vectors unmasked, the ragged tail one float at a time (as in softmax): the same bits
        // as a mask on every iteration, which is several times slower (and a masked tail spent most
        // of a 65-wide row checking its mask, Zen 3). Rows go in pairs (softmaxBackward2).
        float[] tmp = new float[2 * VL];
        int full = S.loopBound(cols);
        int r = lo;
        for (; r + 1 < hi; r += 2) softmaxBackward2(y, dy, scale, dx, accumulate, cols, full, r * cols, tmp);
        if (r < hi) softmaxBackward1(y, dy, scale, dx, accumulate, cols, full, r * cols, tmp);
    }

    /**
     * Rows o0/cols and o0/cols + 1 of {@link #softmaxBackward}, their passes interleaved: each row's
     * dot product is a chain of dependent fused multiply-adds, then a sum over lanes, before its
     * second pass can start. Every number as {@link #softmaxBackward1} computes it: the same bits.
     */
    private static void softmaxBackward2(float[] y, float[] dy, float scale, float[] dx, boolean accumulate, int cols, int full,
                                         int o0, float[] tmp) {
        int o1 = o0 + cols;
        FloatVector vdot0 = FloatVector.zero(S);
        FloatVector vdot1 = FloatVector.zero(S);
        for (int c = 0; c < full; c += VL) {
            vdot0 = FloatVector.fromArray(S, dy, o0 + c).mul(scale).fma(FloatVector.fromArray(S, y, o0 + c), vdot0);
            vdot1 = FloatVector.fromArray(S, dy, o1 + c).mul(scale).fma(FloatVector.fromArray(S, y, o1 + c), vdot1);
        }
        vdot0.intoArray(tmp, 0);
        vdot1.intoArray(tmp, VL);
        for (int c = full; c < cols; c++) {
            tmp[c - full] = Math.fma(dy[o0 + c] * scale, y[o0 + c], tmp[c - full]);
            tmp[VL + c - full] = Math.fma(dy[o1 + c] * scale, y[o1 + c], tmp[VL + c - full]);
        }
        float dot0 = lanes(tmp, 0);
        float dot1 = lanes(tmp, VL);
        for (int c = 0; c < full; c += VL) {
            FloatVector g0 = FloatVector.fromArray(S, dy, o0 + c).mul(scale).sub(dot0).mul(FloatVector.fromArray(S, y, o0 + c));
            FloatVector g1 = FloatVector.fromArray(S, dy, o1 + c).mul(scale).sub(dot1).mul(FloatVector.fromArray(S, y, o1 + c));
            if (accumulate) {
                g0 = g0.add(FloatVector.fromArray(S, dx, o0 + c));
                g1 = g1.add(FloatVector.fromArray(S, dx, o1 + c));
            }
            g0.intoArray(dx, o0 + c);
            g1.intoArray(dx, o1 + c);
        }
        for (int c = full; c < cols; c++) {
            float g0 = (dy[o0 + c] * scale - dot0) * y[o0 + c];
            float g1 = (dy[o1 + c] * scale - dot1) * y[o1 + c];
            dx[o0 + c] = accumulate ? g0 + dx[o0 + c] : g0;
            dx[o1 + c] = accumulate ? g1 + dx[o1 + c] : g1;
        }
    }

    /** Row off/cols of {@link #softmaxBackward}. */
    private static void softmaxBackward1(float[] y, float[] dy, float scale, float[] dx, boolean accumulate, int cols, int full,
                                         int off, float[] tmp) {
        FloatVector vdot = FloatVector.zero(S);
        for (int c = 0; c < full; c += VL) {
            vdot = FloatVector.fromArray(S, dy, off + c).mul(scale).fma(FloatVector.fromArray(S, y, off + c), vdot);
        }
        // the tail's products go to the lanes they would have in a masked vector (its other
        // lanes would add 0·0, which changes no lane)
        vdot.intoArray(tmp, 0);
        for (int c = full; c < cols; c++) tmp[c - full] = Math.fma(dy[off + c] * scale, y[off + c], tmp[c - full]);
        float dot = lanes(tmp, 0);
        for (int c = 0; c < full; c += VL) {
            FloatVector g = FloatVector.fromArray(S, dy, off + c).mul(scale).sub(dot).mul(FloatVector.fromArray(S, y, off + c));
            if (accumulate) g = g.add(FloatVector.fromArray(S, dx, off + c));
            g.intoArray(dx, off + c);
        }
        for (int c = full; c < cols; c++) {
            float g = (dy[off + c] * scale - dot) * y[off + c];
            dx[off + c] = accumulate ? g + dx[off + c] : g;
        }
    }

    // ---- LayerNorm -------------------------------------------------------------------------

    /** y = (x − mean)·rstd·w (+ b) per row, saving mean and rstd, for rows [lo, hi); tail-only masking as in softmax. */
    static void layerNorm(float[] x, float[] w, float[] b, float[] y, float[] mean, float[] rstd, int cols, float eps,
                          int lo, int hi) {
        float[] tmp = new float[VL];
        int full = S.loopBound(cols);
        VectorMask<Float> tail = S.indexInRange(full, cols);
        for (int r = lo; r < hi; r++) {
            int off = r * cols;
            FloatVector vs = FloatVector.zero(S);
            for (int c = 0; c < full; c += VL) vs = vs.add(FloatVector.fromArray(S, x, off + c));
            if (full < cols) vs = vs.add(FloatVector.fromArray(S, x, off + full, tail));
            float mu = sum(vs, tmp) / cols;
            FloatVector vv = FloatVector.zero(S);
            for (int c = 0; c < full; c += VL) {
                FloatVector t = FloatVector.fromArray(S, x, off + c).sub(mu);
                vv = t.fma(t, vv);
            }
            if (full < cols) {
                FloatVector t = FloatVector.fromArray(S, x, off + full, tail).sub(mu);
                vv = t.fma(t, vv).blend(vv, tail.not());
            }
            float rs = (float) (1.0 / Math.sqrt(sum(vv, tmp) / cols + eps));
            mean[r] = mu;
            rstd[r] = rs;
            for (int c = 0; c < full; c += VL) {
                FloatVector v = FloatVector.fromArray(S, x, off + c).sub(mu).mul(rs).mul(FloatVector.fromArray(S, w, c));
                if (b != null) v = v.add(FloatVector.fromArray(S, b, c));
                v.intoArray(y, off + c);
            }
            if (full < cols) {
                FloatVector v = FloatVector.fromArray(S, x, off + full, tail).sub(mu).mul(rs).mul(FloatVector.fromArray(S, w, full, tail));
                if (b != null) v = v.add(FloatVector.fromArray(S, b, full, tail));
                v.intoArray(y, off + full, tail);
            }
        }
    }

    /** dx += rstd·(g·w − mean(g·w) − x̂·mean(g·w·x̂)) per row, for rows [lo, hi). */
    static void layerNormBackwardInput(float[] dy, float[] x, float[] w, float[] mean, float[] rstd, float[] dx, int cols,
                                       int lo, int hi) {
        // whole vectors unmasked, the ragged tail masked (as in softmax): the same bits
        float[] tmp = new float[VL];
        int full = S.loopBound(cols);
        VectorMask<Float> tail = S.indexInRange(full, cols);
        for (int r = lo; r < hi; r++) {
            int off = r * cols;
            float mu = mean[r], rv = rstd[r];
            FloatVector sg = FloatVector.zero(S), sgx = FloatVector.zero(S);
            for (int c = 0; c < full; c += VL) {
                FloatVector gw = FloatVector.fromArray(S, dy, off + c).mul(FloatVector.fromArray(S, w, c));
                FloatVector xhat = FloatVector.fromArray(S, x, off + c).sub(mu).mul(rv);
                sg = sg.add(gw);
                sgx = gw.fma(xhat, sgx);
            }
            if (full < cols) {
                FloatVector gw = FloatVector.fromArray(S, dy, off + full, tail).mul(FloatVector.fromArray(S, w, full, tail));
                FloatVector xhat = FloatVector.fromArray(S, x, off + full, tail).sub(mu).mul(rv);
                sg = sg.add(gw);
                sgx = gw.fma(xhat, sgx).blend(sgx, tail.not());
            }
            float meanG = sum(sg, tmp) / cols, meanGX = sum(sgx, tmp) / cols;
            for (int c = 0; c < full; c += VL) {
                FloatVector gw = FloatVector.fromArray(S, dy, off + c).mul(FloatVector.fromArray(S, w, c));
                FloatVector xhat = FloatVector.fromArray(S, x, off + c).sub(mu).mul(rv);
                FloatVector d = gw.sub(meanG).sub(xhat.mul(meanGX)).mul(rv);
                d.add(FloatVector.fromArray(S, dx, off + c)).intoArray(dx, off + c);
            }
            if (full < cols) {
                FloatVector gw = FloatVector.fromArray(S, dy, off + full, tail).mul(FloatVector.fromArray(S, w, full, tail));
                FloatVector xhat = FloatVector.fromArray(S, x, off + full, tail).sub(mu).mul(rv);
                FloatVector d = gw.sub(meanG).sub(xhat.mul(meanGX)).mul(rv);
                d.add(FloatVector.fromArray(S, dx, off + full, tail)).intoArray(dx, off + full, tail);
            }
        }
    }

    /** dw[c] += Σ_r g·x̂, db[c] += Σ_r g over rows [lo, hi) (float partial sums, the caller adds them up in double). */
    static void layerNormBackwardParams(float[] dy, float[] x, float[] mean, float[] rstd, float[] dw, float[] db, int cols,
                                        int lo, int hi) {
        // column blocks of two vectors summed down the rows in registers (as in sumRows): the same
        // operations in the same order as a row-by-row update of dw and db, stored once per block
        int c = 0;
        for (int upper = cols - 2 * VL; c <= upper; c += 2 * VL) {
            FloatVector w0 = FloatVector.fromArray(S, dw, c), w1 = FloatVector.fromArray(S, dw, c + VL);
            FloatVector b0 = FloatVector.fromArray(S, db, c), b1 = FloatVector.fromArray(S, db, c + VL);
            for (int r = lo, off = lo * cols + c; r < hi; r++, off += cols) {
                float mu = mean[r], rv = rstd[r];
                FloatVector g0 = FloatVector.fromArray(S, dy, off), g1 = FloatVector.fromArray(S, dy, off + VL);
                w0 = g0.fma(FloatVector.fromArray(S, x, off).sub(mu).mul(rv), w0);
                w1 = g1.fma(FloatVector.fromArray(S, x, off + VL).sub(mu).mul(rv), w1);
                b0 = g0.add(b0);
                b1 = g1.add(b1);
            }
            w0.intoArray(dw, c);
            w1.intoArray(dw, c + VL);
            b0.intoArray(db, c);
            b1.intoArray(db, c + VL);
        }
        for (; c < cols; c += VL) {
            VectorMask<Float> m = S.indexInRange(c, cols);
            FloatVector w0 = FloatVector.fromArray(S, dw, c, m), b0 = FloatVector.fromArray(S, db, c, m);
            for (int r = lo, off = lo * cols + c; r < hi; r++, off += cols) {
                FloatVector g = FloatVector.fromArray(S, dy, off, m);
                w0 = g.fma(FloatVector.fromArray(S, x, off, m).sub(mean[r]).mul(rstd[r]), w0);
                b0 = g.add(b0);
            }
            w0.intoArray(dw, c, m);
            b0.intoArray(db, c, m);
        }
    }

    // ---- bias ------------------------------------------------------------------------------

    /** out[r] += bias for rows [lo, hi). */
    static void addRowVector(float[] out, float[] bias, int cols, int lo, int hi) {
        for (int r = lo; r < hi; r++) {
            int off = r * cols;
            for (int c = 0; c < cols; c += VL) {
                VectorMask<Float> m = S.indexInRange(c, cols);
                FloatVector.fromArray(S, out, off + c, m).add(FloatVector.fromArray(S, bias, c, m)).intoArray(out, off + c, m);
            }
        }
    }

    /** acc[c] += Σ_{r in [lo, hi)} dy[r, c] (the bias gradient of {@link #addRowVector}), float partial sums. */
    static void sumRows(float[] dy, float[] acc, int cols, int lo, int hi) {
        // column blocks of four vectors summed down the rows in registers, then stored once: the
        // same additions in the same order as acc[c] += dy[r, c] row by row (bit for bit), without
        // a store and a reload of acc per row and vector
        int c = 0;
        for (int upper = cols - 4 * VL; c <= upper; c += 4 * VL) {
            FloatVector s0 = FloatVector.fromArray(S, acc, c), s1 = FloatVector.fromArray(S, acc, c + VL);
            FloatVector s2 = FloatVector.fromArray(S, acc, c + 2 * VL), s3 = FloatVector.fromArray(S, acc, c + 3 * VL);
            for (int r = lo, off = lo * cols + c; r < hi; r++, off += cols) {
                s0 = s0.add(FloatVector.fromArray(S, dy, off));
                s1 = s1.add(FloatVector.fromArray(S, dy, off + VL));
                s2 = s2.add(FloatVector.fromArray(S, dy, off + 2 * VL));
                s3 = s3.add(FloatVector.fromArray(S, dy, off + 3 * VL));
            }
            s0.intoArray(acc, c);
            s1.intoArray(acc, c + VL);
            s2.intoArray(acc, c + 2 * VL);
            s3.intoArray(acc, c + 3 * VL);
        }
        for (; c < cols; c += VL) {
            VectorMask<Float> m = S.indexInRange(c, cols);
            FloatVector s0 = FloatVector.fromArray(S, acc, c, m);
            for (int r = lo, off = lo * cols + c; r < hi; r++, off += cols) {
                s0 = s0.add(FloatVector.fromArray(S, dy, off, m));
            }
            s0.intoArray(acc, c, m);
        }
    }

    // ---- elementwise -----------------------------------------------------------------------

    /** o[oo + j] = op(a[ao + j], b[bo + j] or b[bo] if {@code bScalar}) for j in [0, len). */
    static void binaryRow(org.vitarena.core.backend.BinaryOp op, float[] a, int ao, float[] b, int bo, boolean bScalar,
                          float[] o, int oo, int len) {
        FloatVector bb = bScalar ? FloatVector.broadcast(S, b[bo]) : null;
        int j = 0;
        for (int upper = S.loopBound(len); j < upper; j += VL) {
            FloatVector x = FloatVector.fromArray(S, a, ao + j);
            FloatVector y = bScalar ? bb : FloatVector.fromArray(S, b, bo + j);
            FloatVector r = switch (op) {
                case ADD -> x.add(y);
                case SUB -> x.sub(y);
                case MUL -> x.mul(y);
                case DIV -> x.div(y);
                case FIRST -> x;
            };
            r.intoArray(o, oo + j);
        }
        for (; j < len; j++) {
            float x = a[ao + j], y = bScalar ? b[bo] : b[bo + j];
            o[oo + j] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
                case FIRST -> x;
            };
        }
    }
}
