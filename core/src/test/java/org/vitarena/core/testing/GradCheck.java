package org.vitarena.core.testing;

import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks any op's backward against central finite differences. The scalar probed is
 * L = Σ out ⊙ R for a fixed random R, accumulated in double; each input element is perturbed by ±h
 * and (L(x+h) − L(x−h)) / 2h is compared with the autograd gradient, relative to the largest
 * gradient of that input.
 */
public final class GradCheck {
    private GradCheck() {}

    public static float[] random(SplittableRandom rng, int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return x;
    }

    public static Tensor param(SplittableRandom rng, int... shape) {
        return Tensor.parameter(random(rng, Tensor.numel(shape), -1, 1), shape);
    }

    /**
     * @param f      the op under test, applied to the inputs
     * @param h      finite-difference step
     * @param relTol allowed max|analytic − numeric| / max|analytic| per input
     */
    public static void check(String name, Function<Tensor[], Tensor> f, double h, double relTol, Tensor... inputs) {
        Tensor out = f.apply(inputs);
        SplittableRandom rng = new SplittableRandom(99);
        float[] r = random(rng, out.size(), -1, 1);
        Tensor weights = Tensor.of(r, out.shape());
        for (Tensor in : inputs) in.zeroGrad();
        Tensor loss = sumAll(org.vitarena.core.ops.Arith.mul(f.apply(inputs), weights));
        loss.backward();
        for (int t = 0; t < inputs.length; t++) {
            Tensor in = inputs[t];
            if (!in.requiresGrad()) continue;
            float[] analytic = in.grad().toArray();
            float[] x = in.toArray();
            double[] numeric = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                float orig = x[i];
                x[i] = (float) (orig + h);
                in.copyFrom(x);
                double lp = probe(f, inputs, r);
                x[i] = (float) (orig - h);
                in.copyFrom(x);
                double lm = probe(f, inputs, r);
                x[i] = orig;
                in.copyFrom(x);
                numeric[i] = (lp - lm) / (2 * h);
            }
            double maxA = 0, maxErr = 0;
            for (int i = 0; i < x.length; i++) {
                maxA = Math.max(maxA, Math.abs(analytic[i]));
                maxErr = Math.max(maxErr, Math.abs(analytic[i] - numeric[i]));
            }
            double rel = maxErr / Math.max(maxA, 1e-12);
            assertTrue(maxA > 0 || Arrays.stream(numeric).allMatch(v -> Math.abs(v) < 1e-6), name + " input " + t + ": zero gradient");
            assertTrue(rel <= relTol, String.format("%s input %d: max|Δ|=%.3g, max|grad|=%.3g, rel %.3g > %.3g", name, t, maxErr, maxA, rel, relTol));
        }
    }

    private static double probe(Function<Tensor[], Tensor> f, Tensor[] inputs, float[] r) {
        try (var ignored = NoGrad.scope()) {
            float[] o = f.apply(inputs).toArray();
            assertEquals(r.length, o.length);
            double s = 0;
            for (int i = 0; i < o.length; i++) s += (double) o[i] * r[i];
            return s;
        }
    }

    private static Tensor sumAll(Tensor x) {
        Tensor flat = org.vitarena.core.ops.Shapes.reshape(x, 1, x.size());
        return org.vitarena.core.ops.Shapes.sum(flat, 1, false);
    }
}
