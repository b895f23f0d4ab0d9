package org.vitarena.core.backend;

/**
 * The kernels every tensor operation is built from. The pure-Java {@code CpuBackend} is the
 * numerical reference; a GPU backend implements the same contract on device memory, so model code
 * never changes and no host round trip is implied between two kernels.
 *
 * <p>All buffers are dense row-major float32 {@link Storage}s of this backend. Shapes are passed
 * as plain ints; "rows × cols" kernels treat the buffer as a matrix whose last dimension is
 * {@code cols}. Accumulating outputs ({@code +=}) are named so in their parameter list.
 *
 * <p>Dimension legend used in the Javadoc: R rows, C columns (the normalised/softmaxed axis),
 * M N K matrix-product sizes, B batch.
 */
public interface Backend {
    /** Short name used in logs and {@code --device}: "cpu", "tornado", "cuda". */
    String name();

    /**
     * False for a backend that keeps only sizes and never reads values, such as
     * {@link CountingBackend}: whatever is uploaded is dropped. Code that computes initial values
     * (the initialisers in {@code nn.Init}, or a plugin's own) may skip computing them when
     * {@code Backends.current().holdsValues()} is false, so that building a model only to count its
     * parameters and multiply-accumulates costs no random draws. True by default.
     */
    default boolean holdsValues() {
        return true;
    }

    // ---- memory ------------------------------------------------------------------------------
    /** A zero-filled buffer of {@code n} floats. */
    Storage allocate(int n);

    /** Copies host data into a new buffer. */
    Storage upload(float[] host);

    /**
     * Copies host data into an existing buffer of at least {@code host.length} floats (a pooled
     * per-step input, for example). The default uploads a temporary copy; a backend whose memory is
     * host memory overrides it with a plain copy.
     */
    default void write(float[] host, Storage dst) {
        copy(upload(host), 0, dst, 0, host.length);
    }

    /** Copies a buffer back to the host. */
    float[] download(Storage s);

    /**
     * How this backend has been running its kernels, in one line for logs and benchmarks (launches,
     * graphs, compile time), or null when it has nothing to say. The CPU backend has nothing.
     */
    default String executionSummary() {
        return null;
    }

    void fill(Storage s, float value);

    /** dst[i] = src[i] for i in [0, n) with offsets; the regions may belong to the same buffer only if disjoint. */
    void copy(Storage src, int srcOff, Storage dst, int dstOff, int n);

    /**
     * Copies {@code outer} blocks of {@code len} contiguous floats: block o starts at
     * {@code srcOff + o*srcStride} in src and {@code dstOff + o*dstStride} in dst. With
     * {@code accumulate} the block is added to dst. This is slice, concat and their backwards.
     */
    void copyBlocks(Storage src, int srcOff, int srcStride, Storage dst, int dstOff, int dstStride,
                    int outer, int len, boolean accumulate);

    /** y[i] += alpha * x[i]. */
    void axpy(float alpha, Storage x, Storage y);

    /** out[i] = alpha * x[i] (out may be x). */
    void scale(Storage x, float alpha, Storage out);

    /** Sum of squares of all elements, in double, returned to the host (gradient clipping, norms). */
    double sumSquares(Storage x);

    // ---- matrix products ---------------------------------------------------------------------
    /**
     * For each b in [0, batch): C_b = op(A_b)·op(B_b) (+ C_b when accumulate). op(A_b) is M×K with
     * element (i,p) at {@code aOff + b*strideA + (transA ? p*lda + i : i*lda + p)}; op(B_b) is K×N
     * likewise; C_b is M×N at {@code cOff + b*strideC + i*ldc + j}.
     */
    void gemm(int batch, boolean transA, boolean transB, int m, int n, int k,
              Storage a, int aOff, int lda, int strideA,
              Storage b, int bOff, int ldb, int strideB,
              Storage c, int cOff, int ldc, int strideC, boolean accumulate);

