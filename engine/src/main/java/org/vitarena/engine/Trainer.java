package org.vitarena.engine;

import org.vitarena.core.io.Pretrained;
import org.vitarena.core.Tensor;
import org.vitarena.core.io.StateDict;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.core.optim.AdamW;
import org.vitarena.core.optim.Optimizer;
import org.vitarena.core.optim.SGD;
import org.vitarena.data.AugmentConfig;
import org.vitarena.data.DataLoader;
import org.vitarena.data.Dataset;
import org.vitarena.spi.ModelOptions;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run: setup or resume, then the epoch loop of {@link TrainStep}s with the per-update cosine
 * {@link Schedule}, an evaluation and a checkpoint ({@link CheckpointStore}) after every epoch. It
 * reports through a {@link TrainingListener} and prints nothing itself.
 *
 * <p>Everything random is a function of (seed, position): the data order and augmentation of
 * (seed, epoch, index), dropout and drop-path of (seed, micro-step). With the optimiser state and the
 * position in the checkpoint, a run resumed from any checkpoint on the same thread count ends with
 * weights bit-identical to an uninterrupted one.
 *
 * <pre>{@code
 * Trainer.Outcome o = new Trainer(ModelRegistry.fromClasspath(), TrainConfig.builder("vit_demo").epochs(2).build(), Path.of("runs/vit"))
 *         .listener(myListener).run();
 * }</pre>
 */
public final class Trainer {
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
    private final CheckpointStore store;
    private final Path out;
    private TrainConfig cfg;
    private boolean resume, restart;
    private TrainingListener listener = TrainingListener.NONE;
    /** Stops after this many optimiser updates in this process (tests simulate a kill); < 0 for no limit. */
    private long stopAfterUpdates = -1;
    private GradientReducer reducer = GradientReducer.LOCAL;
    private volatile boolean stopRequested;

    /** A new run of {@code cfg} writing its checkpoints to {@code out}. */
    public Trainer(ModelRegistry registry, TrainConfig cfg, Path out) {
        this.registry = registry;
        this.cfg = cfg;
        this.out = out;
        this.store = new CheckpointStore(out, cfg.keepLast());
    }

    /** Continue from the newest valid checkpoint in the run folder, if any (its recipe wins; the epoch count is this config's). */
    public Trainer resume(boolean r) {
        this.resume = r;
        return this;
    }

    /** Discard the run the folder holds (recipe, checkpoints, metrics) and start a new one. */
    public Trainer restart(boolean r) {
        this.restart = r;
        return this;
    }

    public Trainer listener(TrainingListener l) {
        this.listener = l == null ? TrainingListener.NONE : l;
        return this;
    }

    /** For tests: return (as a crash would) after {@code n} optimiser updates, checkpoints as written so far. */
    public Trainer stopAfterUpdates(long n) {
        this.stopAfterUpdates = n;
        return this;
    }

    /**
     * Makes this process one rank of a data-parallel run (see {@link GradientReducer}): each rank trains on
     * its contiguous slice of every global micro-batch ({@code batch} must divide by the rank count),
     * gradients are averaged before each update, so every rank takes the update one process would take
     * on the whole batch. Rank 0 alone takes the run folder and writes the recipe and checkpoints; the
     * others read the checkpoint a resumed run continues from, and should be given a silent listener.
     */
    public Trainer reducer(GradientReducer r) {
        this.reducer = r == null ? GradientReducer.LOCAL : r;
        return this;
    }

    /**
     * Asks the run to stop at the next step boundary (a preemption signal, say): the state is saved to
     * {@code last.ckpt} (the epoch checkpoint at an epoch end) and {@link #run} returns null. Safe to call
     * from any thread; a data-parallel run stops when any rank asked.
     */
    public void requestStop() {
        this.stopRequested = true;
    }

    public Path lastCheckpoint() {
        return store.last();
    }

