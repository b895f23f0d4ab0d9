package org.vitarena.spi;

/**
 * How to build a variant.
 *
 * @param numClasses   classifier outputs (timm's num_classes)
 * @param imgSize      input resolution in pixels; 0 keeps the variant's own
 * @param dropPathRate stochastic-depth rate of the last block (timm's drop_path_rate)
 * @param seed         seed of the initialisation and of dropout / drop-path draws
 */
public record ModelOptions(int numClasses, int imgSize, float dropPathRate, long seed) {
    public ModelOptions {
        if (numClasses < 1) throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        if (imgSize < 0) throw new IllegalArgumentException("imgSize must be >= 0, got " + imgSize);
        if (dropPathRate < 0 || dropPathRate >= 1) throw new IllegalArgumentException("dropPathRate must be in [0, 1), got " + dropPathRate);
    }

    public static ModelOptions of(int numClasses) {
        return new ModelOptions(numClasses, 0, 0f, 0L);
    }

    public ModelOptions withImgSize(int size) {
        return new ModelOptions(numClasses, size, dropPathRate, seed);
    }

    public ModelOptions withSeed(long s) {
        return new ModelOptions(numClasses, imgSize, dropPathRate, s);
    }

    public ModelOptions withDropPath(float rate) {
        return new ModelOptions(numClasses, imgSize, rate, seed);
    }
}
