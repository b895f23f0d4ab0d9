package org.vitarena.core.backend;

/** Elementwise binary operations with broadcasting. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV,
    /** out = a; broadcasts a tensor to a larger shape (b is ignored). */
    FIRST;

    public float apply(float a, float b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case FIRST -> a;
        };
    }
}
