package org.vitarena.runner.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.vitarena.core.NoGrad;
import org.vitarena.core.io.Pretrained;
import org.vitarena.core.MemoryPool;
import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backends;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.io.StateDict;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Norms;
import org.vitarena.core.ops.StepRandom;
import org.vitarena.core.optim.AdamW;
import org.vitarena.core.optim.Optimizer;
import org.vitarena.core.optim.SGD;
import org.vitarena.data.AugmentConfig;
import org.vitarena.data.DataLoader;
import org.vitarena.data.Dataset;
import org.vitarena.runner.ModelRegistry;
import org.vitarena.runner.report.Progress;
import org.vitarena.spi.ModelOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training loop: micro-batches with gradient accumulation, the loss (label-smoothed or soft-target
 * cross-entropy, DeiT's hard distillation), gradient clipping, the per-update cosine schedule, an
 * evaluation and an atomic checkpoint after every epoch, and exact resume.
 *
 * <p>Everything random is a function of (seed, position): the data order and augmentation of
 * (seed, epoch, index), dropout and drop-path of (seed, micro-step). With the optimiser state and the
 * position in the checkpoint, a run resumed from any checkpoint on the same thread count ends with
 * weights bit-identical to an uninterrupted one.
 */
public final class Trainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Thrown when the loss becomes NaN or infinite. */
    public static final class DivergedException extends RuntimeException {
        DivergedException(String m) {
            super(m);
        }
    }

    /** What a finished run measured. */
    public record Outcome(VisionModel model, String family, List<Checkpoint.EpochRecord> history, long params, long peakMemoryBytes,
                          Evaluator.Result lastEval, Dataset val, int trainImages) {}

    private final ModelRegistry registry;
    private final Path out;
    private final PrintStream log;
    private TrainConfig cfg;
    private final boolean resume;
    /** Stops after this many optimiser updates in this process (tests simulate a kill); < 0 for no limit. */
    private long stopAfterUpdates = -1;

    public Trainer(ModelRegistry registry, TrainConfig cfg, Path out, boolean resume, PrintStream log) {
        this.registry = registry;
        this.cfg = cfg;
        this.out = out;
        this.resume = resume;
        this.log = log;
    }

    /** For tests: return (as a crash would) after {@code n} optimiser updates, checkpoints as written so far. */
    public Trainer stopAfterUpdates(long n) {
        this.stopAfterUpdates = n;
        return this;
    }

    public Path lastCheckpoint() {
        return out.resolve("last.ckpt");
    }

    public Outcome run() throws IOException {
        Files.createDirectories(out);
        Checkpoint.Loaded ckpt = null;
        if (resume && Files.exists(lastCheckpoint())) {
            ckpt = Checkpoint.load(lastCheckpoint());
            TrainConfig stored = ckpt.state().config();
            if (!stored.model().equals(cfg.model())) {
                throw new IllegalArgumentException(lastCheckpoint() + " is a run of " + stored.model() + ", not " + cfg.model()
                        + "; use another --out or the same --model");
            }
            int epochs = cfg.epochs();
            cfg = new TrainConfig(stored.model(), stored.data(), epochs, stored.batch(), stored.accum(), stored.imgSize(), stored.optimizer(),
                    stored.lr(), stored.minLr(), stored.weightDecay(), stored.momentum(), stored.warmupEpochs(), stored.dropPath(),
                    stored.clipGrad(), stored.noDecayNormBias(), stored.freezeBackbone(), stored.pretrained(), stored.teacher(),
                    stored.augment(), stored.seed(), cfg.loaderThreads(), stored.saveEvery(), stored.keepLast(), stored.evalEvery(),
                    stored.commandLine());
            log.printf("resuming %s from %s: epoch %d, batch %d, update %d%n", cfg.model(), lastCheckpoint(), ckpt.state().epoch() + 1,
                    ckpt.state().batch(), ckpt.state().update());
        } else if (resume) {
            log.println("no checkpoint at " + lastCheckpoint() + ": starting a new run");
        }

        if (ckpt == null && cfg.pretrained() != null && !Files.isRegularFile(Path.of(cfg.pretrained()))) {
            throw new IOException(cfg.pretrained() + ": no such weights file (expected a timm model.safetensors for " + cfg.model() + ")");
        }
        if (cfg.teacher() != null && !Files.isRegularFile(Path.of(cfg.teacher()))) {
            throw new IOException(cfg.teacher() + ": no such teacher checkpoint");
        }
        DataSpec.Splits data = cfg.data().open(true, log);
        Dataset train = data.train(), val = data.val();
        ModelRegistry.Entry entry = registry.entry(cfg.model());
        VisionModel model = entry.provider().create(cfg.model(), new ModelOptions(train.numClasses(), cfg.imgSize(), cfg.dropPath(), cfg.seed()));
        if (ckpt == null && cfg.pretrained() != null) Pretrained.load(model, Path.of(cfg.pretrained()), log::println);
        model.freezeBackbone(cfg.freezeBackbone());
        Map<String, Tensor> trainable = new LinkedHashMap<>();
        model.namedParameters().forEach((k, t) -> { if (t.requiresGrad()) trainable.put(k, t); });
        Optimizer opt = cfg.optimizer().equals("sgd")
                ? new SGD(trainable, cfg.lr(), cfg.momentum(), 0f, cfg.weightDecay(), cfg.momentum() > 0)
                : new AdamW(trainable, cfg.lr(), 0.9f, 0.999f, 1e-8f, cfg.weightDecay());
        if (cfg.noDecayNormBias()) opt.excludeNormsAndBiasesFromDecay();
        VisionModel teacher = cfg.teacher() == null ? null : Models.fromCheckpoint(registry, Checkpoint.load(Path.of(cfg.teacher())));

        int startEpoch = 0, startBatch = 0;
        long update = 0, micro = 0;
        List<Checkpoint.EpochRecord> history = new ArrayList<>();
        if (ckpt != null) {
            StateDict.load(model, ckpt.model(), true, lastCheckpoint().toString());
            opt.loadState(ckpt.optim());
            startEpoch = ckpt.state().epoch();
            startBatch = ckpt.state().batch();
            update = ckpt.state().update();
            micro = ckpt.state().micro();
            history.addAll(ckpt.state().history());
            trimMetrics(micro);
        } else {
            Files.deleteIfExists(out.resolve("metrics.jsonl"));
        }

        int img = model.imgSize();
        AugmentConfig aug = augment(cfg.augment(), img);
        boolean dropLast = train.size() >= cfg.batch();
        try (DataLoader trainLoader = DataLoader.builder(train).setBatchSize(cfg.batch()).optAugment(aug).optShuffle(true)
                .optDropLast(dropLast).optSeed(cfg.seed()).optThreads(cfg.loaderThreads()).build();
             DataLoader valLoader = DataLoader.builder(val).setBatchSize(Math.max(cfg.batch(), 64)).optAugment(AugmentConfig.eval(img))
                     .optShuffle(false).optDropLast(false).optSeed(cfg.seed()).optThreads(cfg.loaderThreads()).build()) {
            int batches = trainLoader.batchesPerEpoch();
            if (batches == 0) throw new IllegalArgumentException("the training split has no images");
            long updatesPerEpoch = (batches + cfg.accum() - 1) / cfg.accum();
            Schedule schedule = new Schedule(cfg.lr(), cfg.minLr(), Math.round(cfg.warmupEpochs() * updatesPerEpoch),
                    (long) cfg.epochs() * updatesPerEpoch);
            List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).toList();
            heap.forEach(MemoryPoolMXBean::resetPeakUsage);
            MemoryPool pool = new MemoryPool(Backends.current());
            long updatesThisProcess = 0;
            Evaluator.Result lastEval = null;
            String labelMap = train.labelMap().encode();

            for (int epoch = startEpoch; epoch < cfg.epochs(); epoch++) {
                model.train(true);
                long t0 = System.nanoTime();
                double lossSum = 0;
                int lossCount = 0, images = 0;
                int from = epoch == startEpoch ? startBatch : 0;
                try (DataLoader.Epoch it = trainLoader.epoch(epoch, from);
                     Progress bar = Progress.start(String.format("%s epoch %d/%d", cfg.model(), epoch + 1, cfg.epochs()), batches - from, log)) {
                    int groupStart = from;
                    for (int b = from; b < batches; b++) {
                        DataLoader.Batch batch = it.next();
                        int groupSize = Math.min(cfg.accum(), batches - groupStart);
                        StepRandom.reset(cfg.seed(), micro);
                        float lv;
                        try (var step = pool.open()) { // activations and gradients reuse the previous step's memory
                            Tensor x = Tensor.of(batch.images(), batch.size(), 3, batch.imgSize(), batch.imgSize());
                            Tensor loss = loss(model, teacher, x, batch, train.numClasses(), (float) cfg.augment().labelSmoothing());
                            lv = loss.item();
                            if (!Float.isFinite(lv)) {
                                throw new DivergedException(String.format("loss became %s at epoch %d, batch %d (update %d); training stopped. "
                                        + "The last good checkpoint is %s. Lower --lr or set --clip-grad.", lv, epoch + 1, b, update,
                                        Files.exists(lastCheckpoint()) ? lastCheckpoint() : "(none yet)"));
                            }
                            Arith.scale(loss, 1f / groupSize).backward();
                        }
                        micro++;
                        lossSum += lv;
                        lossCount++;
                        images += batch.size();
                        boolean groupEnd = (b - groupStart + 1) == groupSize;
                        if (groupEnd) {
                            float lr = schedule.at(update);
                            opt.setLr(lr);
                            if (cfg.clipGrad() > 0) clip(trainable, cfg.clipGrad());
                            opt.step();
                            opt.zeroGrad();
                            update++;
                            updatesThisProcess++;
                            groupStart = b + 1;
                            if (micro % 10 == 0 || b == batches - 1) {
                                double secs = (System.nanoTime() - t0) / 1e9;
                                metric(Map.of("epoch", epoch + 1, "batch", b + 1, "update", update, "micro", micro,
                                        "loss", lossSum / lossCount, "lr", lr, "img_per_s", images / Math.max(secs, 1e-9)));
                            }
                            if (cfg.saveEvery() > 0 && update % cfg.saveEvery() == 0 && b + 1 < batches) {
                                save(lastCheckpoint(), model, entry.family(), labelMap, opt, epoch, b + 1, update, micro, history);
                            }
                            if (stopAfterUpdates >= 0 && updatesThisProcess >= stopAfterUpdates) {
                                return null; // simulated crash: whatever was checkpointed stays
                            }
                        }
                        bar.step(1, lossSum / lossCount, images / Math.max((System.nanoTime() - t0) / 1e9, 1e-9));
                    }
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                boolean evalNow = (epoch + 1) % Math.max(1, cfg.evalEvery()) == 0 || epoch == cfg.epochs() - 1;
                double acc1 = Double.NaN, acc5 = Double.NaN, evalLoss = Double.NaN, evalIps = Double.NaN;
                if (evalNow) {
                    lastEval = Evaluator.evaluate(model, valLoader, 32);
                    acc1 = lastEval.acc1();
                    acc5 = lastEval.acc5();
                    evalLoss = lastEval.loss();
                    evalIps = lastEval.imgPerSec();
                    log.printf("%s epoch %d/%d: train loss %.4f, %.1f s, %.1f img/s; val acc@1 %.2f%% acc@5 %.2f%% loss %.4f%n", cfg.model(),
                            epoch + 1, cfg.epochs(), lossSum / lossCount, secs, images / secs, acc1, acc5, evalLoss);
                }
                var rec = new Checkpoint.EpochRecord(epoch + 1, lossSum / Math.max(1, lossCount), evalLoss, acc1, acc5, secs,
                        images / secs, evalIps);
                history.add(rec);
                metric(Map.of("epoch", epoch + 1, "micro", micro, "train_loss", rec.trainLoss(), "eval_loss", nanToNull(evalLoss),
                        "acc1", nanToNull(acc1), "acc5", nanToNull(acc5), "seconds", secs));
                Path epochFile = out.resolve(String.format("epoch-%03d.ckpt", epoch + 1));
                save(epochFile, model, entry.family(), labelMap, opt, epoch + 1, 0, update, micro, history);
                Files.copy(epochFile, out.resolve("last.ckpt.tmp"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.move(out.resolve("last.ckpt.tmp"), lastCheckpoint(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                prune();
            }
            if (lastEval == null) lastEval = Evaluator.evaluate(model, valLoader, 32);
            long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            return new Outcome(model, entry.family(), history, model.parameterCount(), peak, lastEval, val, train.size());
        }
    }

    private static Object nanToNull(double v) {
        return Double.isNaN(v) ? "NaN" : v;
    }

    /** The training loss of one micro-batch. */
    static Tensor loss(VisionModel model, VisionModel teacher, Tensor x, DataLoader.Batch batch, int classes, float smoothing) {
        List<Tensor> outs = model.forwardTrain(x);
        Tensor targets = batch.softTargets() != null ? Tensor.of(batch.softTargets(), batch.size(), classes)
                : Norms.oneHot(batch.labels(), classes, smoothing);
        return lossFor(outs, targets, teacher == null ? null : teacherLabels(teacher, x));
    }

    /**
     * CE of one head; for two heads, DeiT's hard distillation 0.5·CE(cls, targets) + 0.5·CE(dist, teacher
     * argmax) with a teacher, else both heads against the targets.
     */
    public static Tensor lossFor(List<Tensor> outs, Tensor targets, int[] teacherLabels) {
        Tensor cls = Norms.crossEntropy(outs.get(0), targets);
        if (outs.size() == 1) return cls;
        Tensor dist = teacherLabels != null ? Norms.crossEntropy(outs.get(1), teacherLabels, 0f) : Norms.crossEntropy(outs.get(1), targets);
        return Arith.scale(Arith.add(cls, dist), 0.5f);
    }

    static int[] teacherLabels(VisionModel teacher, Tensor x) {
        try (var ignored = NoGrad.scope()) {
            float[] l = teacher.forward(x).toArray();
            int k = teacher.numClasses(), b = x.dim(0);
            int[] y = new int[b];
            for (int i = 0; i < b; i++) {
                int best = 0;
                for (int c = 1; c < k; c++) if (l[i * k + c] > l[i * k + best]) best = c;
                y[i] = best;
            }
            return y;
        }
    }

    static AugmentConfig augment(TrainConfig.Augment a, int img) {
        return AugmentConfig.paperTrain(img).withRandomResizedCrop(a.randomResizedCrop()).withHflip(a.hflip())
                .withRandAugment(a.randAugmentOps(), a.randAugmentMagnitude()).withMixup(a.mixup(), a.cutmix())
                .withLabelSmoothing(a.labelSmoothing()).withRandomErasing(a.randomErasing());
    }

    /** torch.nn.utils.clip_grad_norm_: scale all gradients by max_norm / (total_norm + 1e-6) when above. */
    static void clip(Map<String, Tensor> params, float maxNorm) {
        double sq = 0;
        for (Tensor p : params.values()) if (p.grad() != null) sq += p.backend().sumSquares(p.grad().storage());
        double norm = Math.sqrt(sq);
        if (norm > maxNorm) {
            float s = (float) (maxNorm / (norm + 1e-6));
            for (Tensor p : params.values()) if (p.grad() != null) p.backend().scale(p.grad().storage(), s, p.grad().storage());
        }
    }

    private void save(Path file, VisionModel model, String family, String labelMap, Optimizer opt, int epoch, int batch, long update,
                      long micro, List<Checkpoint.EpochRecord> history) throws IOException {
        var state = new Checkpoint.State(Checkpoint.FORMAT, cfg.model(), family, model.numClasses(), model.imgSize(), labelMap, cfg,
                epoch, batch, update, micro, List.copyOf(history), 0);
        Checkpoint.save(file, state, StateDict.of(model), opt.state());
    }

    private void prune() throws IOException {
        List<Path> epochs;
        try (Stream<Path> s = Files.list(out)) {
            epochs = s.filter(p -> p.getFileName().toString().matches("epoch-\\d+\\.ckpt")).sorted().toList();
        }
        for (int i = 0; i < epochs.size() - cfg.keepLast(); i++) Files.deleteIfExists(epochs.get(i));
    }

    private void metric(Map<String, Object> m) throws IOException {
        Files.writeString(out.resolve("metrics.jsonl"), JSON.writeValueAsString(new java.util.TreeMap<>(m)) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** On resume, drops metric lines written after the checkpoint (they will be written again). */
    private void trimMetrics(long micro) throws IOException {
        Path f = out.resolve("metrics.jsonl");
        if (!Files.exists(f)) return;
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(f)) {
            try {
                if (JSON.readTree(line).path("micro").asLong(Long.MAX_VALUE) <= micro) kept.add(line);
            } catch (IOException e) {
                // a torn last line from a crash: drop it
            }
        }
        Files.write(f, kept);
    }
}
