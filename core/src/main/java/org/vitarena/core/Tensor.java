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
    /** The leaf's gradient buffer; kept across {@link #zeroGrad()} (then {@code gradValid} is false) so steps reuse it. */
    private Tensor grad;
    private boolean gradValid;
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
        checkFits(data, shape);
        return new Tensor(Backends.current().upload(data), shape.clone());
    }

    private static void checkFits(float[] data, int[] shape) {
        if (data.length != numel(shape)) {
            throw new IllegalArgumentException(data.length + " values do not fit shape " + Arrays.toString(shape));
        }
    }

    /**
     * A copy of {@code data} drawn from the open {@link MemoryPool.Scope}, if any: a step's inputs
     * (images, targets), so that a training step allocates no fresh input buffer either. Like every
     * pooled tensor it must not be used after the scope closes; outside a scope it equals {@link #of}.
     */
    public static Tensor input(float[] data, int... shape) {
        checkFits(data, shape);
        Backend be = Backends.current();
        Storage s = MemoryPool.allocate(be, data.length, false);
        be.write(data, s);
        return new Tensor(s, shape.clone());
    }

    /** A zero-filled tensor (drawn from the open {@link MemoryPool.Scope}, if any). */
    public static Tensor zeros(int... shape) {
        return new Tensor(MemoryPool.allocate(Backends.current(), numel(shape), true), shape.clone());
    }

    /**
     * A tensor whose contents are unspecified (stale values when drawn from a {@link MemoryPool}):
     * for outputs that the caller overwrites completely, sparing the zero fill.
     */
    public static Tensor empty(int... shape) {
        return new Tensor(MemoryPool.allocate(Backends.current(), numel(shape), false), shape.clone());
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = empty(shape);
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
        if (!value) {
            grad = null;
            gradValid = false;
        }
        return this;
    }

    /** True when gradients flow through this tensor (a trainable leaf or the result of one). */
    public boolean needsGrad() {
        return requiresGrad || node != null;
    }

    /** The accumulated gradient of a leaf, or null. */
    public Tensor grad() {
        return gradValid ? grad : null;
    }

    /** Forgets the accumulated gradient (its buffer is reused by the next backward). */
    public void zeroGrad() {
        gradValid = false;
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
        Storage s = MemoryPool.allocate(backend(), size, false);
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

    /**
     * Back-propagates {@code gradOut} (same shape as this tensor) through the recorded graph, then frees it.
     * Inside a {@link MemoryPool.Scope}, memory is returned to the pool as soon as it is dead: a
     * gradient once its node has been differentiated, an activation once every node that saved it has.
     */
    public void backward(Tensor gradOut) {
        if (!needsGrad()) throw new IllegalStateException("backward() on a tensor that does not require grad");
        List<Tensor> order = topologicalOrder(this);
        MemoryPool.Scope scope = MemoryPool.current();
        Releaser rel = scope == null || scope.pool().backend() != backend() ? null : new Releaser(scope, order, this);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(this, gradOut);
        if (rel != null) rel.ref(gradOut);
        try (var ignored = NoGrad.scope()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (rel != null && g != null) rel.unref(g);
                GradNode n = t.node;
                if (n == null) {
                    if (t.requiresGrad && g != null) t.accumulateGrad(g);
                    if (rel != null) rel.done(t, g, -1);
                    continue;
                }
                t.node = null; // free the graph as we go
                if (g == null) {
                    if (rel != null) rel.done(t, null, -1);
                    continue;
                }
                int mark = rel == null ? -1 : scope.mark();
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
                    Tensor next = prev == null ? ig : sum(prev, ig);
                    grads.put(in, next);
                    if (rel != null) {
                        rel.ref(next);
                        if (prev != null) rel.unref(prev);
                    }
                }
                if (rel != null) rel.done(t, g, mark);
            }
        }
    }

    /**
     * Early release during one backward pass. An activation's memory is dead once every graph tensor
     * sharing it has been differentiated (its consumers come first in reverse order, and they and its
     * own node are the only ones that can have saved it); a buffer drawn during the backward is dead
     * once no pending gradient refers to it. Only memory drawn from the open scope is released, never
     * the root's or a {@link MemoryPool.Scope#keep kept} tensor's.
     */
    private static final class Releaser {
        private final MemoryPool.Scope scope;
        private final Storage root;
        private final Map<Storage, int[]> pendingForward = new IdentityHashMap<>();
        private final Map<Storage, int[]> gradRefs = new IdentityHashMap<>();

        Releaser(MemoryPool.Scope scope, List<Tensor> order, Tensor root) {
            this.scope = scope;
            this.root = root.storage;
            for (Tensor t : order) pendingForward.computeIfAbsent(t.storage, k -> new int[1])[0]++;
        }

        void ref(Tensor g) {
            gradRefs.computeIfAbsent(g.storage, k -> new int[1])[0]++;
        }

        void unref(Tensor g) {
            int[] c = gradRefs.get(g.storage);
            if (c != null && --c[0] == 0) gradRefs.remove(g.storage);
        }

        /** {@code t} has been differentiated with gradient {@code g}; {@code mark} is the scope's log before its backward ran. */
        void done(Tensor t, Tensor g, int mark) {
            int[] c = pendingForward.get(t.storage);
            if (c != null && --c[0] == 0) {
                pendingForward.remove(t.storage);
                releaseIfDead(t.storage);
            }
            if (g != null) releaseIfDead(g.storage);
            if (mark >= 0) for (Storage s : scope.drawnSince(mark)) releaseIfDead(s);
        }

        private void releaseIfDead(Storage s) {
            if (s == root || scope.isKept(s) || gradRefs.containsKey(s) || pendingForward.containsKey(s)) return;
            scope.release(s);
        }
    }

    private static Tensor sum(Tensor a, Tensor b) {
        Tensor out = Tensor.empty(a.shape);
        int[] dense = new int[a.shape.length];
        for (int i = dense.length - 1, st = 1; i >= 0; i--) {
            dense[i] = st;
            st *= a.shape[i];
        }
        a.backend().binary(org.vitarena.core.backend.BinaryOp.ADD, a.storage, dense, b.storage, dense, out.storage, a.shape);
        return out;
    }

    private void accumulateGrad(Tensor g) {
        if (gradValid) {
            backend().axpy(1f, g.storage, grad.storage);
            return;
        }
        if (grad == null) grad = MemoryPool.persistent(g::copy); // a leaf's gradient outlives the step
        else backend().copy(g.storage, 0, grad.storage, 0, size);
        gradValid = true;
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
