package org.vitarena.core;

/** One recorded operation: its inputs and how to turn the output's gradient into theirs. */
public final class GradNode {
    /** Given d loss / d output, returns d loss / d input for each input (null where not needed). */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOut);
    }

    final String op;
    final Tensor[] inputs;
    final Backward backward;

    GradNode(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String op() {
        return op;
    }
}
