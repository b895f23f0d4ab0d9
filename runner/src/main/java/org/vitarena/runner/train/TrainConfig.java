package org.vitarena.runner.train;

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
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (accum < 1) throw new IllegalArgumentException("--accum must be >= 1, got " + accum);
        if (!optimizer.equals("adamw") && !optimizer.equals("sgd")) throw new IllegalArgumentException("--opt must be adamw or sgd, got " + optimizer);
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
        if (keepLast < 1) throw new IllegalArgumentException("--keep-last must be >= 1, got " + keepLast);
        commandLine = commandLine == null ? List.of() : List.copyOf(commandLine);
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
                default -> throw new IllegalArgumentException("unknown --augment '" + name + "'; known: paper, light, none");
            };
        }
    }

    public int effectiveBatch() {
        return batch * accum;
    }
}