    /** What the run folder holds already, judged without opening the data. */
    public record Existing(Path checkpoint, int epochsDone, int epochs, List<String> differences) {
        public boolean finished() {
            return differences.isEmpty() && epochsDone >= epochs;
        }
    }

    /**
     * The run the folder holds, if any, compared with this trainer's configuration (the recipe without
     * the data checksums, which need the images): what differs, and how far it got.
     */
    public java.util.Optional<Existing> existing() throws IOException {
        if (!Files.isDirectory(out)) return java.util.Optional.empty();
        var found = store.resumePoint(m -> {});
        Recipe stored = storedRecipe(found.orElse(null));
        if (stored == null) return java.util.Optional.empty();
        List<String> diffs = Recipe.of(cfg, registry.entry(cfg.model())).differences(stored, false);
        return java.util.Optional.of(new Existing(found.map(CheckpointStore.Resume::file).orElse(null),
                found.map(r -> r.loaded().state().epoch()).orElse(0), cfg.epochs(), diffs));
    }

    /** run.json, else (a run of an earlier version) the recipe of the checkpoint's configuration; null for none. */
    private Recipe storedRecipe(CheckpointStore.Resume found) throws IOException {
        var recorded = RunFolder.readRecipe(out);
        if (recorded.isPresent()) return recorded.get();
        if (found == null) return null;
        TrainConfig c = found.loaded().state().config();
        return Recipe.of(c, registry.entries().stream().filter(e -> e.model().equals(c.model())).findFirst().orElse(null));
    }

    /** Runs to the last epoch; null only when stopped by {@link #stopAfterUpdates} or {@link #requestStop}. */
    public Outcome run() throws IOException {
        if (reducer.rank() != 0) return run(null); // rank 0 holds the folder for the whole data-parallel run
        try (RunFolder folder = RunFolder.acquire(out)) {
            return run(folder);
        }
    }

    /** {@code folder} is null on ranks other than 0: they write nothing and judge nothing about the folder. */
    private Outcome run(RunFolder folder) throws IOException {
        ModelRegistry.Entry entry = registry.entry(cfg.model());
        int ranks = reducer.size();
        if (ranks > 1 && cfg.batch() % ranks != 0) {
            throw new InvalidConfigException("batch", "must divide by the number of processes (" + ranks + "): each takes batch/" + ranks
                    + " images of every micro-batch; got " + cfg.batch());
        }
        if (folder != null && restart) {
            List<Path> gone = folder.discard();
            if (!gone.isEmpty()) listener.message("discarded the run in " + out + " (" + gone.size() + " files)");
        }
        // the other ranks look for the checkpoint to resume from only once rank 0 has discarded or judged the folder
        if (ranks > 1 && folder != null) checkRunFolder(folder);
        if (ranks > 1) reducer.allGather(0);
        CheckpointStore.Resume from = null;
        if (resume) {
            from = store.resumePoint(folder == null ? m -> {} : listener::message).orElse(null);
            if (from == null && folder != null && !folder.holdsRun()) listener.message("no checkpoint in " + out + ": starting a new run");
        }
        if (ranks > 1) {
            double[] at = reducer.allGather(from == null ? 0 : from.loaded().state().micro());
            for (int r = 1; r < at.length; r++) {
                if (at[r] != at[0]) throw new IllegalStateException("the ranks resume from different points (micro-batch " + (long) at[0]
                        + " on rank 0, " + (long) at[r] + " on rank " + r + "): is " + out + " on a file system every node sees?");
            }
        }
        if (folder == null) return train(null, entry, from, null, Recipe.of(cfg, entry));
        Recipe stored = folder.holdsRun() ? storedRecipe(from) : null;
        if (ranks == 1) checkRunFolder(folder);
        // the recipe without the data: refused before the (possibly long) data preparation
        Recipe recipe = Recipe.of(cfg, entry);
        if (stored != null) conflictIfChanged(recipe.differences(stored, false));
        return train(folder, entry, from, stored, recipe);
    }

