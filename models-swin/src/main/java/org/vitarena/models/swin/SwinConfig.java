package org.vitarena.models.swin;

import org.vitarena.spi.VariantConfig;

import java.util.Arrays;

/**
 * Everything that decides a {@link SwinTransformer}'s shape and behaviour; every switch lives here,
 * never in a variant name.
 *
 * <p>Stage i works at grid {@code imgSize / patchSize / 2^i} with width {@code embedDim · 2^i}. Its
 * window is {@code windowSize}, except that (as timm does) a stage whose grid is not larger than the
 * window takes the whole grid as its window and does not shift.
 *
 * @param imgSize      input resolution (square)
 * @param patchSize    patch side of the embedding
 * @param inChans      input channels
 * @param numClasses   classifier outputs
 * @param embedDim     width of stage 0; doubled by each patch merging
 * @param depths       blocks per stage
 * @param numHeads     attention heads per stage
 * @param windowSize   attention window side (before clamping to a stage's grid)
 * @param mlpRatio     MLP hidden width / width
 * @param qkvBias      bias on the qkv projection
 * @param normEps      LayerNorm epsilon (1e-5: torch's nn.LayerNorm default, which timm's Swin uses)
 * @param dropRate     dropout before the classifier (timm's drop_rate)
 * @param projDropRate dropout after the attention projection and in the MLP (proj_drop_rate)
 * @param attnDropRate dropout on attention probabilities
 * @param dropPathRate stochastic depth of the last block, linearly increasing from 0 over all blocks
 */
public record SwinConfig(int imgSize, int patchSize, int inChans, int numClasses, int embedDim, int[] depths, int[] numHeads,
                         int windowSize, float mlpRatio, boolean qkvBias, float normEps, float dropRate, float projDropRate,
                         float attnDropRate, float dropPathRate) implements VariantConfig<SwinConfig> {
    public SwinConfig {
        depths = depths.clone();
        numHeads = numHeads.clone();
        if (depths.length == 0 || depths.length != numHeads.length) {
            throw new IllegalArgumentException("depths " + Arrays.toString(depths) + " and num_heads " + Arrays.toString(numHeads)
                    + " must name the same (non-zero) number of stages");
        }
        if (imgSize % patchSize != 0) {
            throw new IllegalArgumentException("image size " + imgSize + " is not a multiple of the patch size " + patchSize);
        }
        if (windowSize < 1) throw new IllegalArgumentException("window size must be positive, got " + windowSize);
        int grid = imgSize / patchSize;
        for (int i = 0; i < depths.length; i++) {
            int g = grid >> i;
            if (i > 0 && (grid >> (i - 1)) % 2 != 0) {
                throw new IllegalArgumentException("stage " + (i - 1) + " grid " + (grid >> (i - 1)) + " is odd and cannot be merged 2x2 for stage " + i
                        + "; the patch grid (" + grid + ") must be divisible by " + (1 << (depths.length - 1)));
            }
            int w = Math.min(windowSize, g);
            if (g % w != 0) {
                throw new IllegalArgumentException("window " + windowSize + " does not divide stage " + i + "'s grid " + g + "x" + g
                        + " (image " + imgSize + ", patch " + patchSize + "); pick a window that divides every stage grid "
                        + Arrays.toString(stageGrids(grid, depths.length)));
            }
            int d = embedDim << i;
            if (d % numHeads[i] != 0) {
                throw new IllegalArgumentException("stage " + i + " width " + d + " is not divisible by its " + numHeads[i] + " heads");
            }
        }
    }

    private static int[] stageGrids(int grid, int stages) {
        int[] out = new int[stages];
        for (int i = 0; i < stages; i++) out[i] = grid >> i;
        return out;
    }

    /** A Swin with timm's defaults (mlp 4, qkv bias, eps 1e-5, no dropout) for everything but the sizes. */
    public static SwinConfig of(int imgSize, int patchSize, int windowSize, int embedDim, int[] depths, int[] numHeads, int numClasses) {
        return new SwinConfig(imgSize, patchSize, 3, numClasses, embedDim, depths, numHeads, windowSize, 4f, true, 1e-5f, 0f, 0f, 0f, 0f);
    }

    @Override public int[] depths() { return depths.clone(); }

    @Override public int[] numHeads() { return numHeads.clone(); }

    public int numStages() {
        return depths.length;
    }

    /** Patch grid side after the embedding. */
    public int gridSize() {
        return imgSize / patchSize;
    }

    /** Grid side of stage i. */
    public int stageGrid(int i) {
        return gridSize() >> i;
    }

    /** Width of stage i. */
    public int stageDim(int i) {
        return embedDim << i;
    }

    public int stageDepth(int i) {
        return depths[i];
    }

    public int stageHeads(int i) {
        return numHeads[i];
    }

    /** The window stage i really uses: the whole grid when the grid is not larger than the window. */
    public int stageWindow(int i) {
        return Math.min(windowSize, stageGrid(i));
    }

    /** The cyclic shift of the odd blocks of stage i: window/2, or 0 when the window covers the grid. */
    public int stageShift(int i) {
        return stageGrid(i) <= windowSize ? 0 : windowSize / 2;
    }

    /** Width of the final features (the classifier's input). */
    public int numFeatures() {
        return stageDim(depths.length - 1);
    }

    public int totalDepth() {
        int n = 0;
        for (int d : depths) n += d;
        return n;
    }

    @Override
    public SwinConfig withImgSize(int s) {
        return new SwinConfig(s, patchSize, inChans, numClasses, embedDim, depths, numHeads, windowSize, mlpRatio, qkvBias, normEps, dropRate, projDropRate, attnDropRate, dropPathRate);
    }

    @Override
    public SwinConfig withNumClasses(int n) {
        return new SwinConfig(imgSize, patchSize, inChans, n, embedDim, depths, numHeads, windowSize, mlpRatio, qkvBias, normEps, dropRate, projDropRate, attnDropRate, dropPathRate);
    }

    public SwinConfig withWindowSize(int w) {
        return new SwinConfig(imgSize, patchSize, inChans, numClasses, embedDim, depths, numHeads, w, mlpRatio, qkvBias, normEps, dropRate, projDropRate, attnDropRate, dropPathRate);
    }

    @Override
    public SwinConfig withDropPath(float r) {
        return new SwinConfig(imgSize, patchSize, inChans, numClasses, embedDim, depths, numHeads, windowSize, mlpRatio, qkvBias, normEps, dropRate, projDropRate, attnDropRate, r);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SwinConfig c && toString().equals(c.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "SwinConfig[img " + imgSize + ", patch " + patchSize + ", in " + inChans + ", classes " + numClasses + ", embed " + embedDim
                + ", depths " + Arrays.toString(depths) + ", heads " + Arrays.toString(numHeads) + ", window " + windowSize + ", mlp " + mlpRatio
                + ", qkvBias " + qkvBias + ", eps " + normEps + ", drop " + dropRate + ", projDrop " + projDropRate + ", attnDrop " + attnDropRate
                + ", dropPath " + dropPathRate + "]";
    }
}
