package org.vitarena.core.image;

/**
 * Bicubic resampling identical to PyTorch's {@code F.interpolate(mode='bicubic', align_corners=False)}.
 *
 * <p>Legend: C channels, H/W input height/width, OH/OW output height/width. All arrays are planar
 * {@code [C, H, W]} float data, row-major.
 *
 * <ul>
 *   <li>{@code antialias=false}: PyTorch's {@code upsample_bicubic2d}: Keys cubic convolution with
 *       a = -0.75, half-pixel centres ({@code src = scale * (dst + 0.5) - 0.5}, scale = in/out), the
 *       4×4 neighbourhood read with indices clamped to the border.
 *   <li>{@code antialias=true}: PyTorch's {@code _upsample_bicubic2d_aa} (the PIL algorithm): a
 *       separable filter, Keys cubic with a = -0.5, whose support is scaled by the downscale factor
 *       when shrinking; weights normalised to sum 1; horizontal pass first, then vertical.
 * </ul>
 */
public final class Bicubic {
    private Bicubic() {}

    /** Resamples planar {@code [channels, inH, inW]} data to {@code [channels, outH, outW]}. */
    public static float[] resize(float[] src, int channels, int inH, int inW, int outH, int outW, boolean antialias) {
        if (src.length != channels * inH * inW) {
            throw new IllegalArgumentException("src has " + src.length + " values, expected " + channels + "x" + inH + "x" + inW);
        }
        if (outH <= 0 || outW <= 0) throw new IllegalArgumentException("output size must be positive: " + outH + "x" + outW);
        if (inH == outH && inW == outW) return src.clone();
        return antialias ? resizeAntialias(src, channels, inH, inW, outH, outW) : resizeKeys(src, channels, inH, inW, outH, outW);
    }

    // ---------------------------------------------------------------- non-antialias (a = -0.75)

    private static final float A = -0.75f;

