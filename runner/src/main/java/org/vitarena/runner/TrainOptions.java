package org.vitarena.runner;

import org.vitarena.data.SyntheticDataset;
import org.vitarena.engine.DataSpec;
import org.vitarena.engine.InvalidConfigException;
import org.vitarena.engine.TrainConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The recipe options shared by {@code train} and {@code --all}; defaults are the paper's optimiser settings. */
public final class TrainOptions {
    @Option(names = "--data", description = "Dataset folder, its layout detected: Tiny ImageNet (wnids.txt, words.txt, train/, val/), "
            + "ImageFolder (train/CLASS/*.jpg, val/CLASS/*.jpg) or IDX as MNIST (train-images-idx3-ubyte[.gz], ...). Default: the embedded synthetic dataset.")
    Path data;

    @Option(names = "--cache-dir", description = "Where decoded-image caches go. Default: DATA/.vitarena-cache, or ~/.cache/vitarena/... for a folder that is not writable.")
    Path cacheDir;

    @Option(names = "--on-bad-image", defaultValue = "fail", description = "fail (default) or skip unreadable images, counting them.")
    String onBadImage;

    @Option(names = "--max-image-pixels", description = "Refuse images declaring more pixels (width x height) before decoding them, as bad images. Default: 89478485 (PIL's limit).")
    Long maxImagePixels;

    @Option(names = "--epochs", description = "Epochs (default: 30 for train, 6 for --all on the embedded dataset).")
    Integer epochs;

    @Option(names = "--batch", description = "Micro-batch size. Default: 32.")
    Integer batch;

    @Option(names = "--accum", defaultValue = "1", description = "Micro-batches per optimiser update (--batch 32 --accum 4 = 128). Default: ${DEFAULT-VALUE}.")
    int accum;

    @Option(names = "--img-size", defaultValue = "0", description = "Input size (default: the variant's; images are resized bicubically).")
    int imgSize;

    @Option(names = "--opt", defaultValue = "adamw", description = "adamw or sgd (momentum 0.9, Nesterov). Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--lr", description = "Peak learning rate. Default: 1e-3 (the paper's).")
    Float lr;

    @Option(names = "--min-lr", defaultValue = "1e-6", description = "Learning rate at the end of the cosine. Default: ${DEFAULT-VALUE}.")
    float minLr;

    @Option(names = "--wd", defaultValue = "0.05", description = "Weight decay. Default: ${DEFAULT-VALUE}.")
    float wd;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum. Default: ${DEFAULT-VALUE}.")
    float momentum;

    @Option(names = "--warmup-epochs", description = "Linear warmup from lr/100, in epochs. Default: 0.")
    Float warmup;

    @Option(names = "--drop-path", defaultValue = "0", description = "Stochastic depth rate. Default: ${DEFAULT-VALUE}.")
    float dropPath;

    @Option(names = "--clip-grad", defaultValue = "0", description = "Clip the global gradient norm (0: off).")
    float clipGrad;

    @Option(names = "--no-decay-norm-bias", description = "Exclude norms, biases, tokens from weight decay (torch's default: decay all).")
    boolean noDecayNormBias;

    @Option(names = "--freeze-backbone", description = "Train only the classifier (the paper's recipe with pretrained weights).")
    boolean freezeBackbone;

    @Option(names = "--pretrained", description = "timm model.safetensors to start from (head re-initialised for another class count).")
    Path pretrained;

    @Option(names = "--teacher", description = "Checkpoint of a teacher for DeiT hard distillation.")
    Path teacher;

    @Option(names = "--augment", description = "paper (RRC, flip, RandAugment(2,9), mixup .8/cutmix 1, smoothing .1, erasing .25), light (flip, smoothing .1), none. Default: paper for train, light for --all.")
    String augment;

    @Option(names = "--rrc", negatable = true, description = "RandomResizedCrop (scale 0.08-1, ratio 3/4-4/3); overrides the --augment preset.")
    Boolean rrc;

    @Option(names = "--hflip", description = "Horizontal flip probability; overrides the --augment preset.")
    Double hflip;

    @Option(names = "--rand-augment", description = "RandAugment as OPS,MAGNITUDE (e.g. 2,9; 0,9 for off); overrides the --augment preset.")
    String randAugment;

    @Option(names = "--mixup", description = "Mixup Beta alpha (0: off); overrides the --augment preset.")
    Double mixup;

    @Option(names = "--cutmix", description = "CutMix Beta alpha (0: off); overrides the --augment preset.")
    Double cutmix;

    @Option(names = "--smoothing", description = "Label smoothing; overrides the --augment preset.")
    Double smoothing;

    @Option(names = "--reprob", description = "Random erasing probability (per-pixel noise); overrides the --augment preset.")
    Double reprob;

    @Option(names = "--loader-threads", description = "Data-loading threads (default: cores). Batches are identical for any value.")
    Integer loaderThreads;

    @Option(names = "--save-every", defaultValue = "0", description = "Also checkpoint every N optimiser updates (0: only at epoch ends).")
    int saveEvery;

    @Option(names = "--keep-last", defaultValue = "3", description = "Epoch checkpoints kept. Default: ${DEFAULT-VALUE}.")
    int keepLast;

    @Option(names = "--eval-every", defaultValue = "1", description = "Evaluate every N epochs (and always after the last).")
    int evalEvery;

    @Option(names = "--restart", description = "Discard the run the output folder holds (recipe, checkpoints, metrics) and start anew.")
    boolean restart;

    @Option(names = "--classes", defaultValue = "10", description = "Synthetic dataset: classes. Default: ${DEFAULT-VALUE}.")
    int classes;

