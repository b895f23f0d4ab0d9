package org.vitarena.runner;

import org.vitarena.runner.report.DatasetInfo;
import org.vitarena.runner.report.ModelResult;
import org.vitarena.runner.report.Report;
import org.vitarena.runner.report.Seeds;
import org.vitarena.engine.ModelRegistry;
import org.vitarena.engine.TrainConfig;
import org.vitarena.engine.Trainer;
import org.vitarena.spi.ModelInfo;
import org.vitarena.spi.ModelOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code runner --all}: every model family under one recipe and budget, then the comparison table
 * and OUT/results.{json,md,csv} with plots. A model that fails is reported in its row and the others
 * go on; running again with the same OUT reuses finished models and resumes unfinished ones.
 */
final class AllCommand {
    /** The paper's four models, at 384 px. */
    static final List<String> PAPER = List.of("vit_large_patch16_384", "cait_s36_384", "deit_base_distilled_patch16_384",
            "swin_large_patch4_window12_384");

    private AllCommand() {}

    /** One seed: OUT/MODEL, as before seeds existed; several: OUT/MODEL/seed-S. */
    static Path runDir(Path out, String model, long seed, boolean multiSeed) {
        return multiSeed ? out.resolve(model).resolve("seed-" + seed) : out.resolve(model);
    }

    /** Exit code of an array task that stopped on request (SIGUSR1) with its state saved: the batch script requeues it. */
    static final int STOPPED = 75;

    /** The run in progress, for a stop request (SIGUSR1 before a scheduler's time limit or preemption). */
    static volatile Trainer running;
    private static volatile boolean stopRequested;