    /** A folder holding a run is trained on only with --resume. */
    private void checkRunFolder(RunFolder folder) throws IOException {
        if (!resume && folder.holdsRun()) {
            var last = store.resumePoint(m -> {}).orElse(null);
            throw new RunConflictException(RunConflictException.Kind.EXISTS, out, out + " holds a run"
                    + (last == null ? "" : " of " + last.loaded().state().config().model() + " (" + last.loaded().state().epoch() + " of "
                    + last.loaded().state().config().epochs() + " epochs done)") + "; resume it, restart it (discarding it) or use another output folder",
                    List.of());
        }
    }

    private Outcome train(RunFolder folder, ModelRegistry.Entry entry, CheckpointStore.Resume from, Recipe stored, Recipe recipe)
            throws IOException {
        boolean writes = folder != null;
        int ranks = reducer.size();
        Checkpoint.Loaded ckpt = from == null ? null : from.loaded();
        if (ckpt == null && cfg.pretrained() != null && !Files.isRegularFile(Path.of(cfg.pretrained()))) {
            throw new IOException(cfg.pretrained() + ": no such weights file (expected a timm model.safetensors for " + cfg.model() + ")");
        }
        if (cfg.teacher() != null && !Files.isRegularFile(Path.of(cfg.teacher()))) {
            throw new IOException(cfg.teacher() + ": no such teacher checkpoint");
        }
        checkMemory(entry);
        DataSpec.Splits data = cfg.data().open(true, Messages.printStream(listener::message));
        Dataset train = data.train(), val = data.val();
        recipe = recipe.withData(train, val);
        if (stored != null) conflictIfChanged(recipe.differences(stored, false));
        if (writes && ckpt == null && stored == null) folder.writeRecipe(recipe);
        VisionModel model = entry.provider().create(cfg.model(), new ModelOptions(train.numClasses(), cfg.imgSize(), cfg.dropPath(), cfg.seed()));
        if (ckpt == null && cfg.pretrained() != null) {
            Path weights = Path.of(cfg.pretrained());
            if (Checkpoint.isCheckpoint(weights)) { // a run of ours: its CRC is checked like every checkpoint's
                Pretrained.load(model, Checkpoint.load(weights).model(), weights.toString(), listener::message);
            } else {
                Pretrained.load(model, weights, listener::message);
            }
        }
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
            StateDict.load(model, ckpt.model(), true, from.file().toString());
            opt.loadState(ckpt.optim());
            startEpoch = ckpt.state().epoch();
            startBatch = ckpt.state().batch();
            update = ckpt.state().update();
            micro = ckpt.state().micro();
            history.addAll(ckpt.state().history());
        }

        int img = model.imgSize();
        AugmentConfig aug = augment(cfg.augment(), img);
        boolean dropLast = train.size() >= cfg.batch();
        if (ranks > 1 && !dropLast) {
            throw new IllegalArgumentException("the training split has " + train.size() + " images, fewer than one batch of " + cfg.batch()
                    + ": a data-parallel run needs at least one full batch");
        }
        TrainStep step = new TrainStep(model, teacher, opt, trainable, cfg.clipGrad(), cfg.seed()).reducer(reducer);
        float smoothing = (float) cfg.augment().labelSmoothing();
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
            long updatesThisProcess = 0;
            Evaluator.Result lastEval = null;
            String labelMap = train.labelMap().encode();
            listener.runStarted(new TrainingListener.RunStart(cfg, out, from == null ? null : from.file(), startEpoch + 1, startBatch,
                    update, micro, batches, model.parameterCount()));

