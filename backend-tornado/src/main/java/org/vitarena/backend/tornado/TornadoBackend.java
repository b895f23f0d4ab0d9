package org.vitarena.backend.tornado;

import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.BackendOptions;
import org.vitarena.core.backend.BinaryOp;
import org.vitarena.core.backend.Storage;
import org.vitarena.core.backend.UnaryOp;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The {@link Backend} on TornadoVM: every tensor, parameter and optimiser state is a slice of one
 * device-resident arena ({@link DeviceArena}), every kernel a task graph of {@link KernelGraphs}
 * launched with the offsets of its operands. Data crosses to the host only through
 * {@link #upload}, {@link #write}, {@link #download} and {@link #sumSquares}: a training step moves
 * its input batch in and its loss out. Launches between two such crossings are recorded and, once
 * they repeat, replayed as multi-task graphs ({@link KernelGraphs}); {@link #executionSummary} counts
 * how.
 *
 * <p>Kernels live in {@link MemoryKernels}, {@link GemmKernels}, {@link ElementwiseKernels},
 * {@link LayoutKernels}, {@link NormKernels} and {@link OptimizerKernels}; this class only maps
 * each call to a launch. Calls are serialised (one plan, one device queue).
 *
 * <p>Legend: R rows, C columns, M N K matrix-product sizes, B batch.
 */
public final class TornadoBackend implements Backend, AutoCloseable {
    /** TornadoVM's cap on the memory it allocates on a device. */
    static final String DEVICE_MEMORY_PROPERTY = "tornado.device.memory";
    private final DeviceArena arena;
    private final FloatArray mem;
    private final KernelGraphs graphs;
    /** Index vectors of gather/scatterAdd, uploaded once per int[] (models reuse theirs). */
    /** gemm.blocked on CPU devices, gemm.tiled (local memory) elsewhere, unless the options chose one. */
    private final BackendOptions.GemmKernel gemmKernel;
    /** Which matrix-product kernel runs, and why, in words. */
    private final String gemmChoice;
    /** Row-major copies of transposed B operands for gemm.blocked; grown when a larger one comes. */
    private DeviceStorage gemmScratch;
    /** Per-group partial sums of {@link #sumSquares}. */
    private DeviceStorage partials;
    private final Map<int[], DeviceStorage> indices = Collections.synchronizedMap(new WeakHashMap<>());

    /** @param memoryMiB size of the device arena that holds every tensor; the gemm kernel chosen by device */
    public TornadoBackend(int memoryMiB) {
        this(memoryMiB, BackendOptions.GemmKernel.AUTO);
    }

    /**
     * @param memoryMiB size of the device arena that holds every tensor
     * @param gemm      the matrix-product kernel; {@code AUTO} is cuBLAS library tasks where the device
     *                  runs them (TornadoVM's CUDA backend), else blocked on CPU devices and tiled elsewhere
     */
    public TornadoBackend(long memoryMiB, BackendOptions.GemmKernel gemm) {
        this(memoryMiB, gemm, switch (KernelGraphs.REPLAY) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            case "auto" -> null;
            default -> throw new IllegalArgumentException("vitarena.tornado.graphs must be true, false or auto, got '"
                    + KernelGraphs.REPLAY + "'");
        });
    }

    /**
     * @param memoryMiB size of the device arena that holds every tensor
     * @param gemm      the matrix-product kernel, as above
     * @param replay    whether launches that repeat are compiled into multi-task graphs and replayed;
     *                  null: on GPUs and accelerators, not on CPU devices ({@code -Dvitarena.tornado.graphs})
     */
    TornadoBackend(long memoryMiB, BackendOptions.GemmKernel gemm, Boolean replay) {
        if (memoryMiB < 1) throw new IllegalArgumentException("tornado: arena of " + memoryMiB + " MiB; give at least 1");
        long floats = memoryMiB << 18;
        if (floats >= Integer.MAX_VALUE) throw new IllegalArgumentException("tornado: arena above 8 GiB: " + memoryMiB + " MiB");
        // TornadoVM caps device memory at 4 GB unless told otherwise, read once when it starts:
        // room for the arena, its staging buffers and each graph's argument arrays
        long deviceGb = (memoryMiB >> 10) + 2;
        if (deviceGb > 4 && System.getProperty(DEVICE_MEMORY_PROPERTY) == null) {
            System.setProperty(DEVICE_MEMORY_PROPERTY, deviceGb + "GB");
        }
        this.arena = new DeviceArena(floats);
        this.mem = new FloatArray((int) floats);
        // cuBLAS library tasks where TornadoVM's CUDA backend and cuBLAS are there, else the JIT kernels
        boolean wantCublas = gemm == BackendOptions.GemmKernel.AUTO || gemm == BackendOptions.GemmKernel.CUBLAS;
        String noCublas = wantCublas ? ArenaCublasProvider.unsupportedReason(TornadoExecutionPlan.DEFAULT_DEVICE) : null;
        if (gemm == BackendOptions.GemmKernel.CUBLAS && noCublas != null) {
            throw new IllegalArgumentException("tornado: cuBLAS library tasks are not available here: " + noCublas
                    + "; choose another gemm kernel (auto, tiled, direct, blocked)");
        }
        boolean cublas = wantCublas && noCublas == null;
        this.graphs = new KernelGraphs(mem, () -> (int) arena.top(), cublas, replay != null && replay);
        if (replay == null) graphs.replay(!graphs.onCpuDevice());
        // the first launch moves the arena to the device; nothing is allocated yet
        try {
            graphs.launch(graphs.kernel("memory.fill").ints(0, 0).floats(0f), 0);
            graphs.flush();
        } catch (RuntimeException e) {
            graphs.close();
            throw new IllegalStateException("tornado: the device did not take the " + memoryMiB + " MiB arena (" + e.getMessage()
                    + "); give a smaller --device-memory, or more to TornadoVM with -D" + DEVICE_MEMORY_PROPERTY
                    + "=" + deviceGb + "GB in VITARENA_JAVA_OPTS", e);
        }
        this.gemmKernel = cublas ? BackendOptions.GemmKernel.CUBLAS
                : gemm != BackendOptions.GemmKernel.AUTO ? gemm
                : graphs.onCpuDevice() ? BackendOptions.GemmKernel.BLOCKED : BackendOptions.GemmKernel.TILED;
        this.gemmChoice = "matrix products by gemm." + gemmKernel.label()
                + (cublas ? " (cuBLAS library tasks in the task graphs)"
                : noCublas != null ? " (cuBLAS library tasks unavailable: " + noCublas + ")" : " (asked for)");
        System.err.println("tornado: " + deviceName() + ": " + gemmChoice + "; "
                + (graphs.replaying() ? "repeated launches replayed as task graphs" : "every launch eager")
                + (replay == null ? " (auto: " + (graphs.onCpuDevice() ? "a CPU device)" : "not a CPU device)") : ""));
    }

    /** The matrix-product kernel in use, and why, in words. */
    public String gemmChoice() {
        return gemmChoice;
    }

    /** The device the kernels run on, in words. */
    public String deviceName() {
        return graphs.deviceName();
    }

    @Override public String name() { return "tornado"; }

    /** How the kernels ran: eager launches, replayed tasks and graphs, compiled segments, rebuild time. */
    @Override
    public synchronized String executionSummary() {
        KernelGraphs.Stats s = graphs.stats();
        return String.format(java.util.Locale.ROOT,
                "%d eager launches, %d replayed tasks in %d graph executions; %d segments compiled (%d tasks), "
                        + "%d plan rebuilds (%.0f ms), first replays (compile) %.0f ms; %d segments flushed",
                s.eagerLaunches(), s.replayedTasks(), s.graphExecutions(), s.compiledSegments(), s.compiledTasks(),
                s.rebuilds(), s.rebuildMs(), s.firstReplayMs(), s.segmentsFlushed()) + "; " + gemmChoice;
    }

    KernelGraphs.Stats stats() {
        return graphs.stats();
    }

    /** How many times each kernel ran, by {@code kind.kernel} (for tests and profiles). */
    public synchronized Map<String, Long> launches() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        graphs.kernels().forEach((name, k) -> out.put(name, k.launches));
        return out;
    }

    /**
     * The host copy of element {@code i} of the arena, for tests: kernels write device memory only,
     * so a value that shows up here was computed on the host (a bailout), not on the device.
     */
    synchronized float hostArenaValue(int i) {
        return mem.get(i);
    }

    static int offsetOf(Storage s) {
        return off(s);
    }

    /** Floats held by live tensors in the arena. */
    public long floatsInUse() {
        return arena.inUse();
    }

    private static int off(Storage s) {
        return ((DeviceStorage) s).offset();
    }

    private KernelGraphs.Kernel k(String name) {
        return graphs.kernel(name);
    }

    // ---- memory ------------------------------------------------------------------------------
    @Override
    public synchronized Storage allocate(int n) {
        DeviceStorage s = reserve(n);
        fill(s, 0f);
        return s;
    }

    private DeviceStorage reserve(int n) {
        DeviceStorage s = new DeviceStorage(this, arena.reserve(n), n);
        arena.register(s);
        return s;
    }

    @Override
    public synchronized Storage upload(float[] host) {
        DeviceStorage s = reserve(host.length);
        write(host, s.offset());
        return s;
    }

    @Override
    public synchronized void write(float[] host, Storage dst) {
        if (host.length > dst.size()) {
            throw new IllegalArgumentException("tornado: writing " + host.length + " floats into a buffer of " + dst.size());
        }
        write(host, off(dst));
    }

    private void write(float[] host, int dstOff) {
        int done = 0;
        while (done < host.length) {
            int slot = stagingSlot(host.length - done);
            int n = Math.min(KernelGraphs.STAGING[slot], host.length - done);
            MemorySegment seg = graphs.staging[slot].getSegment();
            MemorySegment.copy(host, done, seg, ValueLayout.JAVA_FLOAT, 0, n);
            graphs.launch(graphs.uploads[slot].ints(n, dstOff + done), n);
            done += n;
        }
    }

    @Override
    public synchronized float[] download(Storage s) {
        return read(off(s), s.size());
    }

    private float[] read(int srcOff, int size) {
        float[] host = new float[size];
        int done = 0;
        while (done < size) {
            int slot = stagingSlot(size - done);
            int n = Math.min(KernelGraphs.STAGING[slot], size - done);
            graphs.launch(graphs.downloads[slot].ints(n, srcOff + done), n);
            MemorySegment.copy(graphs.staging[slot].getSegment(), ValueLayout.JAVA_FLOAT, 0, host, done, n);
            done += n;
        }
        return host;
    }

    /** The smallest staging buffer that holds n floats, else the largest. */
    private static int stagingSlot(int n) {
        for (int i = 0; i < KernelGraphs.STAGING.length; i++) {
            if (KernelGraphs.STAGING[i] >= n) return i;
        }
        return KernelGraphs.STAGING.length - 1;
    }

    @Override
    public synchronized void fill(Storage s, float value) {
        graphs.launch(k("memory.fill").ints(s.size(), off(s)).floats(value), s.size());
    }

    @Override
    public synchronized void copy(Storage src, int srcOff, Storage dst, int dstOff, int n) {
        graphs.launch(k("memory.copy").ints(n, off(src) + srcOff, off(dst) + dstOff), n);
    }

    @Override
    public synchronized void copyBlocks(Storage src, int srcOff, int srcStride, Storage dst, int dstOff, int dstStride,
                                        int outer, int len, boolean accumulate) {
        graphs.launch(k("memory.copyBlocks").ints(outer, len, off(src) + srcOff, srcStride, off(dst) + dstOff, dstStride,
                accumulate ? 1 : 0), (long) outer * len);
    }

    @Override
    public synchronized void axpy(float alpha, Storage x, Storage y) {
        graphs.launch(k("memory.axpy").ints(x.size(), off(x), off(y)).floats(alpha), x.size());
    }

    @Override
    public synchronized void scale(Storage x, float alpha, Storage out) {
        graphs.launch(k("memory.scale").ints(x.size(), off(x), off(out)).floats(alpha), x.size());
    }

    @Override
    public synchronized double sumSquares(Storage x) {
        int groups = Math.max(1, Math.min(256, (x.size() + 255) / 256));
        // one buffer for every call: the same offsets every step keep the step's segment the same
        if (partials == null) partials = reserve(256);
        DeviceStorage partial = partials;
        graphs.launch(k("memory.sumSquares").ints(x.size(), off(x), partial.offset()), (long) groups * 256);
        double s = 0;
        for (float v : read(partial.offset(), groups)) s += v;
        return s;
    }

    // ---- matrix products ---------------------------------------------------------------------
    @Override
    public synchronized void gemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                                  Storage a, int aOff, int lda, int strideA, Storage b, int bOff, int ldb, int strideB,
                                  Storage c, int cOff, int ldc, int strideC, boolean accumulate) {
        if (batch == 0 || m == 0 || n == 0) return;
        switch (gemmKernel) {
            case CUBLAS -> graphs.launchLibrary(k("gemm.cublas").ints(transA ? 1 : 0, transB ? 1 : 0, m, n, k,
                    off(a) + aOff, lda, strideA, off(b) + bOff, ldb, strideB, off(c) + cOff, ldc, strideC, batch,
                    accumulate ? 1 : 0));
            case DIRECT -> graphs.launch3D(k("gemm.direct").ints(m, n, k, transA ? 1 : lda, transA ? lda : 1, off(a) + aOff,
                    strideA, transB ? 1 : ldb, transB ? ldb : 1, off(b) + bOff, strideB, off(c) + cOff, ldc, strideC,
                    accumulate ? 1 : 0), n, m, batch);
            case BLOCKED -> {
                int bRows = off(b) + bOff, bLd = ldb, bStride = strideB;
                if (transB) {
                    // B is stored [N, K]: make it row-major [K, N] first, once when it is shared by the batch
                    int copies = strideB == 0 ? 1 : batch;
                    DeviceStorage t = scratch((long) copies * k * n);
                    graphs.launch3D(k("gemm.transpose").ints(n, k, bRows, ldb, strideB, t.offset()), n, k, copies);
                    bRows = t.offset();
                    bLd = n;
                    bStride = strideB == 0 ? 0 : k * n;
                }
                graphs.launch3D(k("gemm.blocked").ints(m, n, k, transA ? 1 : lda, transA ? lda : 1, off(a) + aOff, strideA,
                        bRows, bLd, bStride, off(c) + cOff, ldc, strideC, accumulate ? 1 : 0),
                        n, (m + GemmKernels.ROWS - 1) / GemmKernels.ROWS, batch);
            }
            default -> graphs.launch3D(k("gemm.tiled").ints(m, n, k, transA ? 1 : 0, transB ? 1 : 0,
                    off(a) + aOff, lda, strideA, off(b) + bOff, ldb, strideB, off(c) + cOff, ldc, strideC,
                    accumulate ? 1 : 0), n, m, batch);
        }
    }

    /** The gemm scratch buffer, at least {@code n} floats. */
    private DeviceStorage scratch(long n) {
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tornado: transposed operand of " + n + " floats");
        if (gemmScratch == null || gemmScratch.size() < n) {
            gemmScratch = null;
            gemmScratch = reserve((int) Math.max(n, 1 << 16));
        }
        return gemmScratch;
    }

    @Override
    public synchronized void addRowVector(Storage out, Storage bias, int rows, int cols) {
        graphs.launch(k("elementwise.addRowVector").ints(rows, cols, off(out), off(bias)), (long) rows * cols);
    }

    @Override
    public synchronized void sumRowsInto(Storage dy, int rows, int cols, Storage dbias) {
        graphs.launch(k("elementwise.sumRowsInto").ints(rows, cols, off(dy), off(dbias)), cols);
    }

    // ---- elementwise with broadcasting -------------------------------------------------------
    @Override
    public synchronized void binary(BinaryOp op, Storage a, int[] aStrides, Storage b, int[] bStrides, Storage out, int[] outShape) {
        int rank = checkRank(outShape.length);
        KernelGraphs.Kernel kn = k("elementwise.binary");
        kn.ints(out.size(), op.ordinal(), rank, off(a), b == null ? off(a) : off(b), off(out));
        for (int d = 0; d < rank; d++) {
            kn.p.set(ElementwiseKernels.SHAPE + d, outShape[d]);
            kn.p.set(ElementwiseKernels.STRIDES_A + d, aStrides[d]);
            kn.p.set(ElementwiseKernels.STRIDES_B + d, b == null ? 0 : bStrides[d]);
        }
        graphs.launch(kn, out.size());
    }

    @Override
    public synchronized void sumTo(Storage x, int[] xShape, Storage out, int[] outStrides) {
        int rank = checkRank(xShape.length);
        KernelGraphs.Kernel kn = k("elementwise.sumTo");
        int kept = 1, reduced = 1, stride = 1;
        for (int d = rank - 1; d >= 0; d--) {
            kn.p.set(ElementwiseKernels.SHAPE + d, xShape[d]);
            kn.p.set(ElementwiseKernels.STRIDES_A + d, stride);
            kn.p.set(ElementwiseKernels.STRIDES_B + d, outStrides[d]);
            stride *= xShape[d];
            if (outStrides[d] != 0) kept *= xShape[d];
            else reduced *= xShape[d];
        }
        kn.ints(kept, reduced, rank, off(x), off(out));
        graphs.launch(kn, kept);
    }

    private static int checkRank(int rank) {
        if (rank > ElementwiseKernels.MAX_RANK) {
            throw new IllegalArgumentException("tornado: rank " + rank + " above " + ElementwiseKernels.MAX_RANK);
        }
        return rank;
    }

    @Override
    public synchronized void unary(UnaryOp op, Storage x, Storage out) {
        graphs.launch(k("elementwise.unary").ints(x.size(), op.ordinal(), off(x), off(out)), x.size());
    }

    @Override
    public synchronized void unaryBackward(UnaryOp op, Storage x, Storage dy, Storage dx, boolean accumulate) {
        graphs.launch(k("elementwise.unaryBackward").ints(x.size(), op.ordinal(), off(x), off(dy), off(dx),
                accumulate ? 1 : 0), x.size());
    }

    // ---- layout ------------------------------------------------------------------------------
    @Override
    public synchronized void permute(Storage x, int[] shape, int[] perm, Storage out) {
        int rank = checkRank(shape.length);
        int[] inStrides = new int[rank];
        int s = 1;
        for (int i = rank - 1; i >= 0; i--) {
            inStrides[i] = s;
            s *= shape[i];
        }
        KernelGraphs.Kernel kn = k("layout.permute");
        kn.ints(out.size(), rank, off(x), off(out));
        for (int d = 0; d < rank; d++) {
            kn.p.set(ElementwiseKernels.SHAPE + d, shape[perm[d]]);
            kn.p.set(ElementwiseKernels.STRIDES_A + d, inStrides[perm[d]]);
        }
        graphs.launch(kn, out.size());
    }

    private DeviceStorage indexOnDevice(int[] index) {
        DeviceStorage s = indices.get(index);
        if (s == null) {
            float[] asFloats = new float[index.length];
            for (int i = 0; i < index.length; i++) {
                if (index[i] >= (1 << 24)) throw new IllegalArgumentException("tornado: index above 2^24");
                asFloats[i] = index[i];
            }
            s = (DeviceStorage) upload(asFloats);
            indices.put(index, s);
        }
        return s;
    }

    @Override
    public synchronized void gather(Storage x, int outer, int rowsIn, int inner, int[] index, Storage out) {
        DeviceStorage idx = indexOnDevice(index);
        graphs.launch(k("layout.gather").ints(outer, rowsIn, inner, index.length, off(x), idx.offset(), off(out)),
                (long) outer * index.length * inner);
    }

    @Override
    public synchronized void scatterAdd(Storage dy, int outer, int rowsIn, int inner, int[] index, Storage dx) {
        DeviceStorage idx = indexOnDevice(index);
        graphs.launch(k("layout.scatterAdd").ints(outer, rowsIn, inner, index.length, off(dy), idx.offset(), off(dx)),
                (long) outer * inner);
    }

    // ---- normalisation and softmax -----------------------------------------------------------
    @Override
    public synchronized void layerNorm(Storage x, Storage w, Storage b, int rows, int cols, float eps,
                                       Storage y, Storage mean, Storage rstd) {
        graphs.launch(k("norm.layerNorm").ints(rows, cols, off(x), off(w), b == null ? -1 : off(b), off(y),
                off(mean), off(rstd)).floats(eps), (long) rows * NormKernels.GROUP);
    }

    @Override
    public synchronized void layerNormBackward(Storage dy, Storage x, Storage w, Storage mean, Storage rstd, int rows, int cols,
                                               Storage dx, Storage dw, Storage db) {
        if (dx != null) {
            graphs.launch(k("norm.layerNormBackward").ints(rows, cols, off(dy), off(x), off(w), off(mean), off(rstd),
                    off(dx)), (long) rows * NormKernels.GROUP);
        }
        if (dw != null || db != null) {
            graphs.launch(k("norm.layerNormParamGrads").ints(rows, cols, off(dy), off(x), off(mean), off(rstd),
                    dw == null ? -1 : off(dw), db == null ? -1 : off(db)), cols);
        }
    }

    @Override
    public synchronized void softmax(Storage x, int rows, int cols, Storage y) {
        graphs.launch(k("norm.softmax").ints(rows, cols, off(x), off(y)), (long) rows * NormKernels.GROUP);
    }

    @Override
    public synchronized void softmaxBackward(Storage y, Storage dy, int rows, int cols, Storage dx, boolean accumulate) {
        graphs.launch(k("norm.softmaxBackward").ints(rows, cols, off(y), off(dy), off(dx), accumulate ? 1 : 0),
                (long) rows * NormKernels.GROUP);
    }

    @Override
    public synchronized void crossEntropy(Storage logits, Storage targets, int rows, int cols, Storage probs, Storage loss) {
        graphs.launch(k("norm.crossEntropy").ints(rows, cols, off(logits), off(targets), off(probs), off(loss)),
                NormKernels.GROUP);
    }

    @Override
    public synchronized void crossEntropyBackward(Storage probs, Storage targets, Storage dloss, int rows, int cols,
                                                  Storage dlogits, boolean accumulate) {
        graphs.launch(k("norm.crossEntropyBackward").ints(rows * cols, rows, off(probs), off(targets), off(dloss),
                off(dlogits), accumulate ? 1 : 0), (long) rows * cols);
    }

    // ---- optimisers --------------------------------------------------------------------------
    @Override
    public synchronized void adamw(Storage param, Storage grad, Storage m, Storage v, float lr, float beta1, float beta2,
                                   float eps, float weightDecay, int step) {
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decay = 1f - lr * weightDecay;
        graphs.launch(k("optim.adamw").ints(param.size(), off(param), off(grad), off(m), off(v))
                .floats(beta1, beta2, eps, stepSize, bc2Sqrt, decay), param.size());
    }

    @Override
    public synchronized void sgd(Storage param, Storage grad, Storage buf, float lr, float momentum, float dampening,
                                 float weightDecay, boolean nesterov, boolean first) {
        boolean hasMomentum = momentum != 0;
        graphs.launch(k("optim.sgd").ints(param.size(), off(param), off(grad), buf == null ? 0 : off(buf),
                        nesterov ? 1 : 0, first ? 1 : 0, hasMomentum ? 1 : 0)
                .floats(lr, momentum, dampening, weightDecay), param.size());
    }

    @Override
    public synchronized void close() {
        graphs.close();
    }

    /** Runs every queued launch now (the next read does it anyway). */
    public synchronized void flush() {
        graphs.flush();
    }
}
