package org.vitarena.core.backend;

/**
 * A backend that holds no data and only counts work: every buffer is a size, every kernel a no-op,
 * and matrix products add their multiply-accumulates to {@link #macs()}. Running a model's forward
 * on it gives the model's MACs (matmuls and the patch convolution, as papers count them) and checks
 * every shape, in milliseconds and without memory, for any model, a plugin's included.
 *
 * <p>It reports {@link #holdsValues()} false, so a model built while it is current skips filling
 * its weights: the initialisers of {@code nn.Init} return zeros without drawing, and a plugin's
 * own initialiser should check {@code Backends.current().holdsValues()} the same way. Counting a
 * model (what {@code org.vitarena.spi.ModelInfo.measure} does for any provider's model):
 *
 * <pre>{@code
 * Backend previous = Backends.current();
 * CountingBackend counter = new CountingBackend();
 * Backends.use(counter);
 * try {
 *     VisionModel m = build();                 // no weights drawn
 *     long params = m.parameterCount();
 *     try (var ignored = NoGrad.scope()) {
 *         m.forward(Tensor.zeros(1, 3, m.imgSize(), m.imgSize()));
 *     }
 *     long macs = counter.macs();
 * } finally {
 *     Backends.use(previous);
 * }
 * }</pre>
 */
public final class CountingBackend implements Backend {
    private long macs;
    private long floats;

    private record Meta(int size, Backend backend) implements Storage {}

    public long macs() {
        return macs;
    }

    /** Floats of every buffer allocated or uploaded so far (nothing is ever freed here): an upper bound of the memory a pass holds. */
    public long floatsAllocated() {
        return floats;
    }

    @Override public String name() { return "count"; }
    /** Nothing is stored: initial values need not be computed. */
    @Override public boolean holdsValues() { return false; }
    @Override public Storage allocate(int n) { floats += n; return new Meta(n, this); }
    @Override public Storage upload(float[] host) { floats += host.length; return new Meta(host.length, this); }
    @Override public float[] download(Storage s) { return new float[s.size()]; }
    @Override public void fill(Storage s, float value) {}
    @Override public void copy(Storage src, int srcOff, Storage dst, int dstOff, int n) {}
    @Override public void copyBlocks(Storage src, int srcOff, int srcStride, Storage dst, int dstOff, int dstStride, int outer, int len, boolean accumulate) {}
    @Override public void axpy(float alpha, Storage x, Storage y) {}
    @Override public void scale(Storage x, float alpha, Storage out) {}
    @Override public double sumSquares(Storage x) { return 0; }

    @Override
    public void gemm(int batch, boolean transA, boolean transB, int m, int n, int k, Storage a, int aOff, int lda, int strideA,
                     Storage b, int bOff, int ldb, int strideB, Storage c, int cOff, int ldc, int strideC, boolean accumulate) {
        macs += (long) batch * m * n * k;
    }

    @Override public void addRowVector(Storage out, Storage bias, int rows, int cols) {}
    @Override public void sumRowsInto(Storage dy, int rows, int cols, Storage dbias) {}
    @Override public void binary(BinaryOp op, Storage a, int[] aStrides, Storage b, int[] bStrides, Storage out, int[] outShape) {}
    @Override public void sumTo(Storage x, int[] xShape, Storage out, int[] outStrides) {}
    @Override public void unary(UnaryOp op, Storage x, Storage out) {}
    @Override public void unaryBackward(UnaryOp op, Storage x, Storage dy, Storage dx, boolean accumulate) {}
    @Override public void permute(Storage x, int[] shape, int[] perm, Storage out) {}
    @Override public void gather(Storage x, int outer, int rowsIn, int inner, int[] index, Storage out) {}
    @Override public void scatterAdd(Storage dy, int outer, int rowsIn, int inner, int[] index, Storage dx) {}
    @Override public void layerNorm(Storage x, Storage w, Storage b, int rows, int cols, float eps, Storage y, Storage mean, Storage rstd) {}
    @Override public void layerNormBackward(Storage dy, Storage x, Storage w, Storage mean, Storage rstd, int rows, int cols, Storage dx, Storage dw, Storage db) {}
    @Override public void softmax(Storage x, int rows, int cols, Storage y) {}
    @Override public void softmaxBackward(Storage y, Storage dy, int rows, int cols, Storage dx, boolean accumulate) {}
    @Override public void crossEntropy(Storage logits, Storage targets, int rows, int cols, Storage probs, Storage loss) {}
    @Override public void crossEntropyBackward(Storage probs, Storage targets, Storage dloss, int rows, int cols, Storage dlogits, boolean accumulate) {}
    @Override public void adamw(Storage param, Storage grad, Storage m, Storage v, float lr, float beta1, float beta2, float eps, float weightDecay, int step) {}
    @Override public void sgd(Storage param, Storage grad, Storage buf, float lr, float momentum, float dampening, float weightDecay, boolean nesterov, boolean first) {}
}
