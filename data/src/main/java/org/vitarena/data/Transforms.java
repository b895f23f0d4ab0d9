package org.vitarena.data;

import java.util.random.RandomGenerator;

/**
 * Per-sample transforms with torchvision's and timm's semantics.
 *
 * <p>Legend: H, W input height/width, S output side, HWC = interleaved uint8 RGB bytes,
 * CHW = planar floats. Random draws come from the caller's generator, so a sample's result is a pure
 * function of its seed.
 */
public final class Transforms {
    private Transforms() {}

    /** ImageNet mean and std (timm's IMAGENET_DEFAULT_MEAN / STD), for 0..1 values. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /** A crop box: top row, left column, height, width. */
    public record Crop(int top, int left, int height, int width) {}

    /**
     * torchvision's {@code RandomResizedCrop.get_params}: 10 tries of area fraction uniform in
     * [scaleMin, scaleMax] and log-uniform aspect ratio in [ratioMin, ratioMax], then a centre crop
     * with the ratio clamped into range.
     */
    public static Crop randomResizedCropParams(RandomGenerator r, int h, int w, double scaleMin, double scaleMax, double ratioMin, double ratioMax) {
        double area = (double) h * w;
        double logLo = Math.log(ratioMin), logHi = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double targetArea = area * (scaleMin + r.nextDouble() * (scaleMax - scaleMin));
            double aspect = Math.exp(logLo + r.nextDouble() * (logHi - logLo));
            int cw = (int) Math.rint(Math.sqrt(targetArea * aspect));
            int ch = (int) Math.rint(Math.sqrt(targetArea / aspect));
            if (0 < cw && cw <= w && 0 < ch && ch <= h) {
                int top = r.nextInt(h - ch + 1);
                int left = r.nextInt(w - cw + 1);
                return new Crop(top, left, ch, cw);
            }
        }
        double inRatio = (double) w / h;
        int cw, ch;
        if (inRatio < ratioMin) {
            cw = w;
            ch = (int) Math.rint(cw / ratioMin);
        } else if (inRatio > ratioMax) {
            ch = h;
            cw = (int) Math.rint(ch * ratioMax);
        } else {
            cw = w;
            ch = h;
        }
        return new Crop((h - ch) / 2, (w - cw) / 2, ch, cw);
    }

    /** Crops uint8 HWC and resizes the crop to S×S bicubically (antialiased), rounding back to uint8. */
    public static byte[] resizedCrop(byte[] rgb, int h, int w, Crop c, int s) {
        byte[] crop = new byte[c.height() * c.width() * 3];
        for (int y = 0; y < c.height(); y++) {
            System.arraycopy(rgb, ((c.top() + y) * w + c.left()) * 3, crop, y * c.width() * 3, c.width() * 3);
        }
        if (c.height() == s && c.width() == s) return crop;
        return Images.resizeRgb(crop, c.height(), c.width(), s, s);
    }

    /** Mirrors uint8 HWC left to right, in place. */
    public static void hflip(byte[] rgb, int h, int w) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w / 2; x++) {
                int a = (y * w + x) * 3, b = (y * w + w - 1 - x) * 3;
                for (int c = 0; c < 3; c++) {
                    byte t = rgb[a + c];
                    rgb[a + c] = rgb[b + c];
                    rgb[b + c] = t;
                }
            }
        }
    }

    /** uint8 HWC to normalised float CHW: {@code (v / 255 - mean[c]) / std[c]}. */
    public static float[] normalize(byte[] rgb, int h, int w, float[] mean, float[] std) {
        int n = h * w;
        float[] out = new float[3 * n];
        for (int c = 0; c < 3; c++) {
            float m = mean[c], sd = std[c];
            for (int i = 0; i < n; i++) out[c * n + i] = ((rgb[i * 3 + c] & 0xFF) / 255f - m) / sd;
        }
        return out;
    }

    /**
     * timm's {@code RandomErasing(probability, mode='pixel')} on normalised CHW: with probability p,
     * one box of area fraction uniform in [0.02, 1/3] and log-uniform aspect in [0.3, 1/0.3] (10 tries)
     * is filled with standard normal noise per pixel and channel. Returns whether a box was erased.
     */
    public static boolean randomErasing(float[] chw, int channels, int h, int w, double p, RandomGenerator r) {
        if (r.nextDouble() > p) return false;
        double area = (double) h * w;
        double logLo = Math.log(0.3), logHi = Math.log(1 / 0.3);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = (0.02 + r.nextDouble() * (1.0 / 3 - 0.02)) * area;
            double aspect = Math.exp(logLo + r.nextDouble() * (logHi - logLo));
            int eh = (int) Math.rint(Math.sqrt(target * aspect));
            int ew = (int) Math.rint(Math.sqrt(target / aspect));
            if (ew < w && eh < h) {
                int top = r.nextInt(h - eh + 1);
                int left = r.nextInt(w - ew + 1);
                for (int c = 0; c < channels; c++) {
                    for (int y = top; y < top + eh; y++) {
                        for (int x = left; x < left + ew; x++) chw[(c * h + y) * w + x] = (float) r.nextGaussian();
                    }
                }
                return true;
            }
        }
        return false;
    }
}
