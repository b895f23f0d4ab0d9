package org.example.mixer;

/**
 * Every switch of an {@link MlpMixer}.
 *
 * @param imgSize      input resolution (square)
 * @param patchSize    patch side
 * @param numClasses   classifier outputs
 * @param embedDim     channels C
 * @param depth        mixer blocks
 * @param tokensRatio  token-mixing MLP hidden width / C (timm: 0.5)
 * @param channelsRatio channel-mixing MLP hidden width / C (timm: 4.0)
 * @param dropPathRate stochastic depth, linearly increasing over blocks
 */
public record MixerConfig(int imgSize, int patchSize, int numClasses, int embedDim, int depth, float tokensRatio,
                          float channelsRatio, float dropPathRate) {
    public MixerConfig {
        if (imgSize % patchSize != 0) throw new IllegalArgumentException("image size " + imgSize + " is not a multiple of patch " + patchSize);
    }

    public int tokens() {
        return (imgSize / patchSize) * (imgSize / patchSize);
    }
}
