package org.vitarena.data;

import java.util.random.RandomGenerator;

/**
 * torchvision's {@code RandAugment(num_ops, magnitude, num_magnitude_bins=31)} on uint8 HWC images,
 * with its 14 operations, magnitude tables, random sign, nearest interpolation and zero fill, and the
 * tensor implementations' rounding (uint8 results truncate after clamping).
 */
public final class RandAugment {
    public static final String[] OPS = {"Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness",
        "Color", "Contrast", "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize"};
    private static final int BINS = 31;

    private final int numOps;
    private final int magnitude;

    public RandAugment(int numOps, int magnitude) {
        if (magnitude < 0 || magnitude >= BINS) throw new IllegalArgumentException("magnitude must be in 0.." + (BINS - 1));
        this.numOps = numOps;
        this.magnitude = magnitude;
    }

    /** Applies {@code numOps} random operations to uint8 HWC {@code rgb} of h×w, returning a new array. */
    public byte[] apply(byte[] rgb, int h, int w, RandomGenerator r) {
        byte[] img = rgb;
        for (int k = 0; k < numOps; k++) {
            int op = r.nextInt(OPS.length);
            double mag = magnitudeOf(op, h, w, magnitude);
            if (isSigned(op) && r.nextInt(2) == 1) mag = -mag;
            img = applyOp(img, h, w, op, mag);
        }
        return img;
    }

    static boolean isSigned(int op) {
        return op >= 1 && op <= 9;
    }

    /** {@code op_meta[op][0][magnitude]} of torchvision's {@code _augmentation_space(31, (h, w))}. */
    static double magnitudeOf(int op, int h, int w, int m) {
        double f = (double) m / (BINS - 1);
        return switch (op) {
            case 1, 2 -> 0.3 * f;
            case 3 -> 150.0 / 331.0 * w * f;
            case 4 -> 150.0 / 331.0 * h * f;
            case 5 -> 30.0 * f;
            case 6, 7, 8, 9 -> 0.9 * f;
            case 10 -> 8 - (int) Math.rint(m / ((BINS - 1) / 4.0));
            case 11 -> 255.0 * (1 - f);
            default -> 0;
        };
    }

    /** One operation by index into {@link #OPS}; returns a new array (or the input for Identity). */
    public static byte[] applyOp(byte[] img, int h, int w, int op, double mag) {
        return switch (op) {
            case 0 -> img;
            case 1 -> affine(img, h, w, 0, 0, 0, Math.toDegrees(Math.atan(mag)), 0, true);
            case 2 -> affine(img, h, w, 0, 0, 0, 0, Math.toDegrees(Math.atan(mag)), true);
            case 3 -> affine(img, h, w, 0, (int) mag, 0, 0, 0, false);
            case 4 -> affine(img, h, w, 0, 0, (int) mag, 0, 0, false);
            case 5 -> affine(img, h, w, -mag, 0, 0, 0, 0, false); // F.rotate passes -angle to the inverse matrix
            case 6 -> blend(img, new float[img.length], 1 + mag);
            case 7 -> blend(img, grayscale3(img), 1 + mag);
            case 8 -> blend(img, meanGray(img), 1 + mag);
            case 9 -> blend(img, sharpDegenerate(img, h, w), 1 + mag);
            case 10 -> posterize(img, (int) mag);
            case 11 -> solarize(img, mag);
            case 12 -> autocontrast(img);
            case 13 -> equalize(img);
            default -> throw new IllegalArgumentException("op " + op);
        };
    }

    /**
     * torchvision's tensor affine: inverse matrix from {@code _get_inverse_affine_matrix}, pixel centres
     * relative to the image centre, nearest sampling (round half to even), zero outside. {@code topLeft}
     * puts the centre of the transform at pixel (0, 0) as RandAugment's shears do.
     */
    static byte[] affine(byte[] img, int h, int w, double angle, int tx, int ty, double shearX, double shearY, boolean topLeft) {
        double cx = topLeft ? -w * 0.5 : 0, cy = topLeft ? -h * 0.5 : 0;
        double rot = Math.toRadians(angle), sx = Math.toRadians(shearX), sy = Math.toRadians(shearY);
        double a = Math.cos(rot - sy) / Math.cos(sy);
        double b = -Math.cos(rot - sy) * Math.tan(sx) / Math.cos(sy) - Math.sin(rot);
        double c = Math.sin(rot - sy) / Math.cos(sy);
        double d = -Math.sin(rot - sy) * Math.tan(sx) / Math.cos(sy) + Math.cos(rot);
        double[] m = {d, -b, 0, -c, a, 0};
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
        m[2] += cx;
        m[5] += cy;
        float[] fm = {(float) m[0], (float) m[1], (float) m[2], (float) m[3], (float) m[4], (float) m[5]};
        byte[] out = new byte[img.length];
        for (int y = 0; y < h; y++) {
            float yc = y + 0.5f - h * 0.5f;
            for (int x = 0; x < w; x++) {
                float xc = x + 0.5f - w * 0.5f;
                float srcX = fm[0] * xc + fm[1] * yc + fm[2] + w * 0.5f - 0.5f;
                float srcY = fm[3] * xc + fm[4] * yc + fm[5] + h * 0.5f - 0.5f;
                int ix = (int) Math.rint(srcX), iy = (int) Math.rint(srcY);
                if (ix < 0 || iy < 0 || ix >= w || iy >= h) continue;
                System.arraycopy(img, (iy * w + ix) * 3, out, (y * w + x) * 3, 3);
            }
        }
        return out;
    }