    /**
     * Multi-head attention's forward in one kernel, when the backend has one: out = P·v with
     * P = softmax(scale·q·kᵀ + bias) per item and head, q, k, v read in place from qkv [B, N, 3C]
     * (columns 0, C, 2C + h·D, row stride 3C), out [B, N, C] heads concatenated. {@code bias} is
     * null or read with {@code biasStrides} (broadcast strides over [B, H, N, N]); {@code p} is
     * null or [B, H, N, N] to receive P for the backward. The result must be what the composed
     * forward gives (gemm per head, scale, binary ADD, softmax, gemm per head).
     *
     * @return false when the backend has no such kernel (the default) or declines this shape: the
     *     caller then runs the composed forward
     */
    default boolean attentionForward(Storage qkv, int batch, int tokens, int channels, int heads, float scale,
                                     Storage bias, int[] biasStrides, Storage p, Storage out) {
        return false;
    }

    /**
     * The backward of {@link #attentionForward} in one kernel, when the backend has one: from the
     * kept weights {@code p} [B, H, N, N] and dOut [B, N, C], writes every element of dqkv [B, N, 3C]
     * (dq = scale·dL·k, dk = scale·dLᵀ·q, dv = Pᵀ·dOut with dL = softmax'(P, dOut·vᵀ)). {@code dL}
     * is [B, H, N, N]: scratch, or with {@code biasGrad} (a bias that needs its gradient) dL on
     * return, before the scale, from which the caller sums the bias gradient. The result must be
     * what the composed backward gives.
     *
     * @return false when the backend has no such kernel (the default) or declines this shape
     */
    default boolean attentionBackward(Storage qkv, Storage p, Storage dOut, int batch, int tokens, int channels,
                                      int heads, float scale, boolean biasGrad, Storage dL, Storage dqkv) {
        return false;
    }

    /**
     * A linear map across the second dimension, when the backend has one (talking heads' mix of
     * attention maps): y[b, o, s] = Σ_i c(o, i)·x[b, i, s] (+ bias[o] when bias is not null) for
     * x [B, I, S], y [B, O, S], with c(o, i) = w[o·I + i] (w [O, I], nn.Linear's layout) or, with
     * {@code transposed}, w[i·O + o] (w [I, O]: the input gradient of the forward map). Each element
     * must be what {@link org.vitarena.core.ops.HeadMix}'s composed products give: fused
     * multiply-adds over i in order from zero, then + bias.
     *
     * @return false when the backend has no such kernel (the default) or declines this shape: the
     *     caller then runs the composed products
     */
    default boolean headMix(Storage x, Storage w, Storage bias, int batch, int in, int out, int s,
                            boolean transposed, Storage y) {
        return false;
    }

    /**
     * The weight gradient of {@link #headMix}'s forward map, when the backend has one: dw [O, I] =
     * Σ_b dOut[b]·x[b]ᵀ for dOut [B, O, S] and x [B, I, S], with S split in {@code splits} blocks,
     * each element what {@link org.vitarena.core.ops.HeadMix}'s composed gradient gives (its
     * per-item product, the sum over items, the sum over the diagonal blocks, in their order).
     *
     * @param dw [O, I], overwritten
     * @return false when the backend has no such kernel (the default) or declines this shape
     */
    default boolean headMixWeightGrad(Storage dOut, Storage x, int batch, int out, int in, int s, int splits,
                                      Storage dw) {
        return false;
    }

    /**
     * A linear layer's forward: y = x·Wᵀ + bias (bias may be null), then GELU when {@code gelu}.
     * x [R, I], w [O, I], y [R, O]. The default runs gemm, addRowVector and unary in turn; a backend
     * may fuse them (the CPU backend applies bias and GELU to each block of y while it is in cache).
     */
    default void linear(Storage x, Storage w, Storage bias, int rows, int in, int out, boolean gelu, Storage y) {
        gemm(1, false, true, rows, out, in, x, 0, in, 0, w, 0, in, 0, y, 0, out, 0, false);
        if (bias != null) addRowVector(y, bias, rows, out);
        if (gelu) unary(UnaryOp.GELU, y, y);
    }