    @Option(names = "--train-per-class", description = "Synthetic dataset: training images per class (default: 500). "
            + "With --data: train on the first N images of each class (sorted file order; default: all).")
    Integer trainPerClass;

    @Option(names = "--val-per-class", description = "Synthetic dataset: validation images per class (default: 50). "
            + "With --data: evaluate on the first N images of each class (default: all).")
    Integer valPerClass;

    /** The preset named by --augment (or the command's default) with any individual switch applied. */
    TrainConfig.Augment augmentation(Defaults d) {
        TrainConfig.Augment a = inFlagTerms(() -> TrainConfig.Augment.named(augment == null ? d.augment() : augment));
        int raOps = a.randAugmentOps(), raMag = a.randAugmentMagnitude();
        if (randAugment != null) {
            String[] p = randAugment.split(",");
            try {
                raOps = Integer.parseInt(p[0].trim());
                if (p.length > 1) raMag = Integer.parseInt(p[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--rand-augment takes OPS,MAGNITUDE such as 2,9; got '" + randAugment + "'");
            }
        }
        boolean custom = rrc != null || hflip != null || randAugment != null || mixup != null || cutmix != null || smoothing != null || reprob != null;
        return new TrainConfig.Augment(custom ? a.name() + "+custom" : a.name(), rrc != null ? rrc : a.randomResizedCrop(),
                hflip != null ? hflip : a.hflip(), raOps, raMag, mixup != null ? mixup : a.mixup(), cutmix != null ? cutmix : a.cutmix(),
                smoothing != null ? smoothing : a.labelSmoothing(), reprob != null ? reprob : a.randomErasing());
    }

    DataSpec dataSpec() {
        if (!onBadImage.equals("fail") && !onBadImage.equals("skip")) {
            throw new IllegalArgumentException("--on-bad-image must be fail or skip, got " + onBadImage);
        }
        DataSpec d = inFlagTerms(() -> data != null
                ? DataSpec.folder(data, onBadImage).withSubset(orElse(trainPerClass, 0), orElse(valPerClass, 0)).withCacheDir(cacheDir)
                : new DataSpec(null, classes, orElse(trainPerClass, SyntheticDataset.DEFAULT_TRAIN_PER_CLASS),
                        orElse(valPerClass, SyntheticDataset.DEFAULT_VAL_PER_CLASS), 0L, onBadImage));
        if (data == null && cacheDir != null) throw new IllegalArgumentException("--cache-dir needs --data (the synthetic dataset has no cache)");
        return maxImagePixels == null ? d : inFlagTerms(() -> d.withMaxImagePixels(maxImagePixels));
    }

    private static int orElse(Integer v, int dflt) {
        return v == null ? dflt : v;
    }

    /** What an option left unset means for a command. */
    record Defaults(int epochs, int batch, float lr, float warmup, String augment) {
        /** `runner train`: the paper's recipe. */
        static final Defaults TRAIN = new Defaults(30, 32, 1e-3f, 0f, "paper");
        /**
         * `runner --all` on the embedded dataset: the paper's optimiser settings, light augmentation and a
         * budget of 6 epochs that trains all four demo models from scratch in under 10 minutes on 2 cores.
         * (Measured: batch 16 with peak 2e-3 learned slower for ViT and Swin.)
         */
        static final Defaults ALL_DEMO = new Defaults(6, 32, 1e-3f, 0f, "light");
    }

    /** The engine's name of each setting mapped to the option that sets it. */
    static final Map<String, String> FLAGS = Map.ofEntries(Map.entry("model", "--model"), Map.entry("data", "--data"),
            Map.entry("maxImagePixels", "--max-image-pixels"), Map.entry("trainPerClass", "--train-per-class"),
            Map.entry("valPerClass", "--val-per-class"),
            Map.entry("epochs", "--epochs"), Map.entry("batch", "--batch"), Map.entry("accum", "--accum"), Map.entry("imgSize", "--img-size"),
            Map.entry("optimizer", "--opt"), Map.entry("lr", "--lr"), Map.entry("minLr", "--min-lr"), Map.entry("weightDecay", "--wd"),
            Map.entry("momentum", "--momentum"), Map.entry("warmupEpochs", "--warmup-epochs"), Map.entry("dropPath", "--drop-path"),
            Map.entry("clipGrad", "--clip-grad"), Map.entry("augment", "--augment"), Map.entry("loaderThreads", "--loader-threads"),
            Map.entry("saveEvery", "--save-every"), Map.entry("keepLast", "--keep-last"), Map.entry("evalEvery", "--eval-every"));

    /** Runs {@code build}, restating an engine error about a setting in terms of its option ("lr must be > 0" → "--lr must be > 0"). */
    static <T> T inFlagTerms(java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (InvalidConfigException e) {
            throw new IllegalArgumentException(FLAGS.getOrDefault(e.key(), e.key()) + " " + e.requirement(), e);
        }
    }

    TrainConfig config(String model, Defaults d, long seed, List<String> cmdline) {
        TrainConfig.Augment aug = augmentation(d);
        return inFlagTerms(() -> new TrainConfig(model, dataSpec(), epochs == null ? d.epochs() : epochs, batch == null ? d.batch() : batch,
                accum, imgSize, optimizer, lr == null ? d.lr() : lr, minLr, wd, momentum, warmup == null ? d.warmup() : warmup, dropPath,
                clipGrad, noDecayNormBias, freezeBackbone,
                pretrained == null ? null : pretrained.toAbsolutePath().toString(), teacher == null ? null : teacher.toAbsolutePath().toString(),
                aug, seed, loaderThreads == null ? Runtime.getRuntime().availableProcessors() : loaderThreads, saveEvery, keepLast,
                evalEvery, cmdline));
    }
}
