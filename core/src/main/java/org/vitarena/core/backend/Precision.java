package org.vitarena.core.backend;

import java.util.Locale;

/**
 * The arithmetic of the matrix products on a GPU backend; every other kernel is float32 regardless,
 * and the CPU backend always computes in float32.
 */
public enum Precision {
    /** IEEE float32 products: results match the CPU backend within the golden tolerances. */
    FP32,
    /** float32 in and out, TF32 tensor cores inside (10-bit mantissa products, float32 accumulation). */
    TF32,
    /** float32 in and out, operands rounded to bfloat16 on the tensor cores, float32 accumulation. */
    BF16;

    /** "fp32", "tf32" or "bf16" (any case, surrounding blanks ignored). */
    public static Precision parse(String s) {
        if (s != null) {
            for (Precision p : values()) if (p.label().equals(s.trim().toLowerCase(Locale.ROOT))) return p;
        }
        throw new IllegalArgumentException("unknown precision '" + s + "'; known: fp32, tf32, bf16");
    }

    /** The name as {@code --precision} spells it: "fp32", "tf32", "bf16". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
