package org.vitarena.models.cait;

import org.vitarena.spi.VariantConfig;

/**
 * Everything that decides a {@link Cait}'s shape and behaviour; every switch lives here, never in a
 * variant name.
 *
 * @param imgSize           input resolution (square)
 * @param patchSize         patch side; the grid is imgSize/patchSize
 * @param inChans           input channels
 * @param numClasses        classifier outputs
 * @param embedDim          token width D
 * @param depth             number of self-attention (talking-heads) blocks
 * @param numHeads          attention heads, in both stages
 * @param mlpRatio          MLP hidden width / D in the self-attention blocks
 * @param qkvBias           bias on q, k, v projections (timm's Cait default: true)
 * @param initValues        LayerScale init of gamma_1 / gamma_2 in both stages
 * @param depthTokenOnly    number of class-attention blocks
 * @param mlpRatioTokenOnly MLP hidden width / D in the class-attention blocks
 * @param normEps           LayerNorm epsilon (1e-6 in timm's Cait)
 * @param dropRate          dropout before the head
 * @param posDropRate       dropout after adding the position embedding
 * @param projDropRate      dropout after attention projections and in the MLPs of the self-attention blocks
 * @param attnDropRate      dropout on the (talking-heads-mixed) attention weights of the self-attention blocks
 * @param dropPathRate      stochastic depth of every self-attention block (timm's Cait uses the same rate for all)
 */
public record CaitConfig(int imgSize, int patchSize, int inChans, int numClasses, int embedDim, int depth, int numHeads,
                         float mlpRatio, boolean qkvBias, float initValues, int depthTokenOnly, float mlpRatioTokenOnly,
                         float normEps, float dropRate, float posDropRate, float projDropRate, float attnDropRate,
                         float dropPathRate) implements VariantConfig<CaitConfig> {
    public CaitConfig {
        if (imgSize % patchSize != 0) {
            throw new IllegalArgumentException("image size " + imgSize + " is not a multiple of the patch size " + patchSize);
        }
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("embed_dim " + embedDim + " is not divisible by num_heads " + numHeads);
        }
    }

    /** A CaiT with timm's defaults for everything but the sizes (2 class-attention blocks, MLP ratios 4). */
    public static CaitConfig of(int imgSize, int patchSize, int embedDim, int depth, int numHeads, float initValues, int numClasses) {
        return new CaitConfig(imgSize, patchSize, 3, numClasses, embedDim, depth, numHeads, 4f, true, initValues, 2, 4f,
                1e-6f, 0f, 0f, 0f, 0f, 0f);
    }

    public int gridSize() {
        return imgSize / patchSize;
    }

    @Override
    public CaitConfig withImgSize(int s) {
        return new CaitConfig(s, patchSize, inChans, numClasses, embedDim, depth, numHeads, mlpRatio, qkvBias, initValues,
                depthTokenOnly, mlpRatioTokenOnly, normEps, dropRate, posDropRate, projDropRate, attnDropRate, dropPathRate);
    }

    @Override
    public CaitConfig withNumClasses(int n) {
        return new CaitConfig(imgSize, patchSize, inChans, n, embedDim, depth, numHeads, mlpRatio, qkvBias, initValues,
                depthTokenOnly, mlpRatioTokenOnly, normEps, dropRate, posDropRate, projDropRate, attnDropRate, dropPathRate);
    }

    @Override
    public CaitConfig withDropPath(float r) {
        return new CaitConfig(imgSize, patchSize, inChans, numClasses, embedDim, depth, numHeads, mlpRatio, qkvBias, initValues,
                depthTokenOnly, mlpRatioTokenOnly, normEps, dropRate, posDropRate, projDropRate, attnDropRate, r);
    }
}