    /** From now on, SIGUSR1 asks the run in progress to stop at its next step boundary, saving its state. */
    static void stopOnUsr1(PrintWriter errW) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("USR1"), sig -> {
                stopRequested = true;
                Trainer t = running;
                if (t != null) t.requestStop();
            });
        } catch (IllegalArgumentException e) {
            errW.println("warning: cannot handle SIGUSR1 here (" + e.getMessage() + "): a preempted task will not checkpoint first");
        }
    }

    /** The models --all compares: --models, the paper's four, or each family's demo variant. */
    static List<String> chosen(ModelRegistry reg, List<String> models, String preset) {
        boolean paper = "paper".equals(preset);
        if (preset != null && !paper) throw new IllegalArgumentException("unknown --preset '" + preset + "'; known: paper");
        List<String> chosen = new ArrayList<>();
        if (models != null && !models.isEmpty()) chosen.addAll(models);
        else if (paper) chosen.addAll(PAPER);
        else {
            Map<String, String> perFamily = new LinkedHashMap<>();
            for (var e : reg.entries()) if (e.model().endsWith("_demo")) perFamily.putIfAbsent(e.family(), e.model());
            chosen.addAll(perFamily.values());
        }
        if (chosen.isEmpty()) throw new IllegalArgumentException("no models to compare: none on the class path offers a *_demo variant; pass --models");
        return chosen;
    }

    static int run(ModelRegistry reg, TrainOptions opts, List<String> models, String preset, Path pretrainedDir, Path out, List<Long> seeds,
                   List<String> cmdline, PrintWriter outW, PrintWriter errW) throws IOException {
        return run(reg, opts, models, preset, pretrainedDir, out, seeds, seeds.size() > 1, true, cmdline, outW, errW);
    }

    /**
     * @param multi       runs go to OUT/MODEL/seed-S (else OUT/MODEL)
     * @param writeReport false for one task of a scheduler's array: it trains its run and writes nothing else
     */
    static int run(ModelRegistry reg, TrainOptions opts, List<String> models, String preset, Path pretrainedDir, Path out, List<Long> seeds,
                   boolean multi, boolean writeReport, List<String> cmdline, PrintWriter outW, PrintWriter errW) throws IOException {
        boolean paper = "paper".equals(preset);
        List<String> chosen = chosen(reg, models, preset);
        if (paper) {
            if (opts.imgSize == 0) opts.imgSize = 384;
            if (opts.augment == null) opts.augment = "paper";
            opts.freezeBackbone = true;
            if (opts.accum == 1) opts.accum = 4;
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new IOException("cannot create the output folder " + out + ": " + org.vitarena.engine.IoErrors.describe(e), e);
        }
        if (!Files.isWritable(out)) throw new IOException("cannot write in the output folder " + out + " (permission denied)");
        PrintStream log = new PrintStream(new WriterOutputStream(errW), true);

        List<ModelResult> previous = Files.exists(out.resolve(Report.RESULTS_JSON)) ? Report.readJson(out.resolve(Report.RESULTS_JSON)) : List.of();
        // before anything trains: a model folder holding a run of another recipe is never reused or resumed silently
        List<String> changed = new ArrayList<>();
        Map<Path, Trainer.Existing> existing = new LinkedHashMap<>();
        if (!opts.restart) {
            for (String model : chosen) {
                for (long seed : seeds) {
                    Path dir = runDir(out, model, seed, multi);
                    try {
                        if (paper && pretrainedDir != null) opts.pretrained = pretrainedDir.resolve(model + ".safetensors");
                        TrainConfig cfg = opts.config(model, paper ? TrainOptions.Defaults.TRAIN : TrainOptions.Defaults.ALL_DEMO, seed, cmdline);
                        var e = new Trainer(reg, cfg, dir).existing();
                        if (e.isEmpty()) continue;
                        existing.put(dir, e.get());
                        if (!e.get().differences().isEmpty()) changed.add(model + " (" + dir + "):\n    " + String.join("\n    ", e.get().differences()));
                    } catch (IllegalArgumentException ignored) {
                        // an unknown model or a bad option: reported in its row below
                    }
                }
            }
        }
        if (!changed.isEmpty()) {
            throw new org.vitarena.engine.RunConflictException(org.vitarena.engine.RunConflictException.Kind.RECIPE_CHANGED, out,
                    "these models were trained in " + out + " with another recipe:\n  " + String.join("\n  ", changed), changed);
        }
        List<ModelResult> results = new ArrayList<>();
        DatasetInfo dsInfo = null;
        Map<String, Object> recipe = null;
        for (String model : chosen) {
          List<ModelResult> perSeed = new ArrayList<>();
          for (long seed : seeds) {
            TrainConfig cfg = null;
            String family = "?";
            long params = 0;
            double gmacs = Double.NaN;
            try {
                var entry = reg.entry(model);
                family = entry.family();
                if (paper) {
                    if (pretrainedDir == null) throw new IllegalArgumentException("--preset paper needs --pretrained-dir holding MODEL.safetensors for each model");
                    opts.pretrained = pretrainedDir.resolve(model + ".safetensors");
                }
                cfg = opts.config(model, paper ? TrainOptions.Defaults.TRAIN : TrainOptions.Defaults.ALL_DEMO, seed, cmdline);
                if (recipe == null) {
                    recipe = recipe(cfg);
                    if (multi) recipe.put("seed", seeds);
                }
                Path dir = runDir(out, model, seed, multi);
                ModelResult reuse = multi ? null
                        : previous.stream().filter(r -> r.model().equals(model) && ModelResult.OK.equals(r.status())).findFirst().orElse(null);
                boolean finished = existing.containsKey(dir) && existing.get(dir).finished();
                if (finished && multi) reuse = org.vitarena.runner.report.RunFolders.read(dir, model, reg).result();
                if (reuse != null && finished) {
                    errW.println(model + (multi ? " seed " + seed : "") + ": finished in an earlier run, reusing its results");
                    perSeed.add(reuse);
                    if (dsInfo == null) dsInfo = datasetInfo(cfg);
                    continue;
                }
                int numClasses = cfg.data().numClasses();
                var info = ModelInfo.measure(() -> entry.provider().create(model, new ModelOptions(numClasses, opts.imgSize, 0f, 0L)));
                params = info.params();
                gmacs = info.gmacs();
                Trainer trainer = TrainCommand.trainer(reg, cfg, dir, true, opts.restart, log);
                running = trainer;
                if (stopRequested) trainer.requestStop();
                var o = trainer.run();
                running = null;
                if (o == null) {
                    errW.println(model + (multi ? " seed " + seed : "") + ": stopped on request; its state is in " + dir);
                    return STOPPED;
                }
                if (dsInfo == null) dsInfo = new DatasetInfo(cfg.data().name(), o.val().numClasses(), o.trainImages(), o.val().size());
                perSeed.add(result(model, family, params, gmacs, o));
            } catch (Exception | LinkageError e) {
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                errW.println("error: " + model + (multi ? " seed " + seed : "") + " failed: " + why);
                perSeed.add(ModelResult.failed(model, family, params, gmacs, why, List.of()));
            }
          }
            results.add(multi ? Seeds.aggregate(seeds, perSeed) : perSeed.get(0));
            if (multi) results = Seeds.compareWithBest(results);
            if (recipe != null && writeReport) Report.write(out, dsInfo == null ? new DatasetInfo("?", 0, 0, 0) : dsInfo, recipe, results);
        }
        if (!writeReport) return results.stream().allMatch(r -> ModelResult.OK.equals(r.status())) ? 0 : 1;
        outW.println(Report.table(results));
        outW.println("results: " + out.resolve(Report.RESULTS_JSON) + ", " + out.resolve(Report.RESULTS_MD) + ", plots in " + out);
        return results.stream().allMatch(r -> ModelResult.OK.equals(r.status())) ? 0 : 1;
    }

    static DatasetInfo datasetInfo(TrainConfig cfg) {
        var d = cfg.data();
        return d.isSynthetic() ? new DatasetInfo(d.name(), d.classes(), d.classes() * d.trainPerClass(), d.classes() * d.valPerClass())
                : new DatasetInfo(d.name(), d.numClasses(), 0, 0);
    }

    static Map<String, Object> recipe(TrainConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", c.epochs());
        m.put("batch", c.batch());
        m.put("accum", c.accum());
        m.put("effective_batch", c.effectiveBatch());
        m.put("img_size", c.imgSize() == 0 ? "variant" : c.imgSize());
        m.put("optimizer", c.optimizer());
        m.put("lr", c.lr());
        m.put("min_lr", c.minLr());
        m.put("weight_decay", c.weightDecay());
        m.put("warmup_epochs", c.warmupEpochs());
        m.put("schedule", "cosine per update");
        m.put("augment", c.augment().name());
        m.put("label_smoothing", c.augment().labelSmoothing());
        m.put("mixup", c.augment().mixup());
        m.put("cutmix", c.augment().cutmix());
        m.put("rand_augment", c.augment().randAugmentOps() > 0 ? "rand-m" + c.augment().randAugmentMagnitude() + "-n" + c.augment().randAugmentOps() : "off");
        m.put("random_erasing", c.augment().randomErasing());
        m.put("freeze_backbone", c.freezeBackbone());
        m.put("drop_path", c.dropPath());
        m.put("seed", c.seed());
        return m;
    }

    private static ModelResult result(String model, String family, long params, double gmacs, Trainer.Outcome o) {
        return ModelResult.ok(model, family, params, gmacs, o.peakMemoryBytes(), o.history(), o.lastEval().imgPerSec(),
                o.lastEval().acc1(), o.lastEval().acc5());
    }
}
