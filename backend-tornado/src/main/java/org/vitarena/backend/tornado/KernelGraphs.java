package org.vitarena.backend.tornado;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid3D;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task4;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the task graphs of the backend, one per kernel, in one execution plan, and launches them.
 *
 * <p>Graph 0 ({@code memory}) moves the arena to the device once ({@code FIRST_EXECUTION}) and
 * persists it; every other graph consumes the arena from it and persists it again, so tensors stay
 * on the device between kernels. What moves per launch is the kernel's small argument arrays
 * ({@code EVERY_EXECUTION}): the element offsets, sizes and scalars of that call. Staging graphs
 * are the only way data crosses between host and device ({@code memory.upload.N},
 * {@code memory.download.N} for a few staging sizes N).
 *
 * <p>Task names are {@code kind.kernel} (the graph is the kind-qualified kernel, the task the
 * kernel), and the same name keys its worker grid, whose size is set before each launch.
 */
final class KernelGraphs implements AutoCloseable {
    /** Staging buffer sizes in floats; a larger transfer goes through the largest in chunks. */
    static final int[] STAGING = {1 << 10, 1 << 14, 1 << 18, 1 << 22};
    private static final String ARENA_GRAPH = "memory";

    /** One kernel's graph: its index in the plan, its argument arrays and its worker grid. */
    static final class Kernel {
        final String name;
        final int index;
        final IntArray p;
        final FloatArray f;
        final WorkerGrid grid;
        final int local;
        int localY = 1;
        long launches;

        Kernel(String name, int index, IntArray p, FloatArray f, WorkerGrid grid, int local) {
            this.name = name;
            this.index = index;
            this.p = p;
            this.f = f;
            this.grid = grid;
            this.local = local;
        }

        /** Sets the integer arguments from index 0. */
        Kernel ints(int... values) {
            for (int i = 0; i < values.length; i++) p.set(i, values[i]);
            return this;
        }

        Kernel floats(float... values) {
            for (int i = 0; i < values.length; i++) f.set(i, values[i]);
            return this;
        }
    }

    private final FloatArray mem;
    private final List<ImmutableTaskGraph> graphs = new ArrayList<>();
    private final Map<String, Kernel> kernels = new LinkedHashMap<>();
    private final GridScheduler scheduler = new GridScheduler();
    final FloatArray[] staging = new FloatArray[STAGING.length];
    final Kernel[] uploads = new Kernel[STAGING.length];
    final Kernel[] downloads = new Kernel[STAGING.length];
    private final TornadoExecutionPlan plan;
    private long sinceClear;

    KernelGraphs(FloatArray mem) {
        this.mem = mem;
        // graph 0 puts the arena on the device and keeps it there
        define1D("memory", "fill", MemoryKernels::fill, 256);
        define1D("memory", "copy", MemoryKernels::copy, 256);
        define1D("memory", "copyBlocks", MemoryKernels::copyBlocks, 256);
        define1D("memory", "axpy", MemoryKernels::axpy, 256);
        define1D("memory", "scale", MemoryKernels::scale, 256);
        define1D("memory", "sumSquares", MemoryKernels::sumSquares, 256);
        for (int s = 0; s < STAGING.length; s++) {
            staging[s] = new FloatArray(STAGING[s]);
            uploads[s] = defineStaging("memory", "upload" + STAGING[s], MemoryKernels::fromStaging, staging[s], true);
            downloads[s] = defineStaging("memory", "download" + STAGING[s], MemoryKernels::toStaging, staging[s], false);
        }
        define3D("gemm", "tiled", GemmKernels::tiled, GemmKernels.TILE, GemmKernels.TILE);
        define3D("gemm", "direct", GemmKernels::direct, 64, 1);
        define1D("elementwise", "addRowVector", ElementwiseKernels::addRowVector, 256);
        define1D("elementwise", "sumRowsInto", ElementwiseKernels::sumRowsInto, 64);
        define1D("elementwise", "binary", ElementwiseKernels::binary, 256);
        define1D("elementwise", "sumTo", ElementwiseKernels::sumTo, 64);
        define1D("elementwise", "unary", ElementwiseKernels::unary, 256);
        define1D("elementwise", "unaryBackward", ElementwiseKernels::unaryBackward, 256);
        define1D("layout", "permute", LayoutKernels::permute, 256);
        define1D("layout", "gather", LayoutKernels::gather, 256);
        define1D("layout", "scatterAdd", LayoutKernels::scatterAdd, 64);
        define1D("norm", "layerNorm", NormKernels::layerNorm, NormKernels.GROUP);
        define1D("norm", "layerNormBackward", NormKernels::layerNormBackward, NormKernels.GROUP);
        define1D("norm", "layerNormParamGrads", NormKernels::layerNormParamGrads, 64);
        define1D("norm", "softmax", NormKernels::softmax, NormKernels.GROUP);
        define1D("norm", "softmaxBackward", NormKernels::softmaxBackward, NormKernels.GROUP);
        define1D("norm", "crossEntropy", NormKernels::crossEntropy, NormKernels.GROUP);
        define1D("norm", "crossEntropyBackward", NormKernels::crossEntropyBackward, 256);
        define1D("optim", "adamw", OptimizerKernels::adamw, 256);
        define1D("optim", "sgd", OptimizerKernels::sgd, 256);
        plan = new TornadoExecutionPlan(graphs.toArray(ImmutableTaskGraph[]::new));
        plan.withGridScheduler(scheduler);
    }