    /** {@code (ratio * img + (1 - ratio) * other).clamp(0, 255)} truncated to uint8; other is HWC floats. */
    static byte[] blend(byte[] img, float[] other, double ratio) {
        float r = (float) ratio;
        byte[] out = new byte[img.length];
        for (int i = 0; i < img.length; i++) {
            float v = r * (img[i] & 0xFF) + (1 - r) * other[i];
            out[i] = (byte) (int) Math.max(0, Math.min(255, v));
        }
        return out;
    }

    /** rgb_to_grayscale on uint8: (0.2989 R + 0.587 G + 0.114 B) truncated to uint8. */
    static int gray(byte[] img, int p) {
        return (int) (0.2989f * (img[p] & 0xFF) + 0.587f * (img[p + 1] & 0xFF) + 0.114f * (img[p + 2] & 0xFF));
    }

    static float[] grayscale3(byte[] img) {
        float[] out = new float[img.length];
        for (int p = 0; p < img.length; p += 3) {
            float g = gray(img, p);
            out[p] = out[p + 1] = out[p + 2] = g;
        }
        return out;
    }

    static float[] meanGray(byte[] img) {
        double sum = 0;
        for (int p = 0; p < img.length; p += 3) sum += gray(img, p);
        float[] out = new float[img.length];
        java.util.Arrays.fill(out, (float) (sum / (img.length / 3)));
        return out;
    }

    /** The 3×3 smoothing kernel [[1,1,1],[1,5,1],[1,1,1]]/13 on the interior, rounded; borders kept. */
    static float[] sharpDegenerate(byte[] img, int h, int w) {
        float[] out = new float[img.length];
        for (int i = 0; i < img.length; i++) out[i] = img[i] & 0xFF;
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                for (int c = 0; c < 3; c++) {
                    float s = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) s += (img[((y + dy) * w + x + dx) * 3 + c] & 0xFF) * (dx == 0 && dy == 0 ? 5 : 1);
                    }
                    out[(y * w + x) * 3 + c] = (float) Math.rint(s / 13f);
                }
            }
        }
        return out;
    }

    static byte[] posterize(byte[] img, int bits) {
        int mask = -(1 << (8 - bits));
        byte[] out = new byte[img.length];
        for (int i = 0; i < img.length; i++) out[i] = (byte) (img[i] & mask);
        return out;
    }

    static byte[] solarize(byte[] img, double threshold) {
        byte[] out = new byte[img.length];
        for (int i = 0; i < img.length; i++) {
            int v = img[i] & 0xFF;
            out[i] = (byte) (v >= threshold ? 255 - v : v);
        }
        return out;
    }

    static byte[] autocontrast(byte[] img) {
        byte[] out = new byte[img.length];
        for (int c = 0; c < 3; c++) {
            int lo = 255, hi = 0;
            for (int i = c; i < img.length; i += 3) {
                int v = img[i] & 0xFF;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            float scale = hi == lo ? 1 : 255f / (hi - lo);
            float min = hi == lo ? 0 : lo;
            for (int i = c; i < img.length; i += 3) {
                float v = ((img[i] & 0xFF) - min) * scale;
                out[i] = (byte) (int) Math.max(0, Math.min(255, v));
            }
        }
        return out;
    }

    static byte[] equalize(byte[] img) {
        byte[] out = new byte[img.length];
        for (int c = 0; c < 3; c++) {
            long[] hist = new long[256];
            for (int i = c; i < img.length; i += 3) hist[img[i] & 0xFF]++;
            long total = 0, last = 0;
            for (int v = 0; v < 256; v++) {
                if (hist[v] != 0) {
                    total += hist[v];
                    last = hist[v];
                }
            }
            long step = (total - last) / 255;
            if (step == 0) {
                for (int i = c; i < img.length; i += 3) out[i] = img[i];
                continue;
            }
            int[] lut = new int[256];
            long cum = 0;
            for (int v = 0; v < 256; v++) {
                lut[v] = (int) Math.min(255, (cum + step / 2) / step); // lut shifted right by one: uses the sum before v
                cum += hist[v];
            }
            for (int i = c; i < img.length; i += 3) out[i] = (byte) lut[img[i] & 0xFF];
        }
        return out;
    }
}
