package org.vitarena.core.ops;

import org.vitarena.core.MemoryPool;
import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.BinaryOp;
import org.vitarena.core.backend.UnaryOp;

import java.util.Arrays;

/**
 * Matrix products. Legend: B batch (any leading dimensions, flattened), M N K the product's sizes,
 * I input features, O output features.
 */
public final class Linalg {
    private Linalg() {}

    /**
     * Linear layer y = x·Wᵀ + b. x [..., I], weight [O, I] (torch's layout), bias [O] or null;
     * y [..., O]. Backward: dx = g·W, dW += gᵀ·x, db += Σ g.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int in = x.dim(-1), out = weight.dim(0);
        int rows = x.size() / in;
        Backend be = x.backend();
        Tensor y = Tensor.empty(linearShape(x, weight));
        be.linear(x.storage(), weight.storage(), bias == null ? null : bias.storage(), rows, in, out, false, y.storage());
        return Tensor.record("linear", y, g -> linearBackward(g, x, weight, bias), x, weight, bias);
    }

    /** {dx, dW, db} of y = x·Wᵀ + b for the gradient g of y: dx = g·W, dW = gᵀ·x, db = Σ g (null where not needed). */
    private static Tensor[] linearBackward(Tensor g, Tensor x, Tensor weight, Tensor bias) {
        int in = x.dim(-1), out = weight.dim(0);
        int rows = x.size() / in;
        Backend be = x.backend();
        Tensor dx = null, dw = null, db = null;
        if (x.needsGrad()) {
            dx = Tensor.empty(x.shape());
            be.gemm(1, false, false, rows, in, out, g.storage(), 0, out, 0, weight.storage(), 0, in, 0, dx.storage(), 0, in, 0, false);
        }
        if (weight.needsGrad()) {
            dw = Tensor.empty(weight.shape());
            be.gemm(1, true, false, out, in, rows, g.storage(), 0, out, 0, x.storage(), 0, in, 0, dw.storage(), 0, in, 0, false);
        }
        if (bias != null && bias.needsGrad()) {
            db = Tensor.zeros(bias.shape());
            be.sumRowsInto(g.storage(), rows, out, db.storage());
        }
        return new Tensor[]{dx, dw, db};
    }

    /**
     * residual + reorder(linear(x, weight, bias)): an output projection whose rows are put back in
     * another order (Swin's windows back to the grid, {@code order} as in {@link Shapes#reorder} along
     * dim −2) and added to the residual stream. The projection and the reordered copy are
     * temporaries that go back to the memory pool at once; composed of the recorded ops, the graph
     * would hold both, of the residual's size, until the backward (neither's backward needs them).
     * Every value is the composed one, bit for bit: the same kernels, the residual the left operand
     * of the addition. x [..., T, I] (T = order.length, or any when order is null), weight [O, I],
     * bias [O] or null, residual [..., T, O]; y like residual.
     */
    public static Tensor linearAdd(Tensor x, Tensor weight, Tensor bias, Tensor residual, int[] order) {
        int in = x.dim(-1), out = weight.dim(0);
        int rows = x.size() / in;
        int[] shape = linearShape(x, weight);
        if (!Arrays.equals(shape, residual.shape())) {
            throw new IllegalArgumentException("linearAdd: projection " + Arrays.toString(shape) + " vs residual " + Arrays.toString(residual.shape()));
        }
        int tokens = x.rank() < 2 ? 1 : x.dim(-2);
        if (order != null && order.length != tokens) {
            throw new IllegalArgumentException("linearAdd: " + order.length + " indices for " + tokens + " rows per item");
        }
        int[] inverse = order == null ? null : Shapes.inverse(order);
        Backend be = x.backend();
        Tensor t = Tensor.empty(shape);
        be.linear(x.storage(), weight.storage(), bias == null ? null : bias.storage(), rows, in, out, false, t.storage());
        if (order != null) {
            Tensor moved = Tensor.empty(shape);
            be.gather(t.storage(), rows / tokens, tokens, out, order, moved.storage());
            MemoryPool.discard(t);
            t = moved;
        }
        Tensor y = Tensor.empty(shape);
        int[] dense = Arith.broadcastStrides(shape, shape);
        be.binary(BinaryOp.ADD, residual.storage(), dense, t.storage(), dense, y.storage(), shape);
        MemoryPool.discard(t);
        return Tensor.record("linear_add", y, g -> {
            Tensor gt = g;
            if (order != null && (x.needsGrad() || weight.needsGrad() || bias != null && bias.needsGrad())) {
                gt = Tensor.empty(shape);
                be.gather(g.storage(), rows / tokens, tokens, out, inverse, gt.storage());
            }
            Tensor[] d = linearBackward(gt, x, weight, bias);
            return new Tensor[]{d[0], d[1], d[2], residual.needsGrad() ? g : null};
        }, x, weight, bias, residual);
    }

