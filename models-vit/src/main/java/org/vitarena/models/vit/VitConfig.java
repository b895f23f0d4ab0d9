package org.vitarena.models.vit;

import org.vitarena.spi.VariantConfig;

/**
 * Everything that decides a {@link VisionTransformer}'s shape and behaviour; every switch lives here,
 * never in a variant name.
 *
 * @param imgSize      input resolution (square)
 * @param patchSize    patch side; the grid is imgSize/patchSize
 * @param inChans      input channels
 * @param numClasses   classifier outputs
 * @param embedDim     token width D
 * @param depth        number of blocks
 * @param numHeads     attention heads
 * @param mlpRatio     MLP hidden width / D
 * @param qkvBias      bias on the qkv projection
 * @param initValues   LayerScale init (timm's init_values); null for no LayerScale
 * @param normEps      LayerNorm epsilon (1e-6 in timm's ViT)
 * @param dropRate     dropout after attention projection and in the MLP
 * @param attnDropRate dropout on attention probabilities
 * @param dropPathRate stochastic depth of the last block, linearly increasing from 0
 * @param globalPool   "token" (the class token, then the final {@code norm}) or "avg" (the mean of the
 *                     patch tokens, then {@code fc_norm}; the final norm is then an identity, as timm does)
 */
public record VitConfig(int imgSize, int patchSize, int inChans, int numClasses, int embedDim, int depth, int numHeads,
                        float mlpRatio, boolean qkvBias, Float initValues, float normEps, float dropRate,
                        float attnDropRate, float dropPathRate, String globalPool) implements VariantConfig<VitConfig> {
    public VitConfig {
        if (!globalPool.equals("token") && !globalPool.equals("avg")) {
            throw new IllegalArgumentException("global_pool '" + globalPool + "' is not supported; supported: token, avg");
        }
        if (imgSize % patchSize != 0) {
            throw new IllegalArgumentException("image size " + imgSize + " is not a multiple of the patch size " + patchSize);
        }
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("embed_dim " + embedDim + " is not divisible by num_heads " + numHeads);
        }
    }

    /** A ViT with timm's defaults for everything but the sizes. */
    public static VitConfig of(int imgSize, int patchSize, int embedDim, int depth, int numHeads, int numClasses) {
        return new VitConfig(imgSize, patchSize, 3, numClasses, embedDim, depth, numHeads, 4f, true, null, 1e-6f, 0f, 0f, 0f, "token");
    }

    public int gridSize() {
        return imgSize / patchSize;
    }

    @Override
    public VitConfig withImgSize(int s) {
        return new VitConfig(s, patchSize, inChans, numClasses, embedDim, depth, numHeads, mlpRatio, qkvBias, initValues, normEps, dropRate, attnDropRate, dropPathRate, globalPool);
    }

    @Override
    public VitConfig withNumClasses(int n) {
        return new VitConfig(imgSize, patchSize, inChans, n, embedDim, depth, numHeads, mlpRatio, qkvBias, initValues, normEps, dropRate, attnDropRate, dropPathRate, globalPool);
    }

    @Override
    public VitConfig withDropPath(float r) {
        return new VitConfig(imgSize, patchSize, inChans, numClasses, embedDim, depth, numHeads, mlpRatio, qkvBias, initValues, normEps, dropRate, attnDropRate, r, globalPool);
    }

    public VitConfig withGlobalPool(String pool) {
        return new VitConfig(imgSize, patchSize, inChans, numClasses, embedDim, depth, numHeads, mlpRatio, qkvBias, initValues, normEps, dropRate, attnDropRate, dropPathRate, pool);
    }
}
