package org.vitarena.backend.cuda;

import java.util.Locale;

/**
 * The arithmetic of the matrix products on the GPU. Every other kernel is float32 regardless.
 * Chosen by the system property {@code vitarena.precision} (the runner's {@code --precision}),
 * else the environment variable {@code VITARENA_PRECISION}, else FP32.
 */
public enum Precision {
    /** IEEE float32 products (cuBLAS default math): results match the CPU backend within the golden tolerances. */
    FP32,
    /** float32 in and out, TF32 tensor cores inside (10-bit mantissa products, float32 accumulation). */
    TF32,
    /** float32 in and out, operands rounded to bfloat16 on the tensor cores, float32 accumulation. */
    BF16;

    public static final String PROPERTY = "vitarena.precision";

    public static Precision parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown precision '" + s + "'; known: fp32, tf32, bf16");
        }
    }

    /** The configured precision: system property, then environment, then FP32. */
    public static Precision configured() {
        String s = System.getProperty(PROPERTY);
        if (s == null || s.isBlank()) s = System.getenv("VITARENA_PRECISION");
        return s == null || s.isBlank() ? FP32 : parse(s);
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