    /** [..., O] for x [..., I] and weight [O, I]; refuses a mismatch. */
    private static int[] linearShape(Tensor x, Tensor weight) {
        if (weight.dim(1) != x.dim(-1)) {
            throw new IllegalArgumentException("linear: input " + Arrays.toString(x.shape()) + " vs weight " + Arrays.toString(weight.shape()));
        }
        int[] yShape = x.shape();
        yShape[yShape.length - 1] = weight.dim(0);
        return yShape;
    }

    /**
     * GELU(linear(x, weight, bias)), the first half of an MLP. Without gradients (evaluation) it is one
     * fused kernel; otherwise the two recorded ops, since GELU's backward needs the pre-activation.
     */
    public static Tensor linearGelu(Tensor x, Tensor weight, Tensor bias) {
        boolean grad = org.vitarena.core.NoGrad.enabled() && (x.needsGrad() || weight.needsGrad() || (bias != null && bias.needsGrad()));
        if (grad) return Arith.gelu(linear(x, weight, bias));
        int in = x.dim(-1), out = weight.dim(0);
        Tensor y = Tensor.empty(linearShape(x, weight));
        x.backend().linear(x.storage(), weight.storage(), bias == null ? null : bias.storage(), x.size() / in, in, out, true, y.storage());
        return y;
    }

    /**
     * linear(GELU(u), weight, bias), the second half of an MLP in training, without keeping GELU(u):
     * the forward computes it into a temporary that goes back to the memory pool at once, and the
     * backward computes it again for the weight gradient. Composed as {@code linear(gelu(u), ...)},
     * the graph would hold GELU(u) [..., I] from the forward to the backward beside u, which GELU's
     * backward needs anyway: for Swin-T/2 at batch 32 that is 228 MiB of a 1.28 GiB step.
     * Every value is the composed one, bit for bit (the same kernels, in the same order): dh = g·W,
     * du = GELU'(u)·dh, dW += gᵀ·GELU(u), db += Σ g. u [..., I], weight [O, I], bias [O] or null;
     * y [..., O]. A GELU(u) of at most {@link #KEEP_GELU_FLOATS} is kept for the backward instead:
     * recomputing it was 4% of a demo model's training step, for a few MiB.
     */
    public static Tensor geluLinear(Tensor u, Tensor weight, Tensor bias) {
        int in = u.dim(-1), out = weight.dim(0);
        int rows = u.size() / in;
        Backend be = u.backend();
        int[] yShape = linearShape(u, weight);
        Tensor h = gelu(u, be);
        Tensor y = Tensor.empty(yShape);
        be.linear(h.storage(), weight.storage(), bias == null ? null : bias.storage(), rows, in, out, false, y.storage());
        boolean keep = weight.needsGrad() && h.size() <= KEEP_GELU_FLOATS;
        if (!keep) MemoryPool.discard(h);
        return Tensor.record("gelu_linear", y, g -> {
            Tensor du = null;
            if (u.needsGrad()) {
                Tensor dh = Tensor.empty(u.shape());
                be.gemm(1, false, false, rows, in, out, g.storage(), 0, out, 0, weight.storage(), 0, in, 0, dh.storage(), 0, in, 0, false);
                du = Tensor.empty(u.shape());
                be.unaryBackward(UnaryOp.GELU, u.storage(), dh.storage(), du.storage(), false);
            }
            // dW and db as linear's backward gives them, with GELU(u) computed again (a detached u
            // stands in for it when no weight gradient needs its values)
            Tensor[] d = linearBackward(g, keep ? h : weight.needsGrad() ? gelu(u, be) : u.detach(), weight, bias);
            return new Tensor[]{du, d[1], d[2]};
        }, u, weight, bias);
    }

