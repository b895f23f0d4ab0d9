package org.vitarena.core.backend;

/** Elementwise activations, each with its derivative next to it. */
public enum UnaryOp {
    /** Exact GELU, x·Φ(x) with the error function (torch's default, approximate='none'). */
    GELU,
    RELU,
    TANH,
    SQRT;

    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    public float apply(float x) {
        return switch (this) {
            case GELU -> (float) (0.5 * x * (1.0 + Erf.erf(x * INV_SQRT2)));
            case RELU -> x > 0 ? x : 0f;
            case TANH -> (float) Math.tanh(x);
            case SQRT -> (float) Math.sqrt(x);
        };
    }

    /** d op(x) / dx. */
    public float derivative(float x) {
        return switch (this) {
            case GELU -> (float) (0.5 * (1.0 + Erf.erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x));
            case RELU -> x > 0 ? 1f : 0f;
            case TANH -> {
                double t = Math.tanh(x);
                yield (float) (1 - t * t);
            }
            case SQRT -> (float) (0.5 / Math.sqrt(x));
        };
    }
}