            for (int epoch = startEpoch; epoch < cfg.epochs(); epoch++) {
                model.train(true);
                long t0 = System.nanoTime();
                double lossSum = 0;
                int lossCount = 0, images = 0;
                int fromBatch = epoch == startEpoch ? startBatch : 0;
                listener.epochStarted(epoch + 1, cfg.epochs(), fromBatch, batches);
                try (DataLoader.Epoch it = trainLoader.epoch(epoch, fromBatch)) {
                    int groupStart = fromBatch;
                    for (int b = fromBatch; b < batches; b++) {
                        DataLoader.Batch whole = it.next(), batch = shard(whole);
                        int groupSize = Math.min(cfg.accum(), batches - groupStart);
                        float lv = step.accumulate(batch, train.numClasses(), smoothing, groupSize, micro);
                        trainLoader.recycle(whole); // its images were copied into the step's input tensor
                        if (ranks > 1) lv = (float) reducer.mean(lv); // the whole batch's loss; NaN on any rank stops every rank
                        if (!Float.isFinite(lv)) {
                            throw new DivergedException(String.format("loss became %s at epoch %d, batch %d (update %d); training stopped. "
                                    + "The last good checkpoint is %s. Lower the learning rate or clip the gradient norm.", lv, epoch + 1, b,
                                    update, Files.exists(store.last()) ? store.last() : "(none yet)"));
                        }
                        micro++;
                        lossSum += lv;
                        lossCount++;
                        images += batch.size() * ranks;
                        boolean groupEnd = (b - groupStart + 1) == groupSize;
                        float lr = Float.NaN;
                        if (groupEnd) {
                            lr = schedule.at(update);
                            step.update(lr);
                            update++;
                            updatesThisProcess++;
                            groupStart = b + 1;
                        }
                        listener.step(new TrainingListener.Step(epoch + 1, b + 1, batches, micro, update, lossSum / lossCount,
                                images / Math.max((System.nanoTime() - t0) / 1e9, 1e-9), groupEnd, lr));
                        boolean stop = groupEnd && b + 1 < batches && stopNow();
                        if (writes && groupEnd && (stop || cfg.saveEvery() > 0 && update % cfg.saveEvery() == 0) && b + 1 < batches) {
                            listener.checkpointSaved(store.saveLast(state(model, entry.family(), labelMap, epoch, b + 1, update, micro, history),
                                    StateDict.of(model), opt.state()));
                        }
                        if (stop) {
                            listener.message("stopped on request after update " + update + "; the state is in " + store.last());
                            return null;
                        }
                        if (groupEnd && stopAfterUpdates >= 0 && updatesThisProcess >= stopAfterUpdates) {
                            return null; // simulated crash: whatever was checkpointed stays
                        }
                    }
                } finally {
                    listener.epochTrained(epoch + 1);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                boolean evalNow = (epoch + 1) % cfg.evalEvery() == 0 || epoch == cfg.epochs() - 1;
                double acc1 = Double.NaN, acc5 = Double.NaN, evalLoss = Double.NaN, evalIps = Double.NaN;
                if (evalNow) {
                    lastEval = Evaluator.evaluate(model, valLoader, 32);
                    // The evaluation's pooled activations (one forward at the eval batch, dropped with its pool) lived
                    // through the collections it caused and were promoted: collect them now (~0.1 s), or the old
                    // generation would grow by one evaluation's worth per epoch until a full collection.
                    System.gc();
                    listener.evaluated(epoch + 1, lastEval);
                    acc1 = lastEval.acc1();
                    acc5 = lastEval.acc5();
                    evalLoss = lastEval.loss();
                    evalIps = lastEval.imgPerSec();
                }
                var rec = new Checkpoint.EpochRecord(epoch + 1, lossSum / Math.max(1, lossCount), evalLoss, acc1, acc5, secs,
                        images / secs, evalIps);
                history.add(rec);
                listener.epochEnded(rec, micro);
                if (writes) {
                    listener.checkpointSaved(store.saveEpoch(epoch + 1, state(model, entry.family(), labelMap, epoch + 1, 0, update, micro, history),
                            StateDict.of(model), opt.state()));
                }
                if (epoch + 1 < cfg.epochs() && stopNow()) {
                    listener.message("stopped on request after epoch " + (epoch + 1) + "; the state is in " + store.last());
                    return null;
                }
            }
            if (lastEval == null) lastEval = Evaluator.evaluate(model, valLoader, 32);
            long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            return new Outcome(model, entry.family(), history, model.parameterCount(), peak, lastEval, val, train.size());
        }
    }

    /** Whether to stop here: this process was asked to, or (data-parallel) any rank was. */
    private boolean stopNow() {
        boolean mine = stopRequested;
        return reducer.isDistributed() ? reducer.mean(mine ? 1 : 0) > 0 : mine;
    }

    /** This rank's contiguous slice of a global micro-batch: images [B/N, 3, S, S] from index rank·B/N (the whole batch for one process). */
    private DataLoader.Batch shard(DataLoader.Batch b) {
        int ranks = reducer.size();
        if (ranks == 1) return b;
        int n = b.size() / ranks, from = reducer.rank() * n, px = 3 * b.imgSize() * b.imgSize();
        float[] images = java.util.Arrays.copyOfRange(b.images(), from * px, (from + n) * px);
        int[] labels = b.labels() == null ? null : java.util.Arrays.copyOfRange(b.labels(), from, from + n);
        float[] soft = null;
        if (b.softTargets() != null) {
            int k = b.softTargets().length / b.size();
            soft = java.util.Arrays.copyOfRange(b.softTargets(), from * k, (from + n) * k);
        }
        return new DataLoader.Batch(images, n, b.imgSize(), labels, soft, b.epoch(), b.index());
    }

    /** Refuses, before any data is prepared, a model and batch whose training step clearly cannot fit in the heap (CPU backend). */
    private void checkMemory(ModelRegistry.Entry entry) {
        if (!"cpu".equals(org.vitarena.core.backend.Backends.current().name())) return; // device memory is the device's
        long[] trainable = {0};
        var info = org.vitarena.spi.ModelInfo.measure(() -> {
            VisionModel m = entry.provider().create(cfg.model(), new ModelOptions(cfg.data().numClasses(), cfg.imgSize(), 0f, 0L));
            m.freezeBackbone(cfg.freezeBackbone());
            m.namedParameters().values().forEach(t -> { if (t.requiresGrad()) trainable[0] += t.size(); });
            return m;
        });
        MemoryEstimate.of(info, cfg.batch(), trainable[0], true, cfg.freezeBackbone())
                .check("training " + cfg.model() + " at batch " + cfg.batch() + ", " + info.imgSize() + " px", Runtime.getRuntime().maxMemory());
    }

    private void conflictIfChanged(List<String> differences) {
        if (differences.isEmpty()) return;
        throw new RunConflictException(RunConflictException.Kind.RECIPE_CHANGED, out, out + " holds a run made with another recipe:\n  "
                + String.join("\n  ", differences) + "\nresume it with the same settings, restart it (discarding it) or use another output folder",
                differences);
    }

    static AugmentConfig augment(TrainConfig.Augment a, int img) {
        return AugmentConfig.paperTrain(img).withRandomResizedCrop(a.randomResizedCrop()).withHflip(a.hflip())
                .withRandAugment(a.randAugmentOps(), a.randAugmentMagnitude()).withMixup(a.mixup(), a.cutmix())
                .withLabelSmoothing(a.labelSmoothing()).withRandomErasing(a.randomErasing());
    }

    private Checkpoint.State state(VisionModel model, String family, String labelMap, int epoch, int batch, long update, long micro,
                                   List<Checkpoint.EpochRecord> history) {
        return new Checkpoint.State(Checkpoint.FORMAT, cfg.model(), family, model.numClasses(), model.imgSize(), labelMap, cfg,
                epoch, batch, update, micro, List.copyOf(history), 0);
    }
}