    /**
     * The largest GELU(u) {@link #geluLinear} keeps from its forward to its backward (16 MiB): every
     * demo model's and ViT-Tiny's; Swin-T/2's first stage at batch 32 (12.6 M floats) is computed
     * again.
     */
    static final int KEEP_GELU_FLOATS = 1 << 22;

    /** GELU(u) into a new tensor, recording nothing. */
    private static Tensor gelu(Tensor u, Backend be) {
        Tensor h = Tensor.empty(u.shape());
        be.unary(UnaryOp.GELU, u.storage(), h.storage());
        return h;
    }

    /**
     * Batched product y = op(a)·op(b) over matching leading dimensions. a [B..., M, K] (or
     * [B..., K, M] with transA), b [B..., K, N] (or [B..., N, K] with transB); y [B..., M, N].
     */
    public static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        int ra = a.rank(), rb = b.rank();
        if (ra < 2 || ra != rb) throw new IllegalArgumentException("matmul needs equal ranks >= 2: "
                + Arrays.toString(a.shape()) + " x " + Arrays.toString(b.shape()));
        int[] as = a.shape(), bs = b.shape();
        for (int i = 0; i < ra - 2; i++) {
            if (as[i] != bs[i]) throw new IllegalArgumentException("matmul batch dims differ: " + Arrays.toString(as) + " x " + Arrays.toString(bs));
        }
        int m = transA ? as[ra - 1] : as[ra - 2], ka = transA ? as[ra - 2] : as[ra - 1];
        int kb = transB ? bs[rb - 1] : bs[rb - 2], n = transB ? bs[rb - 2] : bs[rb - 1];
        if (ka != kb) throw new IllegalArgumentException("matmul inner sizes differ: " + Arrays.toString(as)
                + (transA ? "ᵀ" : "") + " x " + Arrays.toString(bs) + (transB ? "ᵀ" : ""));
        int k = ka;
        int batch = a.size() / (as[ra - 2] * as[ra - 1]);
        int lda = as[ra - 1], ldb = bs[rb - 1];
        int[] yShape = as.clone();
        yShape[ra - 2] = m;
        yShape[ra - 1] = n;
        Backend be = a.backend();
        Tensor y = Tensor.empty(yShape);
        be.gemm(batch, transA, transB, m, n, k, a.storage(), 0, lda, m * k, b.storage(), 0, ldb, k * n, y.storage(), 0, n, m * n, false);
        return Tensor.record("matmul", y, g -> {
            Tensor da = null, db = null;
            if (a.needsGrad()) {
                da = Tensor.empty(as);
                // op(a) = g·op(b)ᵀ; if transA, a = (g·op(b)ᵀ)ᵀ = op(b)·gᵀ
                if (!transA) be.gemm(batch, false, !transB, m, k, n, g.storage(), 0, n, m * n, b.storage(), 0, ldb, k * n, da.storage(), 0, k, m * k, false);
                else be.gemm(batch, transB, true, k, m, n, b.storage(), 0, ldb, k * n, g.storage(), 0, n, m * n, da.storage(), 0, m, m * k, false);
            }
            if (b.needsGrad()) {
                db = Tensor.empty(bs);
                // op(b) = op(a)ᵀ·g; if transB, b = gᵀ·op(a)
                if (!transB) be.gemm(batch, !transA, false, k, n, m, a.storage(), 0, lda, m * k, g.storage(), 0, n, m * n, db.storage(), 0, n, k * n, false);
                else be.gemm(batch, true, transA, n, k, m, g.storage(), 0, n, m * n, a.storage(), 0, lda, m * k, db.storage(), 0, k, k * n, false);
            }
            return new Tensor[]{da, db};
        }, a, b);
    }

    public static Tensor matmul(Tensor a, Tensor b) {
        return matmul(a, b, false, false);
    }
}
