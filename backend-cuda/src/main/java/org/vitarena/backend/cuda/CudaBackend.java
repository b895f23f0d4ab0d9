package org.vitarena.backend.cuda;

import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.BackendOptions;
import org.vitarena.core.backend.BinaryOp;
import org.vitarena.core.backend.Precision;
import org.vitarena.core.backend.Storage;
import org.vitarena.core.backend.SumToPlan;
import org.vitarena.core.backend.UnaryOp;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The {@link Backend} on an NVIDIA GPU: buffers in device memory, every kernel queued on one
 * stream, matrix products in cuBLAS ({@link Blas}), everything else in the PTX kernels compiled
 * from {@code src/main/cuda}. Nothing returns to the host except {@link #download} and
 * {@link #sumSquares}. The semantics of each kernel are {@code CpuBackend}'s, which the tests
 * compare against.
 *
 * <p>Device memory is freed when a storage becomes unreachable (a {@link Cleaner} queues a
 * stream-ordered free). Because the Java heap does not see device memory, the backend asks for a
 * garbage collection after every quarter of the device's memory allocated, and once more before
 * giving up on an allocation.
 *
 * <p>Legend: R rows, C columns (last dimension), M N K matrix-product sizes, B batch.
 */
public final class CudaBackend implements Backend {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final int MAX_RANK = 8;

    private final Driver gpu;
    private final Blas blas;
    private final Precision precision;
    private final long gcEvery;
    private final AtomicLong sinceGc = new AtomicLong();

    /** Device memory owned by this backend. */
    static final class CudaStorage implements Storage {
        final Driver.DevicePtr ptr;
        final int size;
        final CudaBackend owner;

        CudaStorage(CudaBackend owner, Driver.DevicePtr ptr, int size) {
            this.owner = owner;
            this.ptr = ptr;
            this.size = size;
        }

        @Override public int size() { return size; }

        @Override public Backend backend() { return owner; }

        long address() { return ptr.address(); }
    }

    CudaBackend(Driver gpu, Blas blas, Precision precision) {
        this.gpu = gpu;
        this.blas = blas;
        this.precision = precision;
        this.gcEvery = Math.max(1L << 28, gpu.totalMemory / 4);
    }

    /**
     * Opens device 0, chooses the cuBLAS binding and logs both choices. Of the options only
     * {@link BackendOptions#precision()} applies: device memory is allocated as tensors need it
     * (a set {@link BackendOptions#deviceMemoryBytes()} is logged as ignored), and there are no
     * compute threads on the host.
     */
    public static CudaBackend open(BackendOptions options, Consumer<String> log) {
        Driver gpu = new Driver(0, log);
        Blas blas = Blas.open(gpu.stream.handle(), gpu.stream, log);
        Precision p = options.precision();
        log.accept("cuda: matrix products in " + p.label());
        if (options.deviceMemoryBytes() > 0) {
            log.accept("cuda: device memory option ignored (memory is allocated from the driver's pool as tensors need it)");
        }
        return new CudaBackend(gpu, blas, p);
    }

    @Override public String name() { return "cuda"; }

    public Precision precision() { return precision; }

    // ---- helpers -----------------------------------------------------------------------------
    private static CudaStorage s(Storage st) {
        return (CudaStorage) st;
    }

    /** Byte address of element {@code off} of a storage (0 for null: an absent optional argument). */
    private static long at(Storage st, long off) {
        return st == null ? 0L : s(st).address() + 4L * off;
    }

    private static Pointer ptr(long address) { return Pointer.to(new long[]{address}); }

    private static Pointer ptr(Storage st) { return ptr(at(st, 0)); }

    private static Pointer i(int v) { return Pointer.to(new int[]{v}); }

    private static Pointer i(boolean v) { return i(v ? 1 : 0); }

    private static Pointer l(long v) { return Pointer.to(new long[]{v}); }

    private static Pointer f(float v) { return Pointer.to(new float[]{v}); }

    private void launch(String kernel, Launch l, NativePointerObject... params) {
        gpu.launch(kernel, l, params);
    }

    /** Raw device memory of {@code bytes}, stream-ordered, retried after a GC when the device is full. */
    private Driver.DevicePtr raw(long bytes) {
        gpu.makeCurrent();
        if (sinceGc.addAndGet(bytes) > gcEvery) {
            sinceGc.set(0);
            System.gc();
        }
        Driver.DevicePtr p = new Driver.DevicePtr();
        for (int attempt = 0; ; attempt++) {
            int rc = JCudaDriver.cuMemAllocAsync(p, Math.max(4, bytes), gpu.stream);
            if (rc == 0) return p;
            if (rc != Driver.OUT_OF_MEMORY || attempt == 3) Driver.check(rc, "cuMemAllocAsync(" + bytes + " bytes)");
            System.gc();
            try {
                Thread.sleep(50L << attempt); // let the cleaner queue the frees
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            gpu.synchronize();
        }
    }

    private void free(Driver.DevicePtr p) {
        Driver.check(JCudaDriver.cuMemFreeAsync(p, gpu.stream), "cuMemFreeAsync");
    }

    private CudaStorage wrap(Driver.DevicePtr p, int n) {
        CudaStorage st = new CudaStorage(this, p, n);
        Driver gpuRef = gpu;
        CLEANER.register(st, () -> {
            gpuRef.makeCurrent();
            JCudaDriver.cuMemFreeAsync(p, gpuRef.stream);
        });
        return st;
    }

    // ---- memory ------------------------------------------------------------------------------
    @Override public Storage allocate(int n) {
        Driver.DevicePtr p = raw(4L * n);
        Driver.check(JCudaDriver.cuMemsetD32Async(p, 0, n, gpu.stream), "cuMemsetD32Async");
        return wrap(p, n);
    }

    @Override public Storage upload(float[] host) {
        Driver.DevicePtr p = raw(4L * host.length);
        gpu.synchronize(); // the allocation is stream-ordered; the host copy below is not
        if (host.length > 0) Driver.check(JCudaDriver.cuMemcpyHtoD(p, Pointer.to(host), 4L * host.length), "cuMemcpyHtoD");
        return wrap(p, host.length);
    }

    @Override public float[] download(Storage st) {
        gpu.makeCurrent();
        float[] out = new float[st.size()];
        gpu.synchronize();
        if (out.length > 0) Driver.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(out), s(st).ptr, 4L * out.length), "cuMemcpyDtoH");
        return out;
    }

    @Override public void fill(Storage st, float value) {
        gpu.makeCurrent();
        Driver.check(JCudaDriver.cuMemsetD32Async(s(st).ptr, Float.floatToRawIntBits(value), st.size(), gpu.stream),
                "cuMemsetD32Async");
    }

    @Override public void copy(Storage src, int srcOff, Storage dst, int dstOff, int n) {
        if (n == 0) return;
        gpu.makeCurrent();
        Driver.check(JCudaDriver.cuMemcpyDtoDAsync(s(dst).ptr.withByteOffset(4L * dstOff),
                s(src).ptr.withByteOffset(4L * srcOff), 4L * n, gpu.stream), "cuMemcpyDtoDAsync");
    }

    @Override
    public void copyBlocks(Storage src, int srcOff, int srcStride, Storage dst, int dstOff, int dstStride,
                           int outer, int len, boolean accumulate) {
        if ((long) outer * len == 0) return;
        gpu.makeCurrent();
        launch("copy_blocks", Launch.elementwise((long) outer * len), ptr(at(src, srcOff)), i(srcStride),
                ptr(at(dst, dstOff)), i(dstStride), i(outer), i(len), i(accumulate));
    }

    @Override public void axpy(float alpha, Storage x, Storage y) {
        gpu.makeCurrent();
        long n = x.size();
        if (n > 0) launch("axpy", Launch.elementwise(n), f(alpha), ptr(x), ptr(y), l(n));
    }

    @Override public void scale(Storage x, float alpha, Storage out) {
        gpu.makeCurrent();
        long n = x.size();
        if (n > 0) launch("scale", Launch.elementwise(n), ptr(x), f(alpha), ptr(out), l(n));
    }

    @Override public double sumSquares(Storage x) {
        gpu.makeCurrent();
        long n = x.size();
        if (n == 0) return 0;
        Launch l = Launch.sumSquares(n);
        Driver.DevicePtr partial = raw(8L * l.gridX());
        launch("sum_squares_partial", l, ptr(x), l(n), ptr(partial.address()));
        double[] host = new double[l.gridX()];
        gpu.synchronize();
        Driver.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(host), partial, 8L * host.length), "cuMemcpyDtoH");
        free(partial);
        double sum = 0;
        for (double v : host) sum += v;
        return sum;
    }

    // ---- matrix products ---------------------------------------------------------------------
    @Override
    public void gemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                     Storage a, int aOff, int lda, int strideA, Storage b, int bOff, int ldb, int strideB,
                     Storage c, int cOff, int ldc, int strideC, boolean accumulate) {
        if (batch == 0 || m == 0 || n == 0) return;
        gpu.makeCurrent();
        if (k == 0) { // C = 0·0 (+ C): cuBLAS would reject the leading dimensions of empty operands
            if (!accumulate) for (int bi = 0; bi < batch; bi++)
                copyBlocksZero(c, cOff + bi * strideC, ldc, m, n);
            return;
        }
        blas.gemm(ColumnMajorGemm.fromRowMajor(batch, transA, transB, m, n, k,
                at(a, aOff), lda, strideA, at(b, bOff), ldb, strideB, at(c, cOff), ldc, strideC, accumulate), precision);
    }

    private void copyBlocksZero(Storage c, int off, int ld, int rows, int cols) {
        CudaStorage zeros = (CudaStorage) allocate(cols);
        copyBlocks(zeros, 0, 0, c, off, ld, rows, cols, false);
    }

    @Override public void addRowVector(Storage out, Storage bias, int rows, int cols) {
        gpu.makeCurrent();
        if ((long) rows * cols > 0)
            launch("add_row_vector", Launch.elementwise((long) rows * cols), ptr(out), ptr(bias), i(rows), i(cols));
    }

    @Override public void sumRowsInto(Storage dy, int rows, int cols, Storage dbias) {
        gpu.makeCurrent();
        columnSum(at(dy, 0), rows, cols, at(dbias, 0));
    }

    /** out[c] += Σ_r x[r, c] for an R×C matrix at {@code x}: chunk partials, then an ordered sum. */
    private void columnSum(long x, int rows, int cols, long out) {
        if (cols == 0) return;
        Launch l = Launch.columns(rows, cols);
        Driver.DevicePtr partial = raw(4L * l.gridY() * cols);
        launch("col_sum_partial", l, ptr(x), i(rows), i(cols), i(l.chunk()), ptr(partial.address()));
        launch("col_sum_finish", Launch.elementwise(cols), ptr(partial.address()), i(l.gridY()), i(cols), ptr(out), i(1));
        free(partial);
    }

    // ---- elementwise with broadcasting -------------------------------------------------------
    private static int[] dense(int[] shape) {
        int[] st = new int[shape.length];
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = acc;
            acc *= shape[d];
        }
        return st;
    }

    /** True when the strides address {@code shape} densely (size-1 dimensions may have any stride). */
    static boolean isDense(int[] strides, int[] shape) {
        int[] d = dense(shape);
        for (int k = 0; k < shape.length; k++) if (shape[k] != 1 && strides[k] != d[k]) return false;
        return true;
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int v : shape) n *= v;
        return n;
    }

    private static void checkRank(int rank, String op) {
        if (rank > MAX_RANK) throw new IllegalArgumentException(op + ": rank " + rank + " > " + MAX_RANK + " is not supported on cuda");
    }

    @Override
    public void binary(BinaryOp op, Storage a, int[] aStrides, Storage b, int[] bStrides, Storage out, int[] outShape) {
        gpu.makeCurrent();
        long n = numel(outShape);
        if (n == 0) return;
        boolean noB = b == null || op == BinaryOp.FIRST;
        if (isDense(aStrides, outShape) && (noB || isDense(bStrides, outShape))) {
            launch("binary_dense", Launch.elementwise(n), i(op.ordinal()), ptr(a), ptr(noB ? 0L : at(b, 0)), ptr(out), l(n));
            return;
        }
        int rank = outShape.length;
        checkRank(rank, "binary");
        int[] d = new int[1 + 3 * MAX_RANK];
        d[0] = rank;
        for (int k = 0; k < rank; k++) {
            d[1 + k] = outShape[k];
            d[1 + MAX_RANK + k] = aStrides[k];
            d[1 + 2 * MAX_RANK + k] = noB ? 0 : bStrides[k];
        }
        launch("binary_strided", Launch.elementwise(n), i(op.ordinal()), ptr(a), ptr(noB ? 0L : at(b, 0)), ptr(out),
                l(n), Pointer.to(d));
    }

    @Override public void sumTo(Storage x, int[] xShape, Storage out, int[] outStrides) {
        gpu.makeCurrent();
        SumToPlan plan = SumToPlan.of(xShape, outStrides);
        if (plan.kept() == 0 || numel(xShape) == 0) return;
        if (plan.columnRows() > 0) {
            columnSum(at(x, 0), plan.columnRows(), (int) plan.kept(), at(out, 0));
            return;
        }
        checkRank(Math.max(plan.keptRank(), plan.redRank()), "sumTo");
        Pointer r = Pointer.to(plan.struct(MAX_RANK));
        if (plan.reduced() <= 32) {
            launch("sum_to_thread", Launch.elementwise(plan.kept()), ptr(x), ptr(out), l(plan.kept()), l(plan.reduced()), r);
        } else {
            Launch l = new Launch((int) Math.min(plan.kept(), Launch.MAX_ROW_BLOCKS), 1, 128, 1, 0);
            launch("sum_to_block", l, ptr(x), ptr(out), l(plan.kept()), l(plan.reduced()), r);
        }
    }

    @Override public void unary(UnaryOp op, Storage x, Storage out) {
        gpu.makeCurrent();
        long n = x.size();
        if (n > 0) launch("unary", Launch.elementwise(n), i(op.ordinal()), ptr(x), ptr(out), l(n));
    }

    @Override public void unaryBackward(UnaryOp op, Storage x, Storage dy, Storage dx, boolean accumulate) {
        gpu.makeCurrent();
        long n = x.size();
        if (n > 0) launch("unary_backward", Launch.elementwise(n), i(op.ordinal()), ptr(x), ptr(dy), ptr(dx), l(n), i(accumulate));
    }

    // ---- layout ------------------------------------------------------------------------------
    @Override public void permute(Storage x, int[] shape, int[] perm, Storage out) {
        gpu.makeCurrent();
        int rank = shape.length;
        long n = numel(shape);
        if (n == 0) return;
        checkRank(rank, "permute");
        int[] inStrides = dense(shape);
        int[] p = new int[1 + 2 * MAX_RANK];
        p[0] = rank;
        for (int k = 0; k < rank; k++) {
            p[1 + k] = shape[perm[k]];
            p[1 + MAX_RANK + k] = inStrides[perm[k]];
        }
        launch("permute", Launch.elementwise(n), ptr(x), ptr(out), l(n), Pointer.to(p));
    }

    /** Index arrays on the device, by content: the same index (a Swin table, a roll) is uploaded once. */
    private final Map<IndexKey, IndexBuffers> indexCache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<IndexKey, IndexBuffers> e) {
            return size() > 64; // the evicted buffers are freed by the cleaner, in stream order
        }
    };

    private record IndexKey(int[] index, int rowsIn, int hash) {
        static IndexKey of(int[] index, int rowsIn) {
            return new IndexKey(index, rowsIn, 31 * Arrays.hashCode(index) + rowsIn);
        }

        @Override public boolean equals(Object o) {
            return o instanceof IndexKey k && k.rowsIn == rowsIn && Arrays.equals(k.index, index);
        }

        @Override public int hashCode() { return hash; }
    }

    /** The index, and for scatterAdd its inverse as CSR: for row r, the sources start[r] .. start[r+1]. */
    private record IndexBuffers(CudaStorage index, CudaStorage start, CudaStorage sources) {}

    private IndexBuffers indexBuffers(int[] index, int rowsIn) {
        IndexKey key = IndexKey.of(index, rowsIn);
        synchronized (indexCache) {
            IndexBuffers b = indexCache.get(key);
            if (b != null) return b;
        }
        int[] start = new int[rowsIn + 1];
        for (int r : index) start[r + 1]++;
        for (int r = 0; r < rowsIn; r++) start[r + 1] += start[r];
        int[] fillAt = Arrays.copyOf(start, rowsIn);
        int[] sources = new int[index.length];
        for (int i = 0; i < index.length; i++) sources[fillAt[index[i]]++] = i; // increasing i within a row
        IndexBuffers b = new IndexBuffers(uploadInts(index), uploadInts(start), uploadInts(sources));
        synchronized (indexCache) {
            indexCache.put(new IndexKey(index.clone(), rowsIn, key.hash), b);
        }
        return b;
    }

    private CudaStorage uploadInts(int[] v) {
        Driver.DevicePtr p = raw(4L * v.length);
        gpu.synchronize();
        if (v.length > 0) Driver.check(JCudaDriver.cuMemcpyHtoD(p, Pointer.to(v), 4L * v.length), "cuMemcpyHtoD");
        return wrap(p, v.length);
    }

    @Override public void gather(Storage x, int outer, int rowsIn, int inner, int[] index, Storage out) {
        gpu.makeCurrent();
        long n = (long) outer * index.length * inner;
        if (n == 0) return;
        IndexBuffers b = indexBuffers(index, rowsIn);
        launch("gather_rows", Launch.elementwise(n), ptr(x), ptr(b.index()), i(outer), i(rowsIn), i(index.length),
                i(inner), ptr(out));
    }

    @Override public void scatterAdd(Storage dy, int outer, int rowsIn, int inner, int[] index, Storage dx) {
        gpu.makeCurrent();
        long n = (long) outer * rowsIn * inner;
        if (n == 0 || index.length == 0) return;
        IndexBuffers b = indexBuffers(index, rowsIn);
        launch("scatter_add_rows", Launch.elementwise(n), ptr(dy), ptr(b.start()), ptr(b.sources()), i(outer),
                i(rowsIn), i(index.length), i(inner), ptr(dx));
    }

    // ---- normalisation and softmax -----------------------------------------------------------
    @Override
    public void layerNorm(Storage x, Storage w, Storage b, int rows, int cols, float eps,
                          Storage y, Storage mean, Storage rstd) {
        gpu.makeCurrent();
        if (rows == 0) return;
        launch("layer_norm", Launch.rows(rows, cols), ptr(x), ptr(w), ptr(at(b, 0)), i(rows), i(cols), f(eps),
                ptr(y), ptr(mean), ptr(rstd));
    }

    @Override
    public void layerNormBackward(Storage dy, Storage x, Storage w, Storage mean, Storage rstd, int rows, int cols,
                                  Storage dx, Storage dw, Storage db) {
        gpu.makeCurrent();
        if (rows == 0) return;
        if (dx != null)
            launch("layer_norm_backward_dx", Launch.rows(rows, cols), ptr(dy), ptr(x), ptr(w), ptr(mean), ptr(rstd),
                    i(rows), i(cols), ptr(dx));
        if (dw == null && db == null) return;
        Launch l = Launch.columns(rows, cols);
        long part = (long) l.gridY() * cols;
        Driver.DevicePtr pw = raw(4L * part), pb = raw(4L * part);
        launch("layer_norm_backward_dwdb", l, ptr(dy), ptr(x), ptr(mean), ptr(rstd), i(rows), i(cols), i(l.chunk()),
                ptr(pw.address()), ptr(pb.address()));
        if (dw != null) launch("col_sum_finish", Launch.elementwise(cols), ptr(pw.address()), i(l.gridY()), i(cols), ptr(dw), i(1));
        if (db != null) launch("col_sum_finish", Launch.elementwise(cols), ptr(pb.address()), i(l.gridY()), i(cols), ptr(db), i(1));
        free(pw);
        free(pb);
    }

    @Override public void softmax(Storage x, int rows, int cols, Storage y) {
        gpu.makeCurrent();
        if (rows > 0) launch("softmax", Launch.rows(rows, cols), ptr(x), i(rows), i(cols), ptr(y));
    }

    @Override public void softmaxBackward(Storage y, Storage dy, int rows, int cols, Storage dx, boolean accumulate) {
        gpu.makeCurrent();
        if (rows > 0)
            launch("softmax_backward", Launch.rows(rows, cols), ptr(y), ptr(dy), i(rows), i(cols), ptr(dx), i(accumulate));
    }

    @Override
    public void crossEntropy(Storage logits, Storage targets, int rows, int cols, Storage probs, Storage loss) {
        gpu.makeCurrent();
        Driver.DevicePtr rowLoss = raw(4L * Math.max(1, rows));
        launch("cross_entropy_rows", Launch.rows(rows, cols), ptr(logits), ptr(targets), i(rows), i(cols), ptr(probs),
                ptr(rowLoss.address()));
        launch("cross_entropy_mean", Launch.single(), ptr(rowLoss.address()), i(rows), ptr(loss));
        free(rowLoss);
    }

    @Override
    public void crossEntropyBackward(Storage probs, Storage targets, Storage dloss, int rows, int cols,
                                     Storage dlogits, boolean accumulate) {
        gpu.makeCurrent();
        long n = (long) rows * cols;
        if (n > 0)
            launch("cross_entropy_backward", Launch.elementwise(n), ptr(probs), ptr(targets), ptr(dloss), i(rows), l(n),
                    ptr(dlogits), i(accumulate));
    }

    // ---- optimisers --------------------------------------------------------------------------
    @Override
    public void adamw(Storage param, Storage grad, Storage m, Storage v, float lr, float beta1, float beta2,
                      float eps, float weightDecay, int step) {
        gpu.makeCurrent();
        long n = param.size();
        if (n == 0) return;
        // the scalars exactly as CpuBackend computes them
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decay = 1f - lr * weightDecay;
        launch("adamw", Launch.elementwise(n), ptr(param), ptr(grad), ptr(m), ptr(v), l(n), f(decay), f(beta1), f(beta2),
                f(stepSize), f(bc2Sqrt), f(eps));
    }

    @Override
    public void sgd(Storage param, Storage grad, Storage buf, float lr, float momentum, float dampening,
                    float weightDecay, boolean nesterov, boolean first) {
        gpu.makeCurrent();
        long n = param.size();
        if (n == 0) return;
        launch("sgd", Launch.elementwise(n), ptr(param), ptr(grad), ptr(at(buf, 0)), l(n), f(lr), f(momentum),
                f(dampening), f(weightDecay), i(nesterov), i(first));
    }
}
