package org.vitarena.data;

/**
 * Which per-sample transforms and batch mixing a {@link DataLoader} applies. Every switch is a field.
 *
 * <p>Train order, as timm's {@code transforms_imagenet_train}: RandomResizedCrop (bicubic) or plain
 * bicubic resize to {@code imgSize}, horizontal flip, RandAugment, normalise, random erasing; then
 * mixup/cutmix per batch. Eval: bicubic resize to {@code imgSize} and normalise.
 *
 * @param imgSize output side S
 * @param randomResizedCrop RandomResizedCrop with scale [scaleMin, scaleMax], ratio [ratioMin, ratioMax]; else resize
 * @param hflipProb probability of a horizontal flip (0 disables)
 * @param randAugmentOps RandAugment num_ops (0 disables)
 * @param randAugmentMagnitude RandAugment magnitude (0..30)
 * @param mixupAlpha mixup Beta α (0 disables)
 * @param cutmixAlpha cutmix Beta α (0 disables)
 * @param mixProb probability that a batch is mixed
 * @param switchProb probability of cutmix rather than mixup when both are on
 * @param labelSmoothing folded into the soft targets when mixing is on
 * @param reprob random erasing probability (0 disables)
 */
public record AugmentConfig(int imgSize, boolean randomResizedCrop, double scaleMin, double scaleMax, double ratioMin, double ratioMax,
        double hflipProb, int randAugmentOps, int randAugmentMagnitude, double mixupAlpha, double cutmixAlpha, double mixProb,
        double switchProb, double labelSmoothing, double reprob, float[] mean, float[] std) {

    /** The paper's training recipe: RRC(0.08..1, 3/4..4/3), flip 0.5, RandAugment(2, 9), mixup 0.8 / cutmix 1.0, smoothing 0.1, erasing 0.25. */
    public static AugmentConfig paperTrain(int imgSize) {
        return new AugmentConfig(imgSize, true, 0.08, 1.0, 3.0 / 4, 4.0 / 3, 0.5, 2, 9, 0.8, 1.0, 1.0, 0.5, 0.1, 0.25,
                Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD);
    }

    /** Evaluation: bicubic resize to imgSize and ImageNet normalisation only. */
    public static AugmentConfig eval(int imgSize) {
        return new AugmentConfig(imgSize, false, 0.08, 1.0, 3.0 / 4, 4.0 / 3, 0, 0, 9, 0, 0, 1.0, 0.5, 0.1, 0,
                Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD);
    }

    public AugmentConfig withRandomResizedCrop(boolean on) {
        return new AugmentConfig(imgSize, on, scaleMin, scaleMax, ratioMin, ratioMax, hflipProb, randAugmentOps, randAugmentMagnitude, mixupAlpha, cutmixAlpha, mixProb, switchProb, labelSmoothing, reprob, mean, std);
    }

    public AugmentConfig withHflip(double p) {
        return new AugmentConfig(imgSize, randomResizedCrop, scaleMin, scaleMax, ratioMin, ratioMax, p, randAugmentOps, randAugmentMagnitude, mixupAlpha, cutmixAlpha, mixProb, switchProb, labelSmoothing, reprob, mean, std);
    }

    public AugmentConfig withRandAugment(int ops, int magnitude) {
        return new AugmentConfig(imgSize, randomResizedCrop, scaleMin, scaleMax, ratioMin, ratioMax, hflipProb, ops, magnitude, mixupAlpha, cutmixAlpha, mixProb, switchProb, labelSmoothing, reprob, mean, std);
    }

    public AugmentConfig withMixup(double mixup, double cutmix) {
        return new AugmentConfig(imgSize, randomResizedCrop, scaleMin, scaleMax, ratioMin, ratioMax, hflipProb, randAugmentOps, randAugmentMagnitude, mixup, cutmix, mixProb, switchProb, labelSmoothing, reprob, mean, std);
    }

    public AugmentConfig withLabelSmoothing(double s) {
        return new AugmentConfig(imgSize, randomResizedCrop, scaleMin, scaleMax, ratioMin, ratioMax, hflipProb, randAugmentOps, randAugmentMagnitude, mixupAlpha, cutmixAlpha, mixProb, switchProb, s, reprob, mean, std);
    }

    public AugmentConfig withRandomErasing(double p) {
        return new AugmentConfig(imgSize, randomResizedCrop, scaleMin, scaleMax, ratioMin, ratioMax, hflipProb, randAugmentOps, randAugmentMagnitude, mixupAlpha, cutmixAlpha, mixProb, switchProb, labelSmoothing, p, mean, std);
    }

    public AugmentConfig withImgSize(int s) {
        return new AugmentConfig(s, randomResizedCrop, scaleMin, scaleMax, ratioMin, ratioMax, hflipProb, randAugmentOps, randAugmentMagnitude, mixupAlpha, cutmixAlpha, mixProb, switchProb, labelSmoothing, reprob, mean, std);
    }

    public boolean mixing() {
        return mixupAlpha > 0 || cutmixAlpha > 0;
    }
}
