package org.vitarena.core.nn;

import org.vitarena.core.backend.Backends;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Weight initialisers as timm uses them, drawn from a seeded RNG. Each returns the values of a new
 * tensor; when the current backend {@linkplain org.vitarena.core.backend.Backend#holdsValues() holds
 * no values} (a counting backend) they return zeros without drawing.
 *
 * <p>Fans follow torch's {@code _calculate_fan_in_and_fan_out}: a weight [out, in, k...] has
 * fan_in = in·∏k and fan_out = out·∏k (a linear weight [out, in]: fan_in = in, fan_out = out).
 */
public final class Init {
    /** The standard deviation of a standard normal truncated to [-2, 2] (timm's variance_scaling_). */
    static final double TRUNCATED_STD = 0.87962566103423978;

    private Init() {}

    /** timm's trunc_normal_(std): normal(0, std) resampled outside the absolute interval [-2, 2]. */
    public static float[] truncNormal(SplittableRandom rng, float std, int n) {
        float[] out = new float[n];
        if (skipValues()) return out;
        for (int i = 0; i < n; i++) {
            double v;
            do {
                v = gaussian(rng) * std;
            } while (v < -2 || v > 2);
            out[i] = (float) v;
        }
        return out;
    }

    public static float[] normal(SplittableRandom rng, float std, int n) {
        float[] out = new float[n];
        if (skipValues()) return out;
        for (int i = 0; i < n; i++) out[i] = (float) (gaussian(rng) * std);
        return out;
    }

    public static float[] constant(float value, int n) {
        float[] out = new float[n];
        Arrays.fill(out, value);
        return out;
    }

    /**
     * torch's xavier_uniform_(gain): U(-a, a) with a = gain·sqrt(6 / (fan_in + fan_out)), for a
     * weight of {@code shape} (at least 2 dimensions; timm uses gain 1).
     */
    public static float[] xavierUniform(SplittableRandom rng, float gain, int... shape) {
        double a = gain * Math.sqrt(6.0 / (fanIn(shape) + (double) fanOut(shape)));
        float[] out = new float[size(shape)];
        if (skipValues()) return out;
        for (int i = 0; i < out.length; i++) out[i] = (float) rng.nextDouble(-a, a);
        return out;
    }

    /**
     * torch's default initialisation of a convolution or linear weight of {@code shape}
     * ({@code reset_parameters}: kaiming_uniform_ with a = √5): U(−b, b) with b = 1/√fan_in. timm keeps it
     * for the patch-embedding convolution of every family here (its init functions only redraw
     * nn.Linear weights), so the values' std is 1/√(3·fan_in), not 0.02.
     */
    public static float[] torchDefaultWeight(SplittableRandom rng, int... shape) {
        return uniform(rng, 1.0 / Math.sqrt(fanIn(shape)), size(shape));
    }

    /** torch's default initialisation of the bias of a weight of {@code weightShape}: U(−b, b) with b = 1/√fan_in. */
    public static float[] torchDefaultBias(SplittableRandom rng, int... weightShape) {
        return uniform(rng, 1.0 / Math.sqrt(fanIn(weightShape)), shape(weightShape)[0]);
    }

    /** U(−b, b), one uniform draw per value. */
    public static float[] uniform(SplittableRandom rng, double b, int n) {
        float[] out = new float[n];
        if (skipValues()) return out;
        for (int i = 0; i < n; i++) out[i] = (float) rng.nextDouble(-b, b);
        return out;
    }

    /**
     * timm's lecun_normal_ (variance_scaling_ with scale 1, mode fan_in, truncated normal): a
     * standard normal truncated to [-2, 2], times sqrt(1 / fan_in) / 0.8796..., so that the values'
     * standard deviation is sqrt(1 / fan_in). {@code shape} has at least 2 dimensions.
     */
    public static float[] lecunNormal(SplittableRandom rng, int... shape) {
        double std = Math.sqrt(1.0 / fanIn(shape)) / TRUNCATED_STD;
        float[] out = new float[size(shape)];
        if (skipValues()) return out;
        for (int i = 0; i < out.length; i++) {
            double z;
            do {
                z = gaussian(rng);
            } while (z < -2 || z > 2);
            out[i] = (float) (z * std);
        }
        return out;
    }

    /** fan_in of a weight [out, in, k...]: in times the receptive field ∏k. */
    public static int fanIn(int... shape) {
        return shape(shape)[1] * receptiveField(shape);
    }

    /** fan_out of a weight [out, in, k...]: out times the receptive field ∏k. */
    public static int fanOut(int... shape) {
        return shape(shape)[0] * receptiveField(shape);
    }

    private static int[] shape(int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("fan in and fan out need a weight of at least 2 dimensions, got "
                    + Arrays.toString(shape));
        }
        for (int d : shape) {
            if (d < 1) throw new IllegalArgumentException("weight shape " + Arrays.toString(shape) + " has an empty dimension");
        }
        return shape;
    }

    private static int receptiveField(int[] shape) {
        int r = 1;
        for (int i = 2; i < shape.length; i++) r = Math.multiplyExact(r, shape[i]);
        return r;
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** The current backend keeps no values (it only counts), so drawing them is skipped. */
    private static boolean skipValues() {
        return !Backends.current().holdsValues();
    }

    /** Standard normal by Box–Muller (SplittableRandom has no nextGaussian of its own state before 17). */
    public static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
