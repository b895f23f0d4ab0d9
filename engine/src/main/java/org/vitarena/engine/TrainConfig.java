package org.vitarena.engine;

import java.util.List;

/**
 * Everything a training run depends on. Stored in every checkpoint, so a resumed run and an
 * evaluation know exactly what was trained and how.
 *
 * @param model          variant name
 * @param data           dataset: {@link DataSpec}
 * @param epochs         total epochs
 * @param batch          micro-batch size
 * @param accum          micro-batches per optimiser update (effective batch = batch × accum)
 * @param imgSize        input size (0: the variant's own)
 * @param optimizer      "adamw" or "sgd"
 * @param lr             peak learning rate
 * @param minLr          learning rate at the end of the cosine
 * @param weightDecay    decoupled (AdamW) or L2 (SGD) weight decay
 * @param momentum       SGD momentum (Nesterov)
 * @param warmupEpochs   linear warmup from lr/100, in epochs (fractional allowed)
 * @param dropPath       stochastic depth rate
 * @param clipGrad       global gradient-norm clip (0: off)
 * @param noDecayNormBias exclude 1-d parameters (norms, biases, layer scales) and tokens from weight decay
 * @param freezeBackbone train only the head (the paper's linear probe)
 * @param pretrained     timm checkpoint to start from (null: from scratch)
 * @param teacher        checkpoint of a teacher for DeiT hard distillation (null: none)
 * @param augment        augmentation recipe, see {@link Augment}
 * @param seed           seed of everything random
 * @param loaderThreads  data-loading threads
 * @param saveEvery      also checkpoint every N optimiser updates (0: only at epoch ends)
 * @param keepLast       epoch checkpoints kept
 * @param evalEvery      evaluate every N epochs (the last epoch always)
 */