    /** out[r, :] += bias[:] for R rows of C (the bias of a linear layer). */
    void addRowVector(Storage out, Storage bias, int rows, int cols);

    /** dbias[:] += sum over rows of dy[r, :]. */
    void sumRowsInto(Storage dy, int rows, int cols, Storage dbias);

    // ---- elementwise with broadcasting -------------------------------------------------------
    /**
     * out[idx] = op(a[idx·aStrides], b[idx·bStrides]) over every index of {@code outShape}; a stride
     * of 0 broadcasts that dimension.
     */
    void binary(BinaryOp op, Storage a, int[] aStrides, Storage b, int[] bStrides, Storage out, int[] outShape);

    /** out[idx·outStrides] += x[idx] over every index of {@code xShape}: the sum over broadcast dimensions. */
    void sumTo(Storage x, int[] xShape, Storage out, int[] outStrides);

    /** out[i] = op(x[i]). */
    void unary(UnaryOp op, Storage x, Storage out);

    /** dx[i] (+)= dy[i] · op'(x[i]). */
    void unaryBackward(UnaryOp op, Storage x, Storage dy, Storage dx, boolean accumulate);

    // ---- layout ------------------------------------------------------------------------------
    /** out = x.permute(perm) for x of {@code shape}; out is dense in the permuted shape. */
    void permute(Storage x, int[] shape, int[] perm, Storage out);

    /** out[o, i, :] = x[o, index[i], :] for x of [outer, rowsIn, inner] (index_select). */
    void gather(Storage x, int outer, int rowsIn, int inner, int[] index, Storage out);

    /** dx[o, index[i], :] += dy[o, i, :]: the backward of {@link #gather}. */
    void scatterAdd(Storage dy, int outer, int rowsIn, int inner, int[] index, Storage dx);

    // ---- normalisation and softmax -----------------------------------------------------------
    /** LayerNorm over the last dimension: y = (x-mean)·rstd·w + b; saves mean and rstd per row (R). */
    void layerNorm(Storage x, Storage w, Storage b, int rows, int cols, float eps,
                   Storage y, Storage mean, Storage rstd);

    /** Backward of LayerNorm: dx (+=, may be null), dw and db (+=, may be null). */
    void layerNormBackward(Storage dy, Storage x, Storage w, Storage mean, Storage rstd, int rows, int cols,
                           Storage dx, Storage dw, Storage db);

    /** Stable softmax over the last dimension, R×C. */
    void softmax(Storage x, int rows, int cols, Storage y);

    /** dx (+)= y ⊙ (dy − Σ_c dy·y). */
    void softmaxBackward(Storage y, Storage dy, int rows, int cols, Storage dx, boolean accumulate);

    /**
     * Mean over rows of the soft-target cross-entropy −Σ_c t·log softmax(x), written to loss[0];
     * the softmax probabilities go to {@code probs} for the backward.
     */
    void crossEntropy(Storage logits, Storage targets, int rows, int cols, Storage probs, Storage loss);

    /** dlogits (+)= (probs − targets) · dloss[0] / rows. */
    void crossEntropyBackward(Storage probs, Storage targets, Storage dloss, int rows, int cols,
                              Storage dlogits, boolean accumulate);

    // ---- optimisers --------------------------------------------------------------------------
    /** torch.optim.AdamW's update of one parameter at step {@code step} (1-based). */
    void adamw(Storage param, Storage grad, Storage m, Storage v, float lr, float beta1, float beta2,
               float eps, float weightDecay, int step);

    /** torch.optim.SGD's update; {@code buf} is the momentum buffer, {@code first} on its first use. */
    void sgd(Storage param, Storage grad, Storage buf, float lr, float momentum, float dampening,
             float weightDecay, boolean nesterov, boolean first);
}