    static float cubic1(float x, float a) { // |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    }

    static float cubic2(float x, float a) { // 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }

    private static void coefficients(float t, float[] w) {
        w[0] = cubic2(t + 1, A);
        w[1] = cubic1(t, A);
        float t2 = 1 - t;
        w[2] = cubic1(t2, A);
        w[3] = cubic2(t2 + 1, A);
    }

    private static float[] resizeKeys(float[] src, int channels, int inH, int inW, int outH, int outW) {
        float scaleH = (float) inH / outH;
        float scaleW = (float) inW / outW;
        // per output column: the 4 clamped source columns and weights
        int[] xIdx = new int[outW * 4];
        float[] xW = new float[outW * 4];
        float[] w = new float[4];
        for (int ox = 0; ox < outW; ox++) {
            float real = sourceIndex(scaleW, ox);
            int x0 = (int) Math.floor(real);
            coefficients(real - x0, w);
            for (int k = 0; k < 4; k++) {
                xIdx[ox * 4 + k] = clamp(x0 - 1 + k, inW - 1);
                xW[ox * 4 + k] = w[k];
            }
        }
        float[] out = new float[channels * outH * outW];
        float[] yW = new float[4];
        int[] yIdx = new int[4];
        for (int oy = 0; oy < outH; oy++) {
            float real = sourceIndex(scaleH, oy);
            int y0 = (int) Math.floor(real);
            coefficients(real - y0, yW);
            for (int k = 0; k < 4; k++) yIdx[k] = clamp(y0 - 1 + k, inH - 1);
            for (int c = 0; c < channels; c++) {
                int plane = c * inH * inW;
                int outRow = (c * outH + oy) * outW;
                for (int ox = 0; ox < outW; ox++) {
                    float acc = 0;
                    for (int ky = 0; ky < 4; ky++) {
                        int row = plane + yIdx[ky] * inW;
                        float r = 0;
                        for (int kx = 0; kx < 4; kx++) r += xW[ox * 4 + kx] * src[row + xIdx[ox * 4 + kx]];
                        acc += yW[ky] * r;
                    }
                    out[outRow + ox] = acc;
                }
            }
        }
        return out;
    }

    /**
     * Half-pixel source coordinate {@code scale * (dst + 0.5) - 0.5} in float, fused as PyTorch's compiled
     * kernel is (the fused form matches the reference 4x closer than the two-rounding one).
     */
    private static float sourceIndex(float scale, int dst) {
        return Math.fma(scale, dst + 0.5f, -0.5f);
    }

    private static int clamp(int i, int max) {
        return i < 0 ? 0 : Math.min(i, max);
    }

    // ---------------------------------------------------------------- antialias (a = -0.5, PIL)

    private static float aaFilter(float x) {
        final float a = -0.5f;
        x = Math.abs(x);
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        return 0;
    }

    /** Weights of one axis: for output i, taps {@code min[i] .. min[i]+size[i]-1} with weights {@code w[i*maxSize + j]}. */
    private record AxisWeights(int[] min, int[] size, float[] w, int maxSize) {}

    private static AxisWeights axisWeights(int in, int out) {
        float scale = (float) in / out;
        float support = scale >= 1 ? 2.0f * scale : 2.0f;
        float invScale = scale >= 1 ? 1.0f / scale : 1.0f;
        int maxSize = (int) Math.ceil(support) * 2 + 1;
        int[] min = new int[out];
        int[] size = new int[out];
        float[] w = new float[out * maxSize];
        float[] tmp = new float[maxSize];
        for (int i = 0; i < out; i++) {
            float center = scale * (i + 0.5f);
            int xmin = Math.max((int) (center - support + 0.5), 0); // (int) truncates toward zero, as the C++ cast does
            int xsize = Math.min((int) (center + support + 0.5), in) - xmin;
            float total = 0;
            for (int j = 0; j < xsize; j++) {
                tmp[j] = aaFilter((j + xmin - center + 0.5f) * invScale);
                total += tmp[j];
            }
            for (int j = 0; j < xsize; j++) w[i * maxSize + j] = total != 0 ? tmp[j] / total : tmp[j];
            min[i] = xmin;
            size[i] = xsize;
        }
        return new AxisWeights(min, size, w, maxSize);
    }

    private static float[] resizeAntialias(float[] src, int channels, int inH, int inW, int outH, int outW) {
        AxisWeights wx = axisWeights(inW, outW);
        AxisWeights wy = axisWeights(inH, outH);
        // horizontal pass: [C, inH, outW]
        float[] tmp = new float[channels * inH * outW];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < inH; y++) {
                int row = (c * inH + y) * inW;
                int outRow = (c * inH + y) * outW;
                for (int ox = 0; ox < outW; ox++) {
                    int base = ox * wx.maxSize;
                    int x0 = wx.min[ox];
                    float acc = 0;
                    for (int j = 0; j < wx.size[ox]; j++) acc += wx.w[base + j] * src[row + x0 + j];
                    tmp[outRow + ox] = acc;
                }
            }
        }
        // vertical pass: [C, outH, outW]
        float[] out = new float[channels * outH * outW];
        for (int c = 0; c < channels; c++) {
            for (int oy = 0; oy < outH; oy++) {
                int base = oy * wy.maxSize;
                int y0 = wy.min[oy];
                int outRow = (c * outH + oy) * outW;
                for (int ox = 0; ox < outW; ox++) {
                    float acc = 0;
                    for (int j = 0; j < wy.size[oy]; j++) acc += wy.w[base + j] * tmp[(c * inH + y0 + j) * outW + ox];
                    out[outRow + ox] = acc;
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- position embeddings

    /**
     * timm's {@code resample_abs_pos_embed}: {@code posemb [1, numPrefix + oldH*oldW, dim]} to
     * {@code [1, numPrefix + newH*newW, dim]}. Prefix tokens (class, distillation) are kept as is; the
     * grid tokens are viewed as {@code [dim, oldH, oldW]} and resampled bicubically with antialias, as
     * timm does by default (for an upscale this is the a = -0.5 filter, not the a = -0.75 one).
     */
    public static float[] resamplePosEmbed(float[] posemb, int numPrefix, int dim, int oldH, int oldW, int newH, int newW) {
        return resamplePosEmbed(posemb, numPrefix, dim, oldH, oldW, newH, newW, true);
    }

    /** As {@link #resamplePosEmbed(float[], int, int, int, int, int, int)} with the antialias switch explicit. */
    public static float[] resamplePosEmbed(float[] posemb, int numPrefix, int dim, int oldH, int oldW, int newH, int newW, boolean antialias) {
        int oldTokens = oldH * oldW;
        if (posemb.length != (numPrefix + oldTokens) * dim) {
            throw new IllegalArgumentException("posemb has " + posemb.length + " values, expected (" + numPrefix + " + " + oldH + "x" + oldW + ") x " + dim);
        }
        if (oldH == newH && oldW == newW) return posemb.clone();
        float[] grid = new float[dim * oldTokens]; // [dim, oldH, oldW]
        for (int t = 0; t < oldTokens; t++) {
            for (int d = 0; d < dim; d++) grid[d * oldTokens + t] = posemb[(numPrefix + t) * dim + d];
        }
        float[] resized = resize(grid, dim, oldH, oldW, newH, newW, antialias);
        int newTokens = newH * newW;
        float[] out = new float[(numPrefix + newTokens) * dim];
        System.arraycopy(posemb, 0, out, 0, numPrefix * dim);
        for (int t = 0; t < newTokens; t++) {
            for (int d = 0; d < dim; d++) out[(numPrefix + t) * dim + d] = resized[d * newTokens + t];
        }
        return out;
    }
}