    private TaskGraph open(String graphName) {
        TaskGraph g = new TaskGraph(graphName);
        if (graphs.isEmpty()) {
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, mem);
        } else {
            g.consumeFromDevice(ARENA_GRAPH, mem);
        }
        return g;
    }

    private static String graphName(String kind, String kernel) {
        return kind + "_" + kernel;
    }

    private void define1D(String kind, String kernel, Task4<KernelContext, FloatArray, IntArray, FloatArray> code, int local) {
        WorkerGrid grid = new WorkerGrid1D(local);
        grid.setLocalWork(local, 1, 1);
        add(kind, kernel, code, grid, local, null, false);
    }

    private void define3D(String kind, String kernel, Task4<KernelContext, FloatArray, IntArray, FloatArray> code,
                          int localX, int localY) {
        WorkerGrid grid = new WorkerGrid3D(localX, localY, 1);
        grid.setLocalWork(localX, localY, 1);
        add(kind, kernel, code, grid, localX, null, false).localY = localY;
    }

    private Kernel defineStaging(String kind, String kernel, Task4<KernelContext, FloatArray, IntArray, FloatArray> code,
                                 FloatArray buffer, boolean upload) {
        WorkerGrid grid = new WorkerGrid1D(256);
        grid.setLocalWork(256, 1, 1);
        return add(kind, kernel, code, grid, 256, buffer, upload);
    }

    private Kernel add(String kind, String kernel, Task4<KernelContext, FloatArray, IntArray, FloatArray> code,
                       WorkerGrid grid, int local, FloatArray stagingBuffer, boolean upload) {
        String name = graphName(kind, kernel);
        String graphName = graphs.isEmpty() ? ARENA_GRAPH : name;
        IntArray p = new IntArray(64);
        FloatArray f = new FloatArray(8);
        TaskGraph g = open(graphName);
        KernelContext context = new KernelContext();
        if (stagingBuffer == null) {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, p, f);
            g.task(kernel, code, context, mem, p, f);
        } else if (upload) {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, p, stagingBuffer);
            g.task(kernel, code, context, mem, p, stagingBuffer);
        } else {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, p);
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, stagingBuffer);
            g.task(kernel, code, context, mem, p, stagingBuffer);
            g.transferToHost(DataTransferMode.EVERY_EXECUTION, stagingBuffer);
        }
        g.persistOnDevice(mem);
        scheduler.addWorkerGrid(graphName + "." + kernel, grid);
        Kernel k = new Kernel(kind + "." + kernel, graphs.size(), p, f, grid, local);
        graphs.add(g.snapshot());
        kernels.put(k.name, k);
        return k;
    }

    /** The kernel named {@code kind.kernel}. */
    Kernel kernel(String name) {
        Kernel k = kernels.get(name);
        if (k == null) throw new IllegalArgumentException("no kernel " + name);
        return k;
    }

    Map<String, Kernel> kernels() {
        return kernels;
    }

    /** Whether the plan's device is a CPU (PoCL and the like) rather than a GPU or accelerator. */
    boolean onCpuDevice() {
        return plan.getDevice(0).getDeviceType() == uk.ac.manchester.tornado.api.enums.TornadoDeviceType.CPU;
    }

    /** The plan's device, in words. */
    String deviceName() {
        return plan.getDevice(0).getPhysicalDevice().getDeviceName();
    }

    /** Launches a 1-D kernel over {@code items} work-items (rounded up to its work-group size). */
    void launch(Kernel k, long items) {
        long global = Math.max(1, (items + k.local - 1) / k.local) * k.local;
        k.grid.setGlobalWork(global, 1, 1);
        run(k);
    }

    /** Launches a 3-D kernel over x × y (each rounded up to the work-group) × z. */
    void launch3D(Kernel k, int x, int y, int z) {
        long gx = (long) Math.max(1, (x + k.local - 1) / k.local) * k.local;
        long gy = (long) Math.max(1, (y + k.localY - 1) / k.localY) * k.localY;
        k.grid.setGlobalWork(gx, gy, Math.max(1, z));
        run(k);
    }

    private void run(Kernel k) {
        plan.withGraph(k.index).execute();
        k.launches++;
        if (++sinceClear >= 4096) {
            plan.clearProfiles();
            sinceClear = 0;
        }
    }

    @Override
    public void close() {
        try {
            plan.close();
        } catch (Exception e) {
            throw new IllegalStateException("tornado: closing the execution plan failed", e);
        }
    }
}
