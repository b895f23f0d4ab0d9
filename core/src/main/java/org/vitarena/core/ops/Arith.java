package org.vitarena.core.ops;

import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.BinaryOp;
import org.vitarena.core.backend.UnaryOp;

import java.util.Arrays;

/**
 * Elementwise arithmetic with NumPy broadcasting (shapes aligned at the right, size-1 or missing
 * dimensions broadcast), and activations. Each op's backward follows its forward.
 *
 * <p>Legend: shapes are arbitrary; "a", "b" inputs, "y" output, "g" the gradient of y.
 */
public final class Arith {
    private Arith() {}

    /** The broadcast shape of a and b, or an error naming both. */
    static int[] broadcastShape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = Math.max(da, db);
        }
        return out;
    }

    /** Strides of {@code shape} seen inside {@code outShape}: 0 where the dimension is broadcast. */
    static int[] broadcastStrides(int[] shape, int[] outShape) {
        int rank = outShape.length;
        int[] strides = new int[rank];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            int oi = i + rank - shape.length;
            strides[oi] = shape[i] == 1 && outShape[oi] != 1 ? 0 : s;
            s *= shape[i];
        }
        return strides;
    }

    /** Sums g (of the broadcast shape) down to {@code shape}: the backward of broadcasting. */
    static Tensor reduceTo(Tensor g, int[] shape) {
        if (Arrays.equals(g.shape(), shape)) return g;
        Tensor out = Tensor.zeros(shape);
        g.backend().sumTo(g.storage(), g.shape(), out.storage(), broadcastStrides(shape, g.shape()));
        return out;
    }

    private static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        int[] shape = broadcastShape(a.shape(), b.shape());
        Tensor y = Tensor.empty(shape);
        a.backend().binary(op, a.storage(), broadcastStrides(a.shape(), shape), b.storage(),
                broadcastStrides(b.shape(), shape), y.storage(), shape);
        return y;
    }

    /** y = a + b. */
    public static Tensor add(Tensor a, Tensor b) {
        Tensor y = binary(BinaryOp.ADD, a, b);
        return Tensor.record("add", y, g -> new Tensor[]{
                a.needsGrad() ? reduceTo(g, a.shape()) : null,
                b.needsGrad() ? reduceTo(g, b.shape()) : null}, a, b);
    }

    /** y = a - b. */
    public static Tensor sub(Tensor a, Tensor b) {
        Tensor y = binary(BinaryOp.SUB, a, b);
        return Tensor.record("sub", y, g -> new Tensor[]{
                a.needsGrad() ? reduceTo(g, a.shape()) : null,
                b.needsGrad() ? reduceTo(scale(g, -1f), b.shape()) : null}, a, b);
    }

    /** y = a ⊙ b. */
    public static Tensor mul(Tensor a, Tensor b) {
        Tensor y = binary(BinaryOp.MUL, a, b);
        return Tensor.record("mul", y, g -> new Tensor[]{
                a.needsGrad() ? reduceTo(binary(BinaryOp.MUL, g, b), a.shape()) : null,
                b.needsGrad() ? reduceTo(binary(BinaryOp.MUL, g, a), b.shape()) : null}, a, b);
    }

    /** y = a / b. */
    public static Tensor div(Tensor a, Tensor b) {
        Tensor y = binary(BinaryOp.DIV, a, b);
        return Tensor.record("div", y, g -> new Tensor[]{
                a.needsGrad() ? reduceTo(binary(BinaryOp.DIV, g, b), a.shape()) : null,
                // d(a/b)/db = -a/b² = -y/b
                b.needsGrad() ? reduceTo(scale(binary(BinaryOp.DIV, binary(BinaryOp.MUL, g, y), b), -1f), b.shape()) : null},
                a, b);
    }

    /** y = alpha · x. */
    public static Tensor scale(Tensor x, float alpha) {
        Tensor y = Tensor.empty(x.shape());
        x.backend().scale(x.storage(), alpha, y.storage());
        return Tensor.record("scale", y, g -> new Tensor[]{scale(g, alpha)}, x);
    }

    /** y = x broadcast to {@code shape} (torch's expand, materialised). */
    public static Tensor expand(Tensor x, int... shape) {
        int[] target = broadcastShape(x.shape(), shape);
        if (!Arrays.equals(target, shape)) {
            throw new IllegalArgumentException("cannot expand " + Arrays.toString(x.shape()) + " to " + Arrays.toString(shape));
        }
        Tensor y = Tensor.empty(shape);
        x.backend().binary(BinaryOp.FIRST, x.storage(), broadcastStrides(x.shape(), shape), null, null, y.storage(), shape);
        return Tensor.record("expand", y, g -> new Tensor[]{reduceTo(g, x.shape())}, x);
    }

    /** y = op(x) elementwise. */
    public static Tensor unary(UnaryOp op, Tensor x) {
        Backend be = x.backend();
        Tensor y = Tensor.empty(x.shape());
        be.unary(op, x.storage(), y.storage());
        return Tensor.record(op.name().toLowerCase(), y, g -> {
            Tensor dx = Tensor.empty(x.shape());
            be.unaryBackward(op, x.storage(), g.storage(), dx.storage(), false);
            return new Tensor[]{dx};
        }, x);
    }

    /** Exact GELU: x·Φ(x). */
    public static Tensor gelu(Tensor x) {
        return unary(UnaryOp.GELU, x);
    }
}
