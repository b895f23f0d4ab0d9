package org.vitarena.runner;

import org.vitarena.engine.ModelRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.vitarena.core.MemoryPool;
import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.Backends;
import org.vitarena.core.backend.ProfilingBackend;
import org.vitarena.core.cpu.CpuThreads;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.core.optim.AdamW;
import org.vitarena.data.DataLoader;
import org.vitarena.engine.TrainStep;
import org.vitarena.spi.ModelInfo;
import org.vitarena.spi.ModelOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code runner bench}: images per second of a training step (forward + loss + backward + AdamW) or of
 * inference, the median of N timed steps after W warm-ups, with FLOP rate, peak RSS and the heap allocated a
 * timed step; {@code --profile}
 * adds time per kernel kind.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmark a training step or inference on random data.")
public final class BenchCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.ParentCommand Main parent;
    @Mixin CommonOptions common;

    @Option(names = "--model", description = "Model name (required unless --loader).")
    String model;

    @Option(names = "--loader", description = "Benchmark the data loader instead: the embedded training set with the paper's full augmentation "
            + "(RRC, flip, RandAugment(2,9), mixup/cutmix, erasing) at --img-size (default 224), batch 64.")
    boolean loader;

    @Option(names = "--mode", defaultValue = "train", description = "train (forward + loss + backward + AdamW) or infer. Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--batch", description = "Batch (default 32 for train, 64 for infer).")
    Integer batch;

    @Option(names = "--img-size", defaultValue = "0", description = "Input size (default: the variant's).")
    int imgSize;

    @Option(names = "--num-classes", defaultValue = "200", description = "Classes. Default: ${DEFAULT-VALUE}.")
    int numClasses;

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed warm-up steps. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--freeze-backbone", description = "Train mode: only the classifier trains (the backward stops at the head).")
    boolean freezeBackbone;

    @Option(names = "--profile", description = "Also print time per kernel kind over the timed steps.")
    boolean profile;

    @Option(names = "--profile-gemm", description = "With --profile: split matrix products and linears by shape (batch x [M x N x K], transposes; linear [rows x out x in]).")
    boolean profileGemm;

    @Option(names = "--json", description = "JSON {model, mode, batch, threads, img_per_s, step_ms, gflops_per_s, peak_rss_bytes, alloc_bytes_per_step}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        common.inherit(parent == null ? null : parent.common).apply(spec.commandLine().getErr());
        PrintWriter out = spec.commandLine().getOut();
        if (loader) return benchLoader(out);
        if (model == null) throw new IllegalArgumentException("--model is required (or --loader)");
        boolean train = switch (mode) {
            case "train" -> true;
            case "infer" -> false;
            default -> throw new IllegalArgumentException("--mode must be train or infer, got " + mode);
        };
        int b = batch != null ? batch : train ? 32 : 64;
        ModelRegistry reg = common.inherit(parent == null ? null : parent.common).registry(spec.commandLine().getErr());
        var entry = reg.entry(model);
        ModelOptions opts = new ModelOptions(numClasses, imgSize, 0f, common.seed());
        ModelInfo info = ModelInfo.measure(() -> entry.provider().create(model, opts));
        if ("cpu".equals(Backends.current().name())) { // refused before anything is allocated, not an OutOfMemoryError later
            org.vitarena.engine.MemoryEstimate.of(info, b, train && !freezeBackbone ? info.params() : 0, train, freezeBackbone)
                    .check((train ? "training " : "inference of ") + model + " at batch " + b + ", " + info.imgSize() + " px",
                            Runtime.getRuntime().maxMemory());
        }
        ProfilingBackend.Profile prof = new ProfilingBackend.Profile().gemmShapes(profileGemm);
        Backend base = Backends.current();
        if (profile) Backends.use(ProfilingBackend.wrap(base, prof));
        try {
            VisionModel m = entry.provider().create(model, opts);
            int s = m.imgSize();
            SplittableRandom rng = new SplittableRandom(common.seed());
            float[] x = new float[b * 3 * s * s];
            for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 4 - 2);
            int[] labels = new int[b];
            for (int i = 0; i < b; i++) labels[i] = rng.nextInt(numClasses);
            Tensor input = Tensor.of(x, b, 3, s, s);
            m.freezeBackbone(freezeBackbone);
            Map<String, Tensor> trainable = new LinkedHashMap<>();
            m.namedParameters().forEach((k, t) -> { if (t.requiresGrad()) trainable.put(k, t); });
            AdamW opt = AdamW.paper(trainable);
            m.train(train);
            TrainStep step = new TrainStep(m, null, opt, trainable, 0f, common.seed()); // the trainer's own step
            DataLoader.Batch batch0 = new DataLoader.Batch(x, b, s, labels, null, 0, 0);
            MemoryPool pool = new MemoryPool(Backends.current());
            double[] ms = new double[steps];
            long allocated0 = 0;
            for (int i = -warmup; i < steps; i++) {
                if (i == 0) {
                    prof.reset();
                    allocated0 = allocatedBytes();
                }
                long t0 = System.nanoTime();
                if (train) {
                    step.accumulate(batch0, numClasses, 0.1f, 1, i + warmup);
                    step.update(1e-3f); // the paper's learning rate
                } else {
                    try (var ignored = pool.open(); var ignored2 = NoGrad.scope()) {
                        m.forward(input).toArray();
                    }
                }
                if (i >= 0) ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            long allocated1 = allocatedBytes();
            long allocPerStep = allocated0 < 0 || allocated1 < 0 ? -1 : (allocated1 - allocated0) / Math.max(1, steps);
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            double median = steps % 2 == 1 ? sorted[steps / 2] : (sorted[steps / 2 - 1] + sorted[steps / 2]) / 2;
            double ips = b / (median / 1000);
            double flops = 2.0 * info.macs() * (train && !freezeBackbone ? 3 : 1) * b; // a frozen backbone: forward only, to a first order
            long rss = peakRss();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", model);
            r.put("mode", freezeBackbone ? mode + "-frozen-backbone" : mode);
            r.put("batch", b);
            r.put("threads", CpuThreads.threads());
            r.put("img_per_s", Math.round(ips * 100) / 100.0);
            r.put("step_ms", Math.round(median * 100) / 100.0);
            r.put("gflops_per_s", Math.round(flops / (median / 1000) / 1e9 * 10) / 10.0);
            r.put("peak_rss_bytes", rss);
            r.put("alloc_bytes_per_step", allocPerStep);
            if (json) out.println(new ObjectMapper().writeValueAsString(r));
            else out.printf("%s %s batch %d, %d threads: %.1f img/s, %.1f ms/step (median of %d), %.1f GFLOP/s, peak RSS %.0f MiB, "
                            + "heap allocated %s a step%n",
                    model, mode, b, CpuThreads.threads(), ips, median, steps, flops / (median / 1000) / 1e9, rss / 1048576.0,
                    allocPerStep < 0 ? "(unknown)" : String.format("%.2f MiB", allocPerStep / 1048576.0));
            if (profile) printProfile(spec.commandLine().getErr(), prof, steps);
            String how = base.executionSummary();
            if (how != null) spec.commandLine().getErr().println(base.name() + ": " + how);
            return 0;
        } finally {
            Backends.use(base);
        }
    }

    /**
     * Heap bytes allocated by every thread since the JVM started, or -1 where the JVM cannot tell. A
     * training or inference step in steady state allocates little (its tensors come from the pool);
     * megabytes a step mean a kernel whose vectors C2 left boxed, which also runs several times
     * slower (the kernels' notes in BENCHMARKS.md).
     */
    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
            return t.getTotalThreadAllocatedBytes();
        }
        return -1;
    }

    /** Loader images per second: batches after the first (warm-up) one, over the whole embedded training set. */
    private int benchLoader(PrintWriter out) throws Exception {
        int size = imgSize > 0 ? imgSize : 224;
        int b = batch != null ? batch : 64;
        var train = org.vitarena.data.SyntheticDataset.defaults().train();
        int threads = CpuThreads.threads();
        try (var dl = org.vitarena.data.DataLoader.builder(train).setBatchSize(b)
                .optAugment(org.vitarena.data.AugmentConfig.paperTrain(size)).optShuffle(true).optDropLast(true)
                .optSeed(common.seed()).optThreads(threads).build()) {
            int w = Math.max(1, warmup); // the clock starts once the pipeline has delivered its first batches
            int batches = Math.min(dl.batchesPerEpoch(), w + steps);
            long t0 = 0;
            int counted = 0;
            try (var it = dl.epoch(0)) {
                for (int i = 0; i < batches; i++) {
                    int n = it.next().size();
                    if (i == w - 1) t0 = System.nanoTime();
                    if (i >= w) counted += n;
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double ips = counted / secs;
            if (json) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("mode", "loader");
                r.put("img_size", size);
                r.put("batch", b);
                r.put("threads", threads);
                r.put("img_per_s", Math.round(ips * 10) / 10.0);
                out.println(new ObjectMapper().writeValueAsString(r));
            } else {
                out.printf("loader, paper augmentation at %d px, batch %d, %d threads: %.1f img/s over %d images%n", size, b, threads, ips, counted);
            }
            return 0;
        }
    }

    private static void printProfile(PrintWriter w, ProfilingBackend.Profile prof, int steps) {
        var snap = prof.snapshot();
        long total = snap.values().stream().mapToLong(v -> v[0]).sum();
        w.printf("%-34s %10s %8s %7s%n", "kernel", "ms/step", "calls", "share");
        snap.entrySet().stream().sorted((a, c) -> Long.compare(c.getValue()[0], a.getValue()[0])).forEach(e ->
                w.printf("%-34s %10.2f %8d %6.1f%%%n", e.getKey(), e.getValue()[0] / 1e6 / steps, e.getValue()[1] / steps,
                        100.0 * e.getValue()[0] / Math.max(1, total)));
        w.printf("%-34s %10.2f%n", "total in kernels", total / 1e6 / steps);
    }

    /** Peak resident set size (VmHWM) of this process, or -1 where /proc is unavailable. */
    static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        } catch (Exception e) {
            // not Linux
        }
        return -1;
    }

}
