package org.vitarena.core;

import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.Backends;
import org.vitarena.core.backend.Storage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;

/**
 * A dense, row-major float32 tensor whose memory is a {@link Storage} owned by a {@link Backend},
 * with reverse-mode automatic differentiation.
 *
 * <p>Every operation that takes an input needing a gradient (a parameter with
 * {@link #requiresGrad()} or the result of such an operation) records a {@link GradNode} holding
 * what its backward needs. {@link #backward()} walks those nodes in reverse topological order,
 * accumulating into the {@link #grad()} of the leaves, then frees the graph. Inside
 * {@link NoGrad#scope()} nothing is recorded. A frozen parameter ({@code requiresGrad=false})
 * therefore costs no gradient work at all.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int size;
    private boolean requiresGrad;
    private Tensor grad;
    GradNode node;

    Tensor(Storage storage, int[] shape) {
        this.storage = storage;
        this.shape = shape;
        this.size = numel(shape);
        if (storage.size() != size) {
            throw new IllegalArgumentException("storage of " + storage.size() + " floats cannot hold shape " + Arrays.toString(shape));
        }
    }

    // ---- creation ----------------------------------------------------------------------------
    public static Tensor of(float[] data, int... shape) {
        if (data.length != numel(shape)) {
            throw new IllegalArgumentException(data.length + " values do not fit shape " + Arrays.toString(shape));
        }
        return new Tensor(Backends.current().upload(data), shape.clone());
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(Backends.current().allocate(numel(shape)), shape.clone());
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        t.backend().fill(t.storage, value);
        return t;
    }

    /** Wraps an existing storage (no copy). */
    public static Tensor wrap(Storage storage, int... shape) {
        return new Tensor(storage, shape.clone());
    }

    /** A leaf tensor that will receive gradients: a trainable parameter. */
    public static Tensor parameter(float[] data, int... shape) {
        Tensor t = of(data, shape);
        t.requiresGrad = true;
        return t;
    }

    // ---- metadata ----------------------------------------------------------------------------
    public int[] shape() {
        return shape.clone();
    }

    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return size;
    }

    public Storage storage() {
        return storage;
    }

    public Backend backend() {
        return storage.backend();
    }

    /** Copies the values to the host. */
    public float[] toArray() {
        return backend().download(storage);
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (size != 1) throw new IllegalStateException("item() on a tensor of shape " + Arrays.toString(shape));
        return toArray()[0];
    }

    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        return (int) n;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + (requiresGrad ? " requiresGrad" : "") + (node != null ? " <" + node.op + ">" : "");
    }

    // ---- autograd ----------------------------------------------------------------------------
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as trainable or frozen. */
    public Tensor requiresGrad(boolean value) {
        if (node != null) throw new IllegalStateException("requiresGrad can only be set on leaf tensors");
        this.requiresGrad = value;
        if (!value) grad = null;
        return this;
    }

    /** True when gradients flow through this tensor (a trainable leaf or the result of one). */
    public boolean needsGrad() {
        return requiresGrad || node != null;
    }

    /** The accumulated gradient of a leaf, or null. */
    public Tensor grad() {
        return grad;
    }

    public void zeroGrad() {
        grad = null;
    }

    /** Replaces the values of this leaf in place (loading weights, optimiser-free edits). */
    public void copyFrom(float[] values) {
        if (values.length != size) throw new IllegalArgumentException(values.length + " values for " + this);
        Storage src = backend().upload(values);
        backend().copy(src, 0, storage, 0, size);
    }

    /** Same data, same shape, no graph: a new leaf sharing nothing with this tensor's history. */
    public Tensor detach() {
        return new Tensor(storage, shape);
    }

    /** A deep copy of the values, as a new leaf. */
    public Tensor copy() {
        Storage s = backend().allocate(size);
        backend().copy(storage, 0, s, 0, size);
        return new Tensor(s, shape);
    }

    /** Records how to differentiate {@code out} if any input needs a gradient. Returns {@code out}. */
    public static Tensor record(String op, Tensor out, GradNode.Backward backward, Tensor... inputs) {
        if (!NoGrad.enabled()) return out;
        for (Tensor in : inputs) {
            if (in != null && in.needsGrad()) {
                out.node = new GradNode(op, inputs, backward);
                return out;
            }
        }
        return out;
    }

    /** Back-propagates from this scalar (d this / d this = 1). */
    public void backward() {
        if (size != 1) throw new IllegalStateException("backward() needs a scalar, got shape " + Arrays.toString(shape));
        backward(full(1f, shape));
    }

    /** Back-propagates {@code gradOut} (same shape as this tensor) through the recorded graph, then frees it. */
    public void backward(Tensor gradOut) {
        if (!needsGrad()) throw new IllegalStateException("backward() on a tensor that does not require grad");
        List<Tensor> order = topologicalOrder(this);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(this, gradOut);
        try (var ignored = NoGrad.scope()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                GradNode n = t.node;
                if (n == null) {
                    if (t.requiresGrad && g != null) t.accumulateGrad(g);
                    continue;
                }
                t.node = null; // free the graph as we go
                if (g == null) continue;
                Tensor[] inGrads = n.backward.apply(g);
                for (int j = 0; j < n.inputs.length; j++) {
                    Tensor in = n.inputs[j];
                    Tensor ig = inGrads[j];
                    if (in == null || ig == null || !in.needsGrad()) continue;
                    if (!Arrays.equals(ig.shape, in.shape)) {
                        throw new IllegalStateException(n.op + " backward produced gradient " + Arrays.toString(ig.shape)
                                + " for input " + Arrays.toString(in.shape));
                    }
                    Tensor prev = grads.get(in);
                    grads.put(in, prev == null ? ig : sum(prev, ig));
                }
            }
        }
    }

    private static Tensor sum(Tensor a, Tensor b) {
        Tensor out = a.copy();
        a.backend().axpy(1f, b.storage, out.storage);
        return out;
    }

    private void accumulateGrad(Tensor g) {
        if (grad == null) grad = g.copy();
        else backend().axpy(1f, g.storage, grad.storage);
    }

    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[]{root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Tensor[] inputs = t.node == null ? new Tensor[0] : t.node.inputs;
            if (next < inputs.length) {
                top[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.needsGrad() && visited.add(in)) stack.push(new Object[]{in, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
