package org.vitarena.core.cpu;

import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.BackendOptions;
import org.vitarena.core.backend.BackendProvider;
import org.vitarena.core.backend.BinaryOp;
import org.vitarena.core.backend.Storage;
import org.vitarena.core.backend.SumToPlan;
import org.vitarena.core.backend.UnaryOp;

import java.util.Arrays;

/**
 * The pure-Java CPU backend: the numerical reference every other backend is tested against, and
 * always available. Kernels work on {@code float[]} and parallelise over rows with {@link CpuThreads}.
 *
 * <p>Legend: R rows, C columns (last dimension), M N K matrix-product sizes, B batch.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    /** Rows per parallel chunk for row-wise kernels, sized so a chunk is roughly 16k floats. */
    private static int grain(int cols) {
        return Math.max(1, 16384 / Math.max(1, cols));
    }

    /**
     * ServiceLoader entry: rank 0, always available. Of the options only {@link BackendOptions#threads()}
     * applies: a positive count sets {@link CpuThreads#setThreads}, 0 keeps the current count.
     */
    public static final class Provider implements BackendProvider {
        @Override public String name() { return "cpu"; }
        @Override public int rank() { return 0; }
        @Override public String unavailableReason() { return null; }

        @Override public Backend create(BackendOptions options) {
            if (options.threads() > 0) CpuThreads.setThreads(options.threads());
            return INSTANCE;
        }
    }

    /** Host memory. */
    public record CpuStorage(float[] data) implements Storage {
        @Override public int size() { return data.length; }
        @Override public Backend backend() { return INSTANCE; }
    }

    private static float[] d(Storage s) {
        return ((CpuStorage) s).data;
    }

    /** The host array behind a CPU storage (no copy). */
    public static float[] array(Storage s) {
        return d(s);
    }

    @Override public String name() { return "cpu"; }

    // ---- memory ------------------------------------------------------------------------------
    @Override public Storage allocate(int n) { return new CpuStorage(new float[n]); }

    @Override public Storage upload(float[] host) { return new CpuStorage(host.clone()); }

    @Override public void write(float[] host, Storage dst) { System.arraycopy(host, 0, d(dst), 0, host.length); }

    @Override public float[] download(Storage s) { return d(s).clone(); }

    @Override public void fill(Storage s, float value) { Arrays.fill(d(s), value); }

    @Override public void copy(Storage src, int srcOff, Storage dst, int dstOff, int n) {
        System.arraycopy(d(src), srcOff, d(dst), dstOff, n);
    }

    @Override
    public void copyBlocks(Storage src, int srcOff, int srcStride, Storage dst, int dstOff, int dstStride,
                           int outer, int len, boolean accumulate) {
        float[] s = d(src), t = d(dst);
        CpuThreads.parallelRange(outer, grain(len), (lo, hi) -> {
            for (int o = lo; o < hi; o++) {
                int so = srcOff + o * srcStride, to = dstOff + o * dstStride;
                if (accumulate) for (int i = 0; i < len; i++) t[to + i] += s[so + i];
                else System.arraycopy(s, so, t, to, len);
            }
        });
    }

    @Override public void axpy(float alpha, Storage x, Storage y) {
        float[] xs = d(x), ys = d(y);
        CpuThreads.parallelRange(xs.length, 1 << 15, (lo, hi) -> {
            for (int i = lo; i < hi; i++) ys[i] += alpha * xs[i];
        });
    }

    @Override public void scale(Storage x, float alpha, Storage out) {
        float[] xs = d(x), o = d(out);
        CpuThreads.parallelRange(xs.length, 1 << 15, (lo, hi) -> {
            for (int i = lo; i < hi; i++) o[i] = alpha * xs[i];
        });
    }

    @Override public double sumSquares(Storage x) {
        double s = 0;
        for (float v : d(x)) s += (double) v * v;
        return s;
    }

    // ---- matrix products ---------------------------------------------------------------------
    @Override
    public void gemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                     Storage a, int aOff, int lda, int strideA, Storage b, int bOff, int ldb, int strideB,
                     Storage c, int cOff, int ldc, int strideC, boolean accumulate) {
        Gemm.sgemm(batch, transA, transB, m, n, k, d(a), aOff, lda, strideA, d(b), bOff, ldb, strideB,
                d(c), cOff, ldc, strideC, accumulate);
    }

    @Override
    public void linear(Storage x, Storage w, Storage bias, int rows, int in, int out, boolean gelu, Storage y) {
        Gemm.sgemmBiasGelu(false, true, rows, out, in, d(x), 0, in, d(w), 0, in, d(y), 0, out,
                bias == null ? null : d(bias), gelu);
    }

    @Override
    public boolean attentionForward(Storage qkv, int batch, int tokens, int channels, int heads, float scale,
                                    Storage bias, int[] biasStrides, Storage p, Storage out) {
        return FusedAttention.forward(d(qkv), batch, tokens, channels, heads, scale, bias == null ? null : d(bias),
                biasStrides, p == null ? null : d(p), d(out));
    }

    @Override
    public boolean attentionBackward(Storage qkv, Storage p, Storage dOut, int batch, int tokens, int channels,
                                     int heads, float scale, boolean biasGrad, Storage dL, Storage dqkv) {
        return FusedAttention.backward(d(qkv), d(p), d(dOut), batch, tokens, channels, heads, scale, d(dL), d(dqkv), biasGrad);
    }

    @Override
    public boolean headMix(Storage x, Storage w, Storage bias, int batch, int in, int out, int s,
                           boolean transposed, Storage y) {
        return HeadMixKernel.mix(d(x), d(w), bias == null ? null : d(bias), batch, in, out, s, transposed, d(y));
    }

    @Override
    public boolean headMixWeightGrad(Storage dOut, Storage x, int batch, int out, int in, int s, int splits,
                                     Storage dw) {
        return HeadMixKernel.weightGrad(d(dOut), d(x), batch, out, in, s, splits, d(dw));
    }

    @Override public void addRowVector(Storage out, Storage bias, int rows, int cols) {
        float[] o = d(out), bs = d(bias);
        CpuThreads.parallelRange(rows, grain(cols), (lo, hi) -> RowKernels.addRowVector(o, bs, cols, lo, hi));
    }

    @Override public void sumRowsInto(Storage dy, int rows, int cols, Storage dbias) {
        sumRowsInto(d(dy), rows, cols, d(dbias));
    }

    /** db[:] += Σ over rows of g[r, :], as {@link #sumRowsInto(Storage, int, int, Storage)} sums it. */
    static void sumRowsInto(float[] g, int rows, int cols, float[] db) {
        int chunks = rowChunks(rows);
        float[][] part = new float[chunks][cols];
        CpuThreads.parallelFor(chunks, ch -> RowKernels.sumRows(g, part[ch], cols, chunkLo(rows, chunks, ch), chunkLo(rows, chunks, ch + 1)));
        for (int c = 0; c < cols; c++) {
            double acc = 0;
            for (float[] pc : part) acc += pc[c];
            db[c] += (float) acc;
        }
    }

    /** Row chunks of at most {@link #SUM_CHUNK} rows for column sums: float partials per chunk, added in double. */
    private static int rowChunks(int rows) {
        return Math.max(1, (rows + SUM_CHUNK - 1) / SUM_CHUNK);
    }

    private static int chunkLo(int rows, int chunks, int ch) {
        return (int) ((long) ch * rows / chunks);
    }

    private static final int SUM_CHUNK = 64;

    // ---- elementwise with broadcasting -------------------------------------------------------
    @Override
    public void binary(BinaryOp op, Storage a, int[] aStrides, Storage b, int[] bStrides, Storage out, int[] outShape) {
        float[] as = d(a), bs = b == null ? null : d(b), o = d(out);
        int rank = outShape.length;
        int total = o.length;
        if (op != BinaryOp.FIRST && bs != null && contiguous(aStrides, outShape) && contiguous(bStrides, outShape)) {
            // same layout everywhere (residual adds): one elementwise pass in long runs, not a call per
            // (possibly 32-float) row; each element is the same single operation either way
            CpuThreads.parallelRange(total, 1 << 14, (lo, hi) -> RowKernels.binaryRow(op, as, lo, bs, lo, false, o, lo, hi - lo));
            return;
        }
        int last = rank == 0 ? 1 : outShape[rank - 1];
        int sa = rank == 0 ? 0 : aStrides[rank - 1], sb = rank == 0 || bs == null ? 0 : bStrides[rank - 1];
        int rows = total / Math.max(1, last);
        CpuThreads.parallelRange(rows, grain(last), (lo, hi) -> {
            // the leading rank-1 coordinates of row lo, then stepped like an odometer (no division per row)
            int[] idx = new int[Math.max(rank - 1, 0)];
            int ao = 0, bo = 0;
            for (int dd = rank - 2, rem = lo; dd >= 0; dd--) {
                idx[dd] = rem % outShape[dd];
                rem /= outShape[dd];
                ao += idx[dd] * aStrides[dd];
                if (bs != null) bo += idx[dd] * bStrides[dd];
            }
            for (int r = lo; r < hi; r++) {
                int oo = r * last;
                if (sa == 1 && (sb == 1 || sb == 0) && op != BinaryOp.FIRST) {
                    RowKernels.binaryRow(op, as, ao, bs, bo, sb == 0, o, oo, last);
                } else {
                    switch (op) {
                        case ADD -> { for (int j = 0; j < last; j++) o[oo + j] = as[ao + j * sa] + bs[bo + j * sb]; }
                        case SUB -> { for (int j = 0; j < last; j++) o[oo + j] = as[ao + j * sa] - bs[bo + j * sb]; }
                        case MUL -> { for (int j = 0; j < last; j++) o[oo + j] = as[ao + j * sa] * bs[bo + j * sb]; }
                        case DIV -> { for (int j = 0; j < last; j++) o[oo + j] = as[ao + j * sa] / bs[bo + j * sb]; }
                        case FIRST -> { for (int j = 0; j < last; j++) o[oo + j] = as[ao + j * sa]; }
                    }
                }
                for (int dd = rank - 2; dd >= 0; dd--) {
                    ao += aStrides[dd];
                    if (bs != null) bo += bStrides[dd];
                    if (++idx[dd] < outShape[dd]) break;
                    idx[dd] = 0;
                    ao -= outShape[dd] * aStrides[dd];
                    if (bs != null) bo -= outShape[dd] * bStrides[dd];
                }
            }
        });
    }

    /** Whether {@code strides} are the row-major strides of {@code shape} (no broadcast, no transpose). */
    private static boolean contiguous(int[] strides, int[] shape) {
        for (int i = shape.length - 1, s = 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != s) return false;
            s *= shape[i];
        }
        return true;
    }

    @Override public void sumTo(Storage x, int[] xShape, Storage out, int[] outStrides) {
        float[] xs = d(x), o = d(out);
        SumToPlan p = SumToPlan.of(xShape, outStrides);
        if (p.kept() == 0) return;
        if (p.columnRows() > 0) { // leading dimensions reduced (a bias or LayerScale gradient): column sums
            sumRowsInto(x, p.columnRows(), (int) p.kept(), out);
            return;
        }
        if (p.trailing() > 1) { // x is R×K×T (a per-channel scale of [B, C, H, W]): contiguous runs of T, no index arithmetic
            int k = (int) p.kept(), t = p.trailing(), rows = (int) (p.reduced() / t);
            CpuThreads.parallelRange(k, Math.max(1, 16384 / (int) Math.max(1, p.reduced())), (lo, hi) -> {
                for (int c = lo; c < hi; c++) {
                    double acc = 0; // in double, in x's order: the same sum as the general path below
                    for (int r = 0; r < rows; r++) {
                        for (int j = (r * k + c) * t, e = j + t; j < e; j++) acc += xs[j];
                    }
                    o[c] += (float) acc;
                }
            });
            return;
        }
        // one output per task, its reduced elements summed in double in x's order
        int kr = p.keptRank(), rr = p.redRank(), reduced = (int) p.reduced();
        int[] ks = p.keptShape(), kx = p.keptX(), ko = p.keptOut(), rs = p.redShape(), rx = p.redX();
        boolean contiguous = rr == 1 && rx[0] == 1; // e.g. per-sample scales: trailing dimensions reduced
        CpuThreads.parallelRange((int) p.kept(), Math.max(1, 16384 / Math.max(1, reduced)), (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                int rem = i, xo = 0, oo = 0;
                for (int k = kr - 1; k >= 0; k--) {
                    xo += (rem % ks[k]) * kx[k];
                    oo += (rem % ks[k]) * ko[k];
                    rem /= ks[k];
                }
                double acc = 0;
                if (contiguous) {
                    for (int j = xo, e = xo + reduced; j < e; j++) acc += xs[j];
                } else {
                    for (int j = 0; j < reduced; j++) {
                        int r2 = j, off = xo;
                        for (int k = rr - 1; k >= 0; k--) {
                            off += (r2 % rs[k]) * rx[k];
                            r2 /= rs[k];
                        }
                        acc += xs[off];
                    }
                }
                o[oo] += (float) acc;
            }
        });
    }

    @Override public void unary(UnaryOp op, Storage x, Storage out) {
        float[] xs = d(x), o = d(out);
        if (op == UnaryOp.GELU) {
            CpuThreads.parallelRange(xs.length, 1 << 13, (lo, hi) -> Activations.gelu(xs, o, lo, hi));
            return;
        }
        CpuThreads.parallelRange(xs.length, 1 << 13, (lo, hi) -> {
            for (int i = lo; i < hi; i++) o[i] = op.apply(xs[i]);
        });
    }

    @Override public void unaryBackward(UnaryOp op, Storage x, Storage dy, Storage dx, boolean accumulate) {
        float[] xs = d(x), g = d(dy), o = d(dx);
        if (op == UnaryOp.GELU) {
            CpuThreads.parallelRange(xs.length, 1 << 13, (lo, hi) -> Activations.geluBackward(xs, g, o, accumulate, lo, hi));
            return;
        }
        CpuThreads.parallelRange(xs.length, 1 << 13, (lo, hi) -> {
            if (accumulate) for (int i = lo; i < hi; i++) o[i] += g[i] * op.derivative(xs[i]);
            else for (int i = lo; i < hi; i++) o[i] = g[i] * op.derivative(xs[i]);
        });
    }

    // ---- layout ------------------------------------------------------------------------------
    @Override public void permute(Storage x, int[] shape, int[] perm, Storage out) {
        float[] xs = d(x), o = d(out);
        int rank = shape.length;
        int[] inStrides = new int[rank];
        int s = 1;
        for (int i = rank - 1; i >= 0; i--) {
            inStrides[i] = s;
            s *= shape[i];
        }
        int[] outShape = new int[rank], srcStride = new int[rank];
        for (int i = 0; i < rank; i++) {
            outShape[i] = shape[perm[i]];
            srcStride[i] = inStrides[perm[i]];
        }
        int last = outShape[rank - 1], lastStride = srcStride[rank - 1];
        int rows = o.length / Math.max(1, last);
        CpuThreads.parallelRange(rows, grain(last), (lo, hi) -> {
            // source offset of row lo, then stepped like an odometer (no division per row: Swin's
            // window partitions copy rows of 32-96 floats, where the divisions cost more than the copy)
            int[] idx = new int[Math.max(rank - 1, 0)];
            int so = 0;
            for (int dd = rank - 2, rem = lo; dd >= 0; dd--) {
                idx[dd] = rem % outShape[dd];
                rem /= outShape[dd];
                so += idx[dd] * srcStride[dd];
            }
            for (int r = lo; r < hi; r++) {
                int oo = r * last;
                if (lastStride == 1) System.arraycopy(xs, so, o, oo, last);
                else for (int j = 0; j < last; j++) o[oo + j] = xs[so + j * lastStride];
                for (int dd = rank - 2; dd >= 0; dd--) {
                    so += srcStride[dd];
                    if (++idx[dd] < outShape[dd]) break;
                    idx[dd] = 0;
                    so -= outShape[dd] * srcStride[dd];
                }
            }
        });
    }

    @Override public void gather(Storage x, int outer, int rowsIn, int inner, int[] index, Storage out) {
        float[] xs = d(x), o = d(out);
        int rowsOut = index.length;
        CpuThreads.parallelRange(outer * rowsOut, grain(inner), (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
                int oi = t / rowsOut, i = t % rowsOut;
                System.arraycopy(xs, (oi * rowsIn + index[i]) * inner, o, t * inner, inner);
            }
        });
    }

    @Override public void scatterAdd(Storage dy, int outer, int rowsIn, int inner, int[] index, Storage dx) {
        float[] g = d(dy), o = d(dx);
        int rowsOut = index.length;
        CpuThreads.parallelRange(outer, 1, (lo, hi) -> {
            for (int oi = lo; oi < hi; oi++) {
                for (int i = 0; i < rowsOut; i++) {
                    int so = (oi * rowsOut + i) * inner, to = (oi * rowsIn + index[i]) * inner;
                    for (int j = 0; j < inner; j++) o[to + j] += g[so + j];
                }
            }
        });
    }

    // ---- normalisation and softmax -----------------------------------------------------------
    @Override
    public void layerNorm(Storage x, Storage w, Storage b, int rows, int cols, float eps,
                          Storage y, Storage mean, Storage rstd) {
        float[] xs = d(x), ws = d(w), bs = b == null ? null : d(b), ys = d(y), ms = d(mean), rs = d(rstd);
        CpuThreads.parallelRange(rows, grain(cols), (lo, hi) -> RowKernels.layerNorm(xs, ws, bs, ys, ms, rs, cols, eps, lo, hi));
    }

    @Override
    public void layerNormBackward(Storage dy, Storage x, Storage w, Storage mean, Storage rstd, int rows, int cols,
                                  Storage dx, Storage dw, Storage db) {
        float[] g = d(dy), xs = d(x), ws = d(w), ms = d(mean), rs = d(rstd);
        if (dx != null) {
            float[] dxs = d(dx);
            CpuThreads.parallelRange(rows, grain(cols), (lo, hi) -> RowKernels.layerNormBackwardInput(g, xs, ws, ms, rs, dxs, cols, lo, hi));
        }
        if (dw != null || db != null) {
            int chunks = rowChunks(rows);
            float[][] pw = new float[chunks][cols], pb = new float[chunks][cols];
            CpuThreads.parallelFor(chunks, ch -> RowKernels.layerNormBackwardParams(g, xs, ms, rs, pw[ch], pb[ch], cols,
                    chunkLo(rows, chunks, ch), chunkLo(rows, chunks, ch + 1)));
            float[] dws = dw == null ? null : d(dw), dbs = db == null ? null : d(db);
            for (int c = 0; c < cols; c++) {
                double sw = 0, sb = 0;
                for (int ch = 0; ch < chunks; ch++) {
                    sw += pw[ch][c];
                    sb += pb[ch][c];
                }
                if (dws != null) dws[c] += (float) sw;
                if (dbs != null) dbs[c] += (float) sb;
            }
        }
    }

    @Override public void softmax(Storage x, int rows, int cols, Storage y) {
        float[] xs = d(x), ys = d(y);
        CpuThreads.parallelRange(rows, grain(cols), (lo, hi) -> RowKernels.softmax(xs, ys, cols, lo, hi));
    }

    @Override public void softmaxBackward(Storage y, Storage dy, int rows, int cols, Storage dx, boolean accumulate) {
        float[] ys = d(y), g = d(dy), o = d(dx);
        CpuThreads.parallelRange(rows, grain(cols), (lo, hi) -> RowKernels.softmaxBackward(ys, g, o, accumulate, cols, lo, hi));
    }

    @Override
    public void crossEntropy(Storage logits, Storage targets, int rows, int cols, Storage probs, Storage loss) {
        float[] x = d(logits), t = d(targets), p = d(probs);
        double total = 0;
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) max = Math.max(max, x[off + c]);
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += Math.exp(x[off + c] - max);
            double logSum = Math.log(sum) + max;
            double l = 0;
            for (int c = 0; c < cols; c++) {
                double logp = x[off + c] - logSum;
                p[off + c] = (float) Math.exp(logp);
                l -= t[off + c] * logp;
            }
            total += l;
        }
        d(loss)[0] = (float) (total / rows);
    }

    @Override
    public void crossEntropyBackward(Storage probs, Storage targets, Storage dloss, int rows, int cols,
                                     Storage dlogits, boolean accumulate) {
        float[] p = d(probs), t = d(targets), o = d(dlogits);
        float s = d(dloss)[0] / rows;
        for (int i = 0; i < rows * cols; i++) {
            float v = (p[i] - t[i]) * s;
            o[i] = accumulate ? o[i] + v : v;
        }
    }

    // ---- optimisers --------------------------------------------------------------------------
    @Override
    public void adamw(Storage param, Storage grad, Storage m, Storage v, float lr, float beta1, float beta2,
                      float eps, float weightDecay, int step) {
        float[] p = d(param), g = d(grad), ms = d(m), vs = d(v);
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decay = 1f - lr * weightDecay;
        CpuThreads.parallelRange(p.length, 1 << 14, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                p[i] *= decay;
                ms[i] += (g[i] - ms[i]) * (1 - beta1);
                vs[i] = vs[i] * beta2 + (1 - beta2) * g[i] * g[i];
                float denom = (float) Math.sqrt(vs[i]) / bc2Sqrt + eps;
                p[i] -= stepSize * ms[i] / denom;
            }
        });
    }

    @Override
    public void sgd(Storage param, Storage grad, Storage buf, float lr, float momentum, float dampening,
                    float weightDecay, boolean nesterov, boolean first) {
        float[] p = d(param), g = d(grad), b = buf == null ? null : d(buf);
        for (int i = 0; i < p.length; i++) {
            float gi = g[i] + weightDecay * p[i];
            if (momentum != 0) {
                b[i] = first ? gi : momentum * b[i] + (1 - dampening) * gi;
                gi = nesterov ? gi + momentum * b[i] : b[i];
            }
            p[i] -= lr * gi;
        }
    }
}