public record TrainConfig(String model, DataSpec data, int epochs, int batch, int accum, int imgSize, String optimizer,
                          float lr, float minLr, float weightDecay, float momentum, float warmupEpochs, float dropPath,
                          float clipGrad, boolean noDecayNormBias, boolean freezeBackbone, String pretrained, String teacher,
                          Augment augment, long seed, int loaderThreads, int saveEvery, int keepLast, int evalEvery,
                          List<String> commandLine) {
    public TrainConfig {
        require(model != null && !model.isBlank(), "model", "must name a model variant");
        require(data != null, "data", "must be given (DataSpec.synthetic() or DataSpec.folder(...))");
        require(epochs >= 1, "epochs", "must be >= 1, got " + epochs);
        require(batch >= 1, "batch", "must be >= 1, got " + batch);
        require(accum >= 1, "accum", "must be >= 1, got " + accum);
        require(imgSize >= 0, "imgSize", "must be >= 0 (0: the variant's own), got " + imgSize);
        require("adamw".equals(optimizer) || "sgd".equals(optimizer), "optimizer", "must be adamw or sgd, got " + optimizer);
        require(lr > 0 && Float.isFinite(lr), "lr", "must be > 0, got " + lr);
        require(minLr >= 0, "minLr", "must be >= 0, got " + minLr);
        require(weightDecay >= 0, "weightDecay", "must be >= 0, got " + weightDecay);
        require(momentum >= 0 && momentum < 1, "momentum", "must be in [0, 1), got " + momentum);
        require(warmupEpochs >= 0, "warmupEpochs", "must be >= 0, got " + warmupEpochs);
        require(dropPath >= 0 && dropPath < 1, "dropPath", "must be in [0, 1), got " + dropPath);
        require(clipGrad >= 0, "clipGrad", "must be >= 0 (0: off), got " + clipGrad);
        require(augment != null, "augment", "must be given (Augment.paper(), light() or none())");
        require(loaderThreads >= 1, "loaderThreads", "must be >= 1, got " + loaderThreads);
        require(saveEvery >= 0, "saveEvery", "must be >= 0 (0: only at epoch ends), got " + saveEvery);
        require(keepLast >= 1, "keepLast", "must be >= 1, got " + keepLast);
        require(evalEvery >= 1, "evalEvery", "must be >= 1, got " + evalEvery);
        commandLine = commandLine == null ? List.of() : List.copyOf(commandLine);
    }

    private static void require(boolean ok, String key, String requirement) {
        if (!ok) throw new InvalidConfigException(key, requirement);
    }

    /** The paper's recipe for {@code model} on the embedded dataset; set what differs. */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    /** A builder holding this configuration, to change a few settings. */
    public Builder toBuilder() {
        Builder b = new Builder(model);
        b.data = data; b.epochs = epochs; b.batch = batch; b.accum = accum; b.imgSize = imgSize; b.optimizer = optimizer; b.lr = lr;
        b.minLr = minLr; b.weightDecay = weightDecay; b.momentum = momentum; b.warmupEpochs = warmupEpochs; b.dropPath = dropPath;
        b.clipGrad = clipGrad; b.noDecayNormBias = noDecayNormBias; b.freezeBackbone = freezeBackbone; b.pretrained = pretrained;
        b.teacher = teacher; b.augment = augment; b.seed = seed; b.loaderThreads = loaderThreads; b.saveEvery = saveEvery;
        b.keepLast = keepLast; b.evalEvery = evalEvery; b.commandLine = commandLine;
        return b;
    }

    /**
     * Settings by name, validated on {@link #build()}. Defaults: the embedded synthetic dataset, the paper's
     * recipe (30 epochs, batch 32, AdamW lr 1e-3 to 1e-6 wd 0.05, cosine per update, paper augmentation),
     * seed 0, every core loading data, 3 epoch checkpoints kept, evaluation every epoch.
     */
    public static final class Builder {
        private final String model;
        private DataSpec data = DataSpec.synthetic();
        private int epochs = 30, batch = 32, accum = 1, imgSize = 0;
        private String optimizer = "adamw";
        private float lr = 1e-3f, minLr = 1e-6f, weightDecay = 0.05f, momentum = 0.9f, warmupEpochs = 0f, dropPath = 0f, clipGrad = 0f;
        private boolean noDecayNormBias, freezeBackbone;
        private String pretrained, teacher;
        private Augment augment = Augment.paper();
        private long seed;
        private int loaderThreads = Runtime.getRuntime().availableProcessors(), saveEvery = 0, keepLast = 3, evalEvery = 1;
        private List<String> commandLine = List.of();

        private Builder(String model) {
            this.model = model;
        }

        public Builder data(DataSpec d) { data = d; return this; }
        public Builder epochs(int n) { epochs = n; return this; }
        public Builder batch(int n) { batch = n; return this; }
        public Builder accum(int n) { accum = n; return this; }
        public Builder imgSize(int px) { imgSize = px; return this; }
        public Builder optimizer(String name) { optimizer = name; return this; }
        public Builder lr(float v) { lr = v; return this; }
        public Builder minLr(float v) { minLr = v; return this; }
        public Builder weightDecay(float v) { weightDecay = v; return this; }
        public Builder momentum(float v) { momentum = v; return this; }
        public Builder warmupEpochs(float v) { warmupEpochs = v; return this; }
        public Builder dropPath(float v) { dropPath = v; return this; }
        public Builder clipGrad(float v) { clipGrad = v; return this; }
        public Builder noDecayNormBias(boolean v) { noDecayNormBias = v; return this; }
        public Builder freezeBackbone(boolean v) { freezeBackbone = v; return this; }
        /** A timm {@code model.safetensors} to start from (the head is re-initialised for the dataset's classes). */
        public Builder pretrained(java.nio.file.Path weights) { pretrained = weights == null ? null : weights.toAbsolutePath().toString(); return this; }
        /** A checkpoint of a teacher for DeiT hard distillation. */
        public Builder teacher(java.nio.file.Path ckpt) { teacher = ckpt == null ? null : ckpt.toAbsolutePath().toString(); return this; }
        public Builder augment(Augment a) { augment = a; return this; }
        public Builder seed(long s) { seed = s; return this; }
        public Builder loaderThreads(int n) { loaderThreads = n; return this; }
        public Builder saveEvery(int updates) { saveEvery = updates; return this; }
        public Builder keepLast(int n) { keepLast = n; return this; }
        public Builder evalEvery(int n) { evalEvery = n; return this; }
        public Builder commandLine(List<String> argv) { commandLine = argv; return this; }

        /** @throws InvalidConfigException naming the first setting out of range */
        public TrainConfig build() {
            return new TrainConfig(model, data, epochs, batch, accum, imgSize, optimizer, lr, minLr, weightDecay, momentum, warmupEpochs,
                    dropPath, clipGrad, noDecayNormBias, freezeBackbone, pretrained, teacher, augment, seed, loaderThreads, saveEvery,
                    keepLast, evalEvery, commandLine);
        }
    }

    /**
     * The augmentation recipe.
     *
     * @param name            "paper" (RandomResizedCrop, flip, RandAugment(2, 9), mixup 0.8 / cutmix 1.0, smoothing 0.1,
     *                        erasing 0.25), "light" (flip, smoothing 0.1) or "none"
     * @param labelSmoothing  label smoothing of the loss / the soft targets
     */
    public record Augment(String name, boolean randomResizedCrop, double hflip, int randAugmentOps, int randAugmentMagnitude,
                          double mixup, double cutmix, double labelSmoothing, double randomErasing) {
        public static Augment paper() {
            return new Augment("paper", true, 0.5, 2, 9, 0.8, 1.0, 0.1, 0.25);
        }

        public static Augment light() {
            return new Augment("light", false, 0.5, 0, 9, 0, 0, 0.1, 0);
        }

        public static Augment none() {
            return new Augment("none", false, 0, 0, 9, 0, 0, 0, 0);
        }

        public static Augment named(String name) {
            return switch (name) {
                case "paper" -> paper();
                case "light" -> light();
                case "none" -> none();
                default -> throw new InvalidConfigException("augment", "must be paper, light or none, got '" + name + "'");
            };
        }
    }

    public int effectiveBatch() {
        return batch * accum;
    }
}
