package org.vitarena.data;

import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * timm's {@code Mixup} in batch mode: with probability {@code prob} a batch is mixed, by cutmix with
 * probability {@code switchProb} (λ ~ Beta(cutmixAlpha, cutmixAlpha), box from {@code rand_bbox}, λ
 * corrected to the box's true area) or else by mixup (λ ~ Beta(mixupAlpha, mixupAlpha)). Sample i is
 * mixed with sample B-1-i ({@code x.flip(0)}). Targets are label-smoothed one-hots mixed with the same
 * λ: {@code off = smoothing / K}, {@code on = 1 - smoothing + off}.
 *
 * <p>Legend: B batch, C = 3 channels, S image side, K classes.
 */
public record Mixup(double mixupAlpha, double cutmixAlpha, double prob, double switchProb, double labelSmoothing, int numClasses) {

    /** timm's defaults in the paper's recipe: mixup 0.8, cutmix 1.0, prob 1, switch 0.5, smoothing 0.1. */
    public static Mixup paper(int numClasses) {
        return new Mixup(0.8, 1.0, 1.0, 0.5, 0.1, numClasses);
    }

    /** What one call did: the final λ and whether cutmix was used (box in pixels, else null). */
    public record Applied(double lambda, boolean cutmix, int[] box) {}

    /**
     * Mixes {@code images [B, C, S, S]} in place and returns soft targets {@code [B, K]}.
     * {@code applied}, when not null, receives what was done (index 0).
     */
    public float[] apply(float[] images, int[] labels, int b, int s, RandomGenerator r, Applied[] applied) {
        double lam = 1;
        boolean useCutmix = false;
        if (r.nextDouble() < prob && (mixupAlpha > 0 || cutmixAlpha > 0)) {
            if (mixupAlpha > 0 && cutmixAlpha > 0) {
                useCutmix = r.nextDouble() < switchProb;
                lam = beta(r, useCutmix ? cutmixAlpha : mixupAlpha);
            } else if (mixupAlpha > 0) {
                lam = beta(r, mixupAlpha);
            } else {
                useCutmix = true;
                lam = beta(r, cutmixAlpha);
            }
        }
        int[] box = null;
        int plane = s * s, img = 3 * plane;
        if (lam != 1) {
            if (useCutmix) {
                double ratio = Math.sqrt(1 - lam);
                int cutH = (int) (s * ratio), cutW = (int) (s * ratio);
                int cy = r.nextInt(s), cx = r.nextInt(s);
                int yl = clip(cy - cutH / 2, s), yh = clip(cy + cutH / 2, s);
                int xl = clip(cx - cutW / 2, s), xh = clip(cx + cutW / 2, s);
                box = new int[] {yl, yh, xl, xh};
                lam = 1 - (double) ((yh - yl) * (xh - xl)) / (s * s);
                float[] orig = images.clone();
                for (int i = 0; i < b; i++) {
                    int j = b - 1 - i;
                    for (int c = 0; c < 3; c++) {
                        for (int y = yl; y < yh; y++) {
                            System.arraycopy(orig, j * img + c * plane + y * s + xl, images, i * img + c * plane + y * s + xl, xh - xl);
                        }
                    }
                }
            } else {
                float[] orig = images.clone();
                float l = (float) lam, m = (float) (1 - lam);
                for (int i = 0; i < b; i++) {
                    int j = b - 1 - i;
                    for (int k = 0; k < img; k++) images[i * img + k] = orig[i * img + k] * l + orig[j * img + k] * m;
                }
            }
        }
        if (applied != null) applied[0] = new Applied(lam, useCutmix && box != null, box);
        return targets(labels, b, lam);
    }

    /** {@code mixup_target}: smoothed one-hot of labels mixed with that of the flipped batch. */
    public float[] targets(int[] labels, int b, double lam) {
        int k = numClasses;
        double off = labelSmoothing / k, on = 1 - labelSmoothing + off;
        float[] t = new float[b * k];
        for (int i = 0; i < b; i++) {
            for (int c = 0; c < k; c++) {
                double y1 = labels[i] == c ? on : off;
                double y2 = labels[b - 1 - i] == c ? on : off;
                t[i * k + c] = (float) (y1 * lam + y2 * (1 - lam));
            }
        }
        return t;
    }

    private static double beta(RandomGenerator r, double alpha) {
        return new BetaDistribution(r, alpha, alpha).sample();
    }

    private static int clip(int v, int s) {
        return Math.max(0, Math.min(s, v));
    }
}
