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

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The task graphs of the backend in one execution plan, and their launches: one graph per kernel
 * for eager launches, plus recorded sequences of launches replayed as multi-task graphs.
 *
 * <p>Graph 0 ({@code memory}) moves the arena to the device once ({@code FIRST_EXECUTION}) and
 * persists it; every other graph consumes the arena from it and persists it again, so tensors stay
 * on the device between kernels. What moves per eager launch is the kernel's small argument arrays
 * ({@code EVERY_EXECUTION}): the element offsets, sizes and scalars of that call. Staging graphs
 * are the only way data crosses between host and device ({@code memory.upload.N},
 * {@code memory.download.N} for a few staging sizes N).
 *
 * <p><b>Recording and replay.</b> Compute launches are deferred: they queue up until the host needs
 * the device (an upload, a download, a sum of squares read back) and then run as one
 * <em>segment</em>. A training step issues the same segments every step (static shapes, and the
 * {@code MemoryPool} hands out the same buffers in the same order), so each segment is keyed by its
 * kernels and grids. A segment seen {@link #COMPILE_AFTER} times is compiled: the plan is rebuilt
 * with the segment as task graphs of at most {@link #TASKS_PER_GRAPH} tasks each (TornadoVM 5.2
 * keeps a task graph's description in a fixed 8 KiB buffer: about 150 tasks). A replay sends every
 * task's arguments (offsets, sizes, learning rate, bias corrections) with the graph, so buffers that
 * the pool or the arena hand out in a different order from one step to the next still replay. From
 * then on the segment runs as a handful of graph executions instead of one launch per kernel. Rebuilding copies the live part
 * of the arena to the host and back (the plan is immutable in TornadoVM), at most
 * {@link #MAX_REBUILDS} times per backend. {@code -Dvitarena.tornado.graphs=true|false|auto} turns replay
 * on or off (off: every launch eager, in the same order, same results; auto, the default: on except on
 * CPU devices); {@code -Dvitarena.tornado.debugSegments=true}
 * prints each segment's size and, when it did not repeat, the first launch that differs from the
 * previous segment of that size.
 *
 * <p>Task names are {@code kind.kernel} (the graph is the kind-qualified kernel, the task the
 * kernel), and the same name keys its worker grid, whose size is set before each launch.
 */
final class KernelGraphs implements AutoCloseable {
    /** Staging buffer sizes in floats; a larger transfer goes through the largest in chunks. */
    static final int[] STAGING = {1 << 10, 1 << 14, 1 << 18, 1 << 22};
    private static final String ARENA_GRAPH = "memory";
    /** Integer argument slots per launch. */
    static final int INTS = 64;
    /** Float argument slots per launch. */
    static final int FLOATS = 8;
    /**
     * Whether repeated segments are compiled into multi-task graphs: {@code true}, {@code false}, or
     * {@code auto} (the default): on GPUs and accelerators, not on CPU devices, where a replayed
     * training step measured slower than eager launches at batch 32 (BENCHMARKS.md).
     */
    static final String REPLAY = System.getProperty("vitarena.tornado.graphs", "auto").trim().toLowerCase(java.util.Locale.ROOT);
    /** Tasks per replay graph: TornadoVM 5.2 has room for 1024 graph nodes (each task brings its argument transfers). */
    static final int TASKS_PER_GRAPH = Integer.getInteger("vitarena.tornado.graphTasks", 64);
    /** Occurrences of a segment before it is compiled (the first steps still allocate and warm the pool). */
    static final int COMPILE_AFTER = Integer.getInteger("vitarena.tornado.compileAfter", 3);
    /** Plan rebuilds per backend, each compiling every segment seen at least twice so far. */
    static final int MAX_REBUILDS = Integer.getInteger("vitarena.tornado.maxRebuilds", 3);
    /**
     * Segments shorter than this stay eager: a few launches save little, and short segments repeat
     * by accident (a model's parameter fills all look alike) and would trigger a plan rebuild.
     */
    static final int MIN_SEGMENT = 32;

    static {
        // TornadoVM's bytecode buffer is 4 KiB by default: a graph of 120 tasks needs more
        if (System.getProperty("tornado.tvm.maxbytecodesize") == null) {
            System.setProperty("tornado.tvm.maxbytecodesize", String.valueOf(1 << 20));
        }
    }

    /** How a kernel is built into a graph: its code, work-group shape and staging buffer, if any. */
    private record Def(String kind, String kernel, Task4<KernelContext, FloatArray, IntArray, FloatArray> code,
                       boolean threeD, int local, int localY, FloatArray staging, boolean upload, boolean library) {
        String name() {
            return kind + "." + kernel;
        }
    }

    /** One kernel's eager graph: its index in the plan, its argument arrays and its worker grid. */
    static final class Kernel {
        final String name;
        final int id;
        int index;
        final IntArray p;
        final FloatArray f;
        final WorkerGrid grid;
        final int local;
        int localY = 1;
        final boolean staging;
        long launches;
        private final Def def;

        private Kernel(Def def, int id, WorkerGrid grid) {
            this.def = def;
            this.name = def.name();
            this.id = id;
            this.p = new IntArray(INTS);
            this.f = new FloatArray(FLOATS);
            this.grid = grid;
            this.local = def.local;
            this.localY = def.localY;
            this.staging = def.staging != null;
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

    /** One deferred launch: the kernel, a copy of its arguments and its global sizes. */
    private record Launch(Kernel kernel, int[] ints, float[] floats, long gx, long gy, long gz) {}

    /** A compiled segment: its graphs in the plan and the per-task arguments sent with each replay. */
    private static final class Segment {
        final List<Launch> template;
        final FloatArray[] floats;
        final IntArray[] ints;
        int[] graphIndices = new int[0];
        /** Whether it has run once (its first replay compiles its tasks). */
        boolean replayed;

        Segment(List<Launch> template) {
            this.template = template;
            this.floats = new FloatArray[template.size()];
            this.ints = new IntArray[template.size()];
            for (int i = 0; i < template.size(); i++) {
                ints[i] = new IntArray(INTS);
                floats[i] = new FloatArray(FLOATS);
            }
        }
    }

    /** Counters of how kernels ran, for logs, tests and benchmarks. */
    record Stats(long eagerLaunches, long replayedTasks, long graphExecutions, int compiledSegments, int compiledTasks,
                 int rebuilds, double rebuildMs, double firstReplayMs, long segmentsFlushed) {}

    private final FloatArray mem;
    private final java.util.function.IntSupplier liveTop;
    private boolean replay;
    private final List<Def> defs = new ArrayList<>();
    private final Map<String, Kernel> kernels = new LinkedHashMap<>();
    final FloatArray[] staging = new FloatArray[STAGING.length];
    final Kernel[] uploads = new Kernel[STAGING.length];
    final Kernel[] downloads = new Kernel[STAGING.length];
    private TornadoExecutionPlan plan;
    private long sinceClear;

    private final List<Launch> pending = new ArrayList<>();
    private final Map<SegmentKey, Integer> seen = new HashMap<>();
    private final Map<SegmentKey, Segment> compiled = new LinkedHashMap<>();
    private final Map<SegmentKey, List<Launch>> candidates = new LinkedHashMap<>();
    private long eagerLaunches, replayedTasks, graphExecutions, segmentsFlushed;
    private int rebuilds;
    private double rebuildMs, firstReplayMs;

    /**
     * A segment's identity: the kernel and grid of every launch, in order. Arguments are not part of
     * it (they are sent with each replay), so buffers that move between steps do not matter.
     */
    private static final class SegmentKey {
        final int[] data;
        final int hash;

        SegmentKey(List<Launch> launches) {
            data = new int[launches.size() * 4];
            int o = 0;
            for (Launch l : launches) {
                data[o++] = l.kernel.id;
                data[o++] = (int) l.gx;
                data[o++] = (int) l.gy;
                data[o++] = (int) l.gz;
            }
            hash = Arrays.hashCode(data);
        }

        @Override public boolean equals(Object o) {
            return o instanceof SegmentKey k && k.hash == hash && Arrays.equals(k.data, data);
        }

        @Override public int hashCode() {
            return hash;
        }
    }

    /**
     * @param mem     the host side of the arena
     * @param liveTop the end of the arena's used part, in floats (what a plan rebuild carries over)
     * @param cublas  whether to define {@code gemm.cublas}, the {@link ArenaCublas} library task (only
     *                where {@link ArenaCublasProvider#unsupportedReason} is null: elsewhere TornadoVM
     *                reports library tasks unsupported)
     * @param replay  whether repeated segments are compiled and replayed (see {@link #REPLAY})
     */
    KernelGraphs(FloatArray mem, java.util.function.IntSupplier liveTop, boolean cublas, boolean replay) {
        this.mem = mem;
        this.liveTop = liveTop;
        this.replay = replay;
        // graph 0 puts the arena on the device and keeps it there
        define1D("memory", "fill", MemoryKernels::fill, 256);
        define1D("memory", "copy", MemoryKernels::copy, 256);
        define1D("memory", "copyBlocks", MemoryKernels::copyBlocks, 256);
        define1D("memory", "axpy", MemoryKernels::axpy, 256);
        define1D("memory", "scale", MemoryKernels::scale, 256);
        define1D("memory", "sumSquares", MemoryKernels::sumSquares, 256);
        for (int s = 0; s < STAGING.length; s++) {
            staging[s] = new FloatArray(STAGING[s]);
            uploads[s] = define(new Def("memory", "upload" + STAGING[s], MemoryKernels::fromStaging, false, 256, 1, staging[s], true, false));
            downloads[s] = define(new Def("memory", "download" + STAGING[s], MemoryKernels::toStaging, false, 256, 1, staging[s], false, false));
        }
        define3D("gemm", "tiled", GemmKernels::tiled, GemmKernels.TILE, GemmKernels.TILE);
        define3D("gemm", "direct", GemmKernels::direct, 64, 1);
        define3D("gemm", "blocked", GemmKernels::blocked, 32, 1);
        define3D("gemm", "transpose", GemmKernels::transpose, 32, 1);
        if (cublas) define(new Def("gemm", "cublas", null, false, 1, 1, null, false, true));
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
        plan = buildPlan();
    }

    private void define1D(String kind, String kernel, Task4<KernelContext, FloatArray, IntArray, FloatArray> code, int local) {
        define(new Def(kind, kernel, code, false, local, 1, null, false, false));
    }

    private void define3D(String kind, String kernel, Task4<KernelContext, FloatArray, IntArray, FloatArray> code,
                          int localX, int localY) {
        define(new Def(kind, kernel, code, true, localX, localY, null, false, false));
    }

    private Kernel define(Def def) {
        WorkerGrid grid = def.threeD ? new WorkerGrid3D(def.local, def.localY, 1) : new WorkerGrid1D(def.local);
        grid.setLocalWork(def.local, def.localY, 1);
        Kernel k = new Kernel(def, defs.size(), grid);
        defs.add(def);
        kernels.put(k.name, k);
        return k;
    }

    private static String graphName(Def d) {
        return d.kind + "_" + d.kernel;
    }

    private TaskGraph open(String graphName, boolean first) {
        TaskGraph g = new TaskGraph(graphName);
        if (first) {
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, mem);
        } else {
            g.consumeFromDevice(ARENA_GRAPH, mem);
        }
        return g;
    }

    /** A plan of every kernel's eager graph, then every compiled segment's graphs. */
    private TornadoExecutionPlan buildPlan() {
        List<ImmutableTaskGraph> graphs = new ArrayList<>();
        GridScheduler scheduler = new GridScheduler();
        for (Def d : defs) {
            Kernel k = kernels.get(d.name());
            boolean first = graphs.isEmpty();
            String name = first ? ARENA_GRAPH : graphName(d);
            TaskGraph g = open(name, first);
            KernelContext context = new KernelContext();
            if (d.library) {
                g.transferToDevice(DataTransferMode.EVERY_EXECUTION, k.p);
                g.libraryTask(d.kernel, ArenaCublas::sgemm, mem, k.p);
            } else if (d.staging == null) {
                g.transferToDevice(DataTransferMode.EVERY_EXECUTION, k.p, k.f);
                g.task(d.kernel, d.code, context, mem, k.p, k.f);
            } else if (d.upload) {
                g.transferToDevice(DataTransferMode.EVERY_EXECUTION, k.p, d.staging);
                g.task(d.kernel, d.code, context, mem, k.p, d.staging);
            } else {
                g.transferToDevice(DataTransferMode.EVERY_EXECUTION, k.p);
                g.transferToDevice(DataTransferMode.FIRST_EXECUTION, d.staging);
                g.task(d.kernel, d.code, context, mem, k.p, d.staging);
                g.transferToHost(DataTransferMode.EVERY_EXECUTION, d.staging);
            }
            g.persistOnDevice(mem);
            if (!d.library) scheduler.addWorkerGrid(name + "." + d.kernel, k.grid);
            k.index = graphs.size();
            graphs.add(g.snapshot());
        }
        int s = 0;
        for (Segment seg : compiled.values()) {
            int n = seg.template.size();
            int chunks = (n + TASKS_PER_GRAPH - 1) / TASKS_PER_GRAPH;
            seg.graphIndices = new int[chunks];
            for (int c = 0; c < chunks; c++) {
                String name = "segment" + s + "_" + c;
                TaskGraph g = open(name, false);
                int lo = c * TASKS_PER_GRAPH, hi = Math.min(n, lo + TASKS_PER_GRAPH);
                for (int i = lo; i < hi; i++) g.transferToDevice(DataTransferMode.EVERY_EXECUTION, seg.ints[i], seg.floats[i]);
                for (int i = lo; i < hi; i++) {
                    Launch l = seg.template.get(i);
                    Def d = l.kernel.def;
                    String task = "t" + i;
                    if (d.library) {
                        g.libraryTask(task, ArenaCublas::sgemm, mem, seg.ints[i]);
                        continue;
                    }
                    g.task(task, d.code, new KernelContext(), mem, seg.ints[i], seg.floats[i]);
                    WorkerGrid grid = d.threeD ? new WorkerGrid3D(d.local, d.localY, 1) : new WorkerGrid1D(d.local);
                    grid.setLocalWork(d.local, d.localY, 1);
                    grid.setGlobalWork(l.gx, l.gy, l.gz);
                    scheduler.addWorkerGrid(name + "." + task, grid);
                }
                g.persistOnDevice(mem);
                seg.graphIndices[c] = graphs.size();
                graphs.add(g.snapshot());
            }
            s++;
        }
        TornadoExecutionPlan p = new TornadoExecutionPlan(graphs.toArray(ImmutableTaskGraph[]::new));
        p.withGridScheduler(scheduler);
        return p;
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

    /** Turns recording and replay on or off from the next launch (queued launches run first). */
    void replay(boolean on) {
        flush();
        replay = on;
    }

    boolean replaying() {
        return replay;
    }

    /** Runs a library task (no grid: the library chooses its own). */
    void launchLibrary(Kernel k) {
        submit(k, 1, 1, 1);
    }

    /** Launches a 1-D kernel over {@code items} work-items (rounded up to its work-group size). */
    void launch(Kernel k, long items) {
        long global = Math.max(1, (items + k.local - 1) / k.local) * k.local;
        submit(k, global, 1, 1);
    }

    /** Launches a 3-D kernel over x × y (each rounded up to the work-group) × z. */
    void launch3D(Kernel k, int x, int y, int z) {
        long gx = (long) Math.max(1, (x + k.local - 1) / k.local) * k.local;
        long gy = (long) Math.max(1, (y + k.localY - 1) / k.localY) * k.localY;
        submit(k, gx, gy, Math.max(1, z));
    }

    private void submit(Kernel k, long gx, long gy, long gz) {
        if (k.staging || !replay) {
            // a staging copy is a synchronisation point: what was queued runs first
            flush();
            k.grid.setGlobalWork(gx, gy, gz);
            run(k);
            return;
        }
        int[] ints = new int[INTS];
        MemorySegment.copy(k.p.getSegment(), ValueLayout.JAVA_INT, 0, ints, 0, INTS);
        float[] floats = new float[FLOATS];
        MemorySegment.copy(k.f.getSegment(), ValueLayout.JAVA_FLOAT, 0, floats, 0, FLOATS);
        pending.add(new Launch(k, ints, floats, gx, gy, gz));
    }

    /** Runs every queued launch: as a compiled segment when it is one, else one by one. */
    void flush() {
        if (pending.isEmpty()) return;
        List<Launch> launches = new ArrayList<>(pending);
        pending.clear();
        segmentsFlushed++;
        SegmentKey key = launches.size() >= MIN_SEGMENT ? new SegmentKey(launches) : null;
        Segment seg = key == null ? null : compiled.get(key);
        if (seg != null) {
            replay(seg, launches);
            return;
        }
        for (Launch l : launches) {
            Kernel k = l.kernel;
            for (int i = 0; i < INTS; i++) k.p.set(i, l.ints[i]);
            for (int i = 0; i < FLOATS; i++) k.f.set(i, l.floats[i]);
            k.grid.setGlobalWork(l.gx, l.gy, l.gz);
            run(k);
        }
        if (key == null) return;
        if (DEBUG) debug(launches, key);
        int count = seen.merge(key, 1, Integer::sum);
        if (count == 2) candidates.put(key, launches);
        if (count >= COMPILE_AFTER && rebuilds < MAX_REBUILDS && !candidates.isEmpty()) rebuild();
    }

    private static final boolean DEBUG = Boolean.getBoolean("vitarena.tornado.debugSegments");
    /** The last segment of each size, for {@link #debug}. */
    private final Map<Integer, List<Launch>> lastBySize = new HashMap<>();

    /** Why a segment did not repeat: its first launch unlike the previous segment of its size. */
    private void debug(List<Launch> launches, SegmentKey key) {
        List<Launch> prev = lastBySize.put(launches.size(), launches);
        String diff = "";
        if (prev != null) {
            for (int i = 0; i < launches.size() && diff.isEmpty(); i++) {
                Launch a = prev.get(i), b = launches.get(i);
                if (a.kernel != b.kernel || a.gx != b.gx || a.gy != b.gy || a.gz != b.gz) diff = "launch " + i + " kernel/grid " + a.kernel.name + " vs " + b.kernel.name;
                else if (!Arrays.equals(a.ints, b.ints)) diff = "launch " + i + " " + a.kernel.name + " ints " + Arrays.toString(Arrays.copyOf(a.ints, 12)) + " vs " + Arrays.toString(Arrays.copyOf(b.ints, 12));
            }
        }
        System.err.println("segment " + launches.size() + " launches, hash " + key.hash + ", seen " + seen.getOrDefault(key, 0) + (diff.isEmpty() ? "" : "; first difference from the last of this size: " + diff));
    }

    private void replay(Segment seg, List<Launch> launches) {
        for (int i = 0; i < launches.size(); i++) {
            Launch l = launches.get(i);
            MemorySegment.copy(l.ints, 0, seg.ints[i].getSegment(), ValueLayout.JAVA_INT, 0, INTS);
            MemorySegment.copy(l.floats, 0, seg.floats[i].getSegment(), ValueLayout.JAVA_FLOAT, 0, FLOATS);
            l.kernel.launches++;
        }
        long t0 = System.nanoTime();
        for (int index : seg.graphIndices) {
            plan.withGraph(index).execute();
            graphExecutions++;
            if (++sinceClear >= 4096) {
                plan.clearProfiles();
                sinceClear = 0;
            }
        }
        if (!seg.replayed) {
            firstReplayMs += (System.nanoTime() - t0) / 1e6;
            seg.replayed = true;
        }
        replayedTasks += launches.size();
    }

    /**
     * Rebuilds the plan with every candidate segment compiled: the live part of the arena comes to
     * the host through the old plan and goes back to the device with the new one.
     */
    private void rebuild() {
        long t0 = System.nanoTime();
        int top = liveTop.getAsInt();
        Kernel down = downloads[STAGING.length - 1];
        for (int done = 0; done < top; ) {
            int n = Math.min(STAGING[STAGING.length - 1], top - done);
            down.ints(n, done);
            down.grid.setGlobalWork(Math.max(1, (n + down.local - 1) / down.local) * (long) down.local, 1, 1);
            run(down);
            MemorySegment.copy(staging[STAGING.length - 1].getSegment(), ValueLayout.JAVA_FLOAT, 0, mem.getSegment(),
                    ValueLayout.JAVA_FLOAT, (long) done * Float.BYTES, n);
            done += n;
        }
        for (Map.Entry<SegmentKey, List<Launch>> e : candidates.entrySet()) compiled.put(e.getKey(), new Segment(e.getValue()));
        candidates.clear();
        closePlan();
        plan = buildPlan();
        rebuilds++;
        // the arena graph's first execution moves the arena (now current on the host) to the device
        Kernel fill = kernels.get("memory.fill");
        fill.ints(0, 0).floats(0f);
        fill.grid.setGlobalWork(fill.local, 1, 1);
        run(fill);
        rebuildMs += (System.nanoTime() - t0) / 1e6;
    }

    private void run(Kernel k) {
        plan.withGraph(k.index).execute();
        k.launches++;
        eagerLaunches++;
        if (++sinceClear >= 4096) {
            plan.clearProfiles();
            sinceClear = 0;
        }
    }

    Stats stats() {
        int tasks = 0;
        for (Segment s : compiled.values()) tasks += s.template.size();
        return new Stats(eagerLaunches, replayedTasks, graphExecutions, compiled.size(), tasks, rebuilds, rebuildMs,
                firstReplayMs, segmentsFlushed);
    }

    private void closePlan() {
        try {
            plan.close();
        } catch (Exception e) {
            throw new IllegalStateException("tornado: closing the execution plan failed", e);
        }
    }

    @Override
    public void close() {
        flush();
        closePlan();
    }
}
