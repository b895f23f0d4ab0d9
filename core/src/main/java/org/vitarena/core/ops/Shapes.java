package org.vitarena.core.ops;

import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backend;

import java.util.Arrays;

/**
 * Layout operations. {@link #reshape} is a free view; everything else makes a dense copy. The
 * backward of each is the inverse movement of the gradient.
 *
 * <p>Legend: O outer (product of dimensions before {@code dim}), D the size along {@code dim},
 * I inner (product of dimensions after it).
 */
public final class Shapes {
    private Shapes() {}

    private static int outer(int[] s, int dim) {
        int o = 1;
        for (int i = 0; i < dim; i++) o *= s[i];
        return o;
    }

    private static int inner(int[] s, int dim) {
        int o = 1;
        for (int i = dim + 1; i < s.length; i++) o *= s[i];
        return o;
    }

    private static int axis(Tensor x, int dim) {
        int d = dim < 0 ? x.rank() + dim : dim;
        if (d < 0 || d >= x.rank()) throw new IllegalArgumentException("dim " + dim + " out of range for " + Arrays.toString(x.shape()));
        return d;
    }

    /** The same values under a new shape (one dimension may be -1). No copy. */
    public static Tensor reshape(Tensor x, int... shape) {
        int[] s = shape.clone();
        int known = 1, free = -1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (free >= 0) throw new IllegalArgumentException("only one -1 allowed in " + Arrays.toString(shape));
                free = i;
            } else known *= s[i];
        }
        if (free >= 0) s[free] = known == 0 ? 0 : x.size() / known;
        if (Tensor.numel(s) != x.size()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(x.shape()) + " to " + Arrays.toString(shape));
        }
        int[] old = x.shape();
        Tensor y = Tensor.wrap(x.storage(), s);
        return Tensor.record("reshape", y, g -> new Tensor[]{Tensor.wrap(g.storage(), old)}, x);
    }

    /** y = x.permute(perm), dense. */
    public static Tensor permute(Tensor x, int... perm) {
        int[] s = x.shape();
        if (perm.length != s.length) throw new IllegalArgumentException("permute " + Arrays.toString(perm) + " of " + Arrays.toString(s));
        int[] ys = new int[s.length];
        int[] inv = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            ys[i] = s[perm[i]];
            inv[perm[i]] = i;
        }
        Tensor y = Tensor.empty(ys);
        x.backend().permute(x.storage(), s, perm, y.storage());
        return Tensor.record("permute", y, g -> {
            Tensor dx = Tensor.empty(s);
            g.backend().permute(g.storage(), ys, inv, dx.storage());
            return new Tensor[]{dx};
        }, x);
    }

    /** Swaps two dimensions. */
    public static Tensor transpose(Tensor x, int d0, int d1) {
        int[] perm = new int[x.rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        int a = axis(x, d0), b = axis(x, d1);
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    /** y = x[..., start:end, ...] along {@code dim}. */
    public static Tensor slice(Tensor x, int dim, int start, int end) {
        int d = axis(x, dim);
        int[] s = x.shape();
        if (start < 0 || end > s[d] || start > end) {
            throw new IllegalArgumentException("slice [" + start + ", " + end + ") of dim " + d + " in " + Arrays.toString(s));
        }
        int o = outer(s, d), in = inner(s, d), len = end - start;
        int[] ys = s.clone();
        ys[d] = len;
        Tensor y = Tensor.empty(ys);
        Backend be = x.backend();
        be.copyBlocks(x.storage(), start * in, s[d] * in, y.storage(), 0, len * in, o, len * in, false);
        return Tensor.record("slice", y, g -> {
            Tensor dx = Tensor.zeros(s);
            be.copyBlocks(g.storage(), 0, len * in, dx.storage(), start * in, s[d] * in, o, len * in, false);
            return new Tensor[]{dx};
        }, x);
    }

    /** x[..., i, ...] along {@code dim}, that dimension removed. */
    public static Tensor select(Tensor x, int dim, int index) {
        int d = axis(x, dim);
        Tensor s = slice(x, d, index, index + 1);
        int[] shape = x.shape();
        int[] ys = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != d) ys[j++] = shape[i];
        return reshape(s, ys);
    }

    /** Concatenation along {@code dim}; the other dimensions must match. */
    public static Tensor concat(int dim, Tensor... xs) {
        int d = axis(xs[0], dim);
        int[] s0 = xs[0].shape();
        int total = 0;
        for (Tensor x : xs) {
            int[] s = x.shape();
            for (int i = 0; i < s.length; i++) {
                if (i != d && s[i] != s0[i]) throw new IllegalArgumentException("concat along " + d + ": " + Arrays.toString(s0) + " vs " + Arrays.toString(s));
            }
            total += s[d];
        }
        int o = outer(s0, d), in = inner(s0, d);
        int[] ys = s0.clone();
        ys[d] = total;
        Tensor y = Tensor.empty(ys);
        Backend be = xs[0].backend();
        int[] starts = new int[xs.length];
        int pos = 0;
        for (int i = 0; i < xs.length; i++) {
            starts[i] = pos;
            int len = xs[i].dim(d);
            be.copyBlocks(xs[i].storage(), 0, len * in, y.storage(), pos * in, total * in, o, len * in, false);
            pos += len;
        }
        int tot = total;
        return Tensor.record("concat", y, g -> {
            Tensor[] grads = new Tensor[xs.length];
            for (int i = 0; i < xs.length; i++) {
                if (!xs[i].needsGrad()) continue;
                int len = xs[i].dim(d);
                grads[i] = Tensor.empty(xs[i].shape());
                be.copyBlocks(g.storage(), starts[i] * in, tot * in, grads[i].storage(), 0, len * in, o, len * in, false);
            }
            return grads;
        }, xs);
    }

    /** index_select: y[..., i, ...] = x[..., index[i], ...] along {@code dim}. */
    public static Tensor gather(Tensor x, int dim, int[] index) {
        int d = axis(x, dim);
        int[] s = x.shape();
        for (int i : index) if (i < 0 || i >= s[d]) throw new IllegalArgumentException("index " + i + " out of range for dim " + d + " of " + Arrays.toString(s));
        int o = outer(s, d), in = inner(s, d);
        int[] ys = s.clone();
        ys[d] = index.length;
        Tensor y = Tensor.empty(ys);
        Backend be = x.backend();
        int[] idx = index.clone();
        be.gather(x.storage(), o, s[d], in, idx, y.storage());
        return Tensor.record("gather", y, g -> {
            Tensor dx = Tensor.zeros(s);
            be.scatterAdd(g.storage(), o, s[d], in, idx, dx.storage());
            return new Tensor[]{dx};
        }, x);
    }

    /**
     * y[..., i, ...] = x[..., order[i], ...] along {@code dim}, where {@code order} is a permutation
     * of [0, D): one copy where a chain of rolls and permutes would make one each (Swin's shifted
     * window partition: two rolls and a permute). Its backward is the same movement by the inverse
     * permutation, a copy as well (no zero fill, no accumulation).
     *
     * @throws IllegalArgumentException when {@code order} is not a permutation of [0, D)
     */
    public static Tensor reorder(Tensor x, int dim, int[] order) {
        int d = axis(x, dim);
        int[] s = x.shape();
        if (order.length != s[d]) {
            throw new IllegalArgumentException("reorder of dim " + d + " of " + Arrays.toString(s) + " needs " + s[d] + " indices, got " + order.length);
        }
        int[] inverse = inverse(order);
        int o = outer(s, d), in = inner(s, d);
        Tensor y = Tensor.empty(s);
        Backend be = x.backend();
        be.gather(x.storage(), o, s[d], in, order, y.storage());
        return Tensor.record("reorder", y, g -> {
            Tensor dx = Tensor.empty(s);
            be.gather(g.storage(), o, s[d], in, inverse, dx.storage());
            return new Tensor[]{dx};
        }, x);
    }

    /**
     * The inverse of a permutation: inverse[order[i]] = i.
     *
     * @throws IllegalArgumentException when {@code order} is not a permutation of [0, order.length)
     */
    public static int[] inverse(int[] order) {
        int[] inverse = new int[order.length];
        Arrays.fill(inverse, -1);
        for (int i = 0; i < order.length; i++) {
            int j = order[i];
            if (j < 0 || j >= order.length || inverse[j] >= 0) {
                throw new IllegalArgumentException("reorder: index " + j + " at position " + i + " makes no permutation of [0, " + order.length + ")");
            }
            inverse[j] = i;
        }
        return inverse;
    }

    /** Cyclic shift along {@code dim} by {@code shift} (torch.roll): y[i] = x[(i - shift) mod D]. */
    public static Tensor roll(Tensor x, int dim, int shift) {
        int d = axis(x, dim);
        int n = x.dim(d);
        int[] index = new int[n];
        for (int i = 0; i < n; i++) index[i] = Math.floorMod(i - shift, n);
        return gather(x, d, index);
    }

    /** Sum over {@code dim}, keeping it as size 1 when {@code keepDim}. */
    public static Tensor sum(Tensor x, int dim, boolean keepDim) {
        int d = axis(x, dim);
        int[] s = x.shape();
        int[] kept = s.clone();
        kept[d] = 1;
        Tensor y = Arith.reduceTo(x, kept);
        if (y == x) y = x.copy();
        Tensor r = Tensor.record("sum", Tensor.wrap(y.storage(), kept), g -> new Tensor[]{Arith.expand(Tensor.wrap(g.storage(), kept), s)}, x);
        if (keepDim) return r;
        int[] ys = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != d) ys[j++] = s[i];
        return reshape(r, ys);
    }

    /** Mean over {@code dim}. */
    public static Tensor mean(Tensor x, int dim, boolean keepDim) {
        int d = axis(x, dim);
        return Arith.scale(sum(x, d, keepDim), 1f / x.dim(d));
    }
}
