// Memory, elementwise, broadcasting and optimiser kernels: the CPU backend's kernels of the same
// names, one thread per element with grid-stride loops.
// Legend: n elements, R rows, C columns, B batch. Pointers arrive already offset by the caller.
#include "reduce.cuh"

// Op codes: the ordinals of org.vitarena.core.backend.BinaryOp and UnaryOp.
enum { ADD = 0, SUB = 1, MUL = 2, DIV = 3, FIRST = 4 };
enum { GELU = 0, RELU = 1, TANH = 2, SQRT = 3 };

struct Broadcast {            // binary(): out[idx] = op(a[idx·as], b[idx·bs])
    int rank;
    int shape[MAX_RANK];
    int as[MAX_RANK];
    int bs[MAX_RANK];
};

struct Reduction {            // sumTo(): kept dims index out, reduced dims are summed
    int keptRank;
    int keptShape[MAX_RANK];
    int keptX[MAX_RANK];      // x strides of the kept dims
    int keptOut[MAX_RANK];    // out strides of the kept dims
    int redRank;
    int redShape[MAX_RANK];
    int redX[MAX_RANK];       // x strides of the reduced dims
};

__device__ __forceinline__ float apply_binary(int op, float a, float b) {
    switch (op) {
        case ADD: return a + b;
        case SUB: return a - b;
        case MUL: return a * b;
        case DIV: return a / b;
        default:  return a;
    }
}

extern "C" {

// ---- memory ------------------------------------------------------------------------------------
/** Block o of len floats: dst[o*dstStride + j] (+)= src[o*srcStride + j]. */
__global__ void copy_blocks(const float* src, int srcStride, float* dst, int dstStride,
                            int outer, int len, int accumulate) {
    long long n = (long long)outer * len;
    GRID_LOOP(i, n) {
        long long o = i / len, j = i - o * len;
        float v = src[o * srcStride + j];
        float* t = dst + o * dstStride + j;
        *t = accumulate ? *t + v : v;
    }
}

__global__ void axpy(float alpha, const float* x, float* y, long long n) {
    GRID_LOOP(i, n) y[i] += alpha * x[i];
}

__global__ void scale(const float* x, float alpha, float* out, long long n) {
    GRID_LOOP(i, n) out[i] = alpha * x[i];
}

/** partial[block] = Σ x² over this block's grid-stride share, in double; the host adds the partials in order. */
__global__ void sum_squares_partial(const float* x, long long n, double* partial) {
    __shared__ double scratch[32];
    double s = 0;
    GRID_LOOP(i, n) s += (double)x[i] * x[i];
    s = block_sum_d(s, scratch);
    if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

// ---- bias and column sums ----------------------------------------------------------------------
__global__ void add_row_vector(float* out, const float* bias, int rows, int cols) {
    long long n = (long long)rows * cols;
    GRID_LOOP(i, n) out[i] += bias[i % cols];
}

/**
 * Column sums of an R×C matrix in row chunks: partial[chunk, c] = Σ over the chunk's rows of x[r, c].
 * Block (32, 8): 32 columns, 8 row lanes; grid (ceil(C/32), chunks).
 */
__global__ void col_sum_partial(const float* x, int rows, int cols, int rowsPerChunk, float* partial) {
    __shared__ float tile[8][33];
    int c = blockIdx.x * 32 + threadIdx.x;
    int r0 = blockIdx.y * rowsPerChunk, r1 = min(rows, r0 + rowsPerChunk);
    float s = 0.f;
    if (c < cols)
        for (int r = r0 + threadIdx.y; r < r1; r += 8) s += x[(long long)r * cols + c];
    tile[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
        float t = 0.f;
        for (int k = 0; k < 8; k++) t += tile[k][threadIdx.x];
        partial[(long long)blockIdx.y * cols + c] = t;
    }
}

/** out[c] (+)= Σ_chunk partial[chunk, c], chunks in order. */
__global__ void col_sum_finish(const float* partial, int chunks, int cols, float* out, int accumulate) {
    GRID_LOOP(c, cols) {
        float s = 0.f;
        for (int k = 0; k < chunks; k++) s += partial[(long long)k * cols + c];
        out[c] = accumulate ? out[c] + s : s;
    }
}

// ---- elementwise with broadcasting -------------------------------------------------------------
/** a, b and out all dense with the same shape (b may be null for FIRST). */
__global__ void binary_dense(int op, const float* a, const float* b, float* out, long long n) {
    GRID_LOOP(i, n) out[i] = apply_binary(op, a[i], b ? b[i] : 0.f);
}

__global__ void binary_strided(int op, const float* a, const float* b, float* out, long long n, Broadcast d) {
    GRID_LOOP(i, n) {
        long long rem = i, ao = 0, bo = 0;
        for (int k = d.rank - 1; k >= 0; k--) {
            long long q = rem / d.shape[k];
            int idx = (int)(rem - q * d.shape[k]);
            rem = q;
            ao += (long long)idx * d.as[k];
            bo += (long long)idx * d.bs[k];
        }
        out[i] = apply_binary(op, a[ao], b ? b[bo] : 0.f);
    }
}

__device__ __forceinline__ long long kept_offsets(const Reduction& r, long long i, long long* outOff) {
    long long rem = i, xo = 0, oo = 0;
    for (int k = r.keptRank - 1; k >= 0; k--) {
        long long q = rem / r.keptShape[k];
        int idx = (int)(rem - q * r.keptShape[k]);
        rem = q;
        xo += (long long)idx * r.keptX[k];
        oo += (long long)idx * r.keptOut[k];
    }
    *outOff = oo;
    return xo;
}

__device__ __forceinline__ long long reduced_offset(const Reduction& r, long long j) {
    long long rem = j, xo = 0;
    for (int k = r.redRank - 1; k >= 0; k--) {
        long long q = rem / r.redShape[k];
        int idx = (int)(rem - q * r.redShape[k]);
        rem = q;
        xo += (long long)idx * r.redX[k];
    }
    return xo;
}

/** sumTo with few reduced elements: one thread per kept element sums them in index order. */
__global__ void sum_to_thread(const float* x, float* out, long long kept, long long reduced, Reduction r) {
    GRID_LOOP(i, kept) {
        long long oo, xo = kept_offsets(r, i, &oo);
        float s = 0.f;
        for (long long j = 0; j < reduced; j++) s += x[xo + reduced_offset(r, j)];
        out[oo] += s;
    }
}

/** sumTo with many reduced elements: one block per kept element, a block-wide sum. */
__global__ void sum_to_block(const float* x, float* out, long long kept, long long reduced, Reduction r) {
    __shared__ float scratch[32];
    for (long long i = blockIdx.x; i < kept; i += gridDim.x) {
        long long oo, xo = kept_offsets(r, i, &oo);
        float s = 0.f;
        for (long long j = threadIdx.x; j < reduced; j += blockDim.x) s += x[xo + reduced_offset(r, j)];
        s = block_sum(s, scratch);
        if (threadIdx.x == 0) out[oo] += s;
    }
}

// ---- activations: forward and backward side by side ---------------------------------------------
__device__ __forceinline__ float unary_fwd(int op, float x) {
    switch (op) {
        case GELU: return 0.5f * x * (1.f + erff(x * 0.70710678118654752f));
        case RELU: return x > 0.f ? x : 0.f;
        case TANH: return tanhf(x);
        default:   return sqrtf(x);
    }
}

__device__ __forceinline__ float unary_grad(int op, float x) {
    switch (op) {
        case GELU: {
            float cdf = 0.5f * (1.f + erff(x * 0.70710678118654752f));
            float pdf = expf(-0.5f * x * x) * 0.3989422804014327f;
            return cdf + x * pdf;
        }
        case RELU: return x > 0.f ? 1.f : 0.f;
        case TANH: { float t = tanhf(x); return 1.f - t * t; }
        default:   return 0.5f / sqrtf(x);
    }
}

__global__ void unary(int op, const float* x, float* out, long long n) {
    GRID_LOOP(i, n) out[i] = unary_fwd(op, x[i]);
}

__global__ void unary_backward(int op, const float* x, const float* dy, float* dx, long long n, int accumulate) {
    GRID_LOOP(i, n) {
        float g = dy[i] * unary_grad(op, x[i]);
        dx[i] = accumulate ? dx[i] + g : g;
    }
}

// ---- layout -------------------------------------------------------------------------------------
struct Permutation {          // out (dense, permuted shape) from x: srcStride[k] = x stride of out dim k
    int rank;
    int outShape[MAX_RANK];
    int srcStride[MAX_RANK];
};

__global__ void permute(const float* x, float* out, long long n, Permutation p) {
    GRID_LOOP(i, n) {
        long long rem = i, so = 0;
        for (int k = p.rank - 1; k >= 0; k--) {
            long long q = rem / p.outShape[k];
            so += (rem - q * p.outShape[k]) * p.srcStride[k];
            rem = q;
        }
        out[i] = x[so];
    }
}

/** out[o, i, :] = x[o, index[i], :] for x of [outer, rowsIn, inner]. */
__global__ void gather_rows(const float* x, const int* index, int outer, int rowsIn, int rowsOut, int inner, float* out) {
    long long n = (long long)outer * rowsOut * inner;
    GRID_LOOP(t, n) {
        long long row = t / inner, j = t - row * inner;
        long long o = row / rowsOut, i = row - o * rowsOut;
        out[t] = x[(o * rowsIn + index[i]) * inner + j];
    }
}

/**
 * dx[o, r, :] += dy[o, i, :] for every i with index[i] = r, in increasing i (the CPU's order):
 * the inverse index comes as CSR, sources[start[r] .. start[r+1]). No atomics, deterministic.
 */
__global__ void scatter_add_rows(const float* dy, const int* start, const int* sources, int outer, int rowsIn,
                                 int rowsOut, int inner, float* dx) {
    long long n = (long long)outer * rowsIn * inner;
    GRID_LOOP(t, n) {
        long long row = t / inner, j = t - row * inner;
        long long o = row / rowsIn, r = row - o * rowsIn;
        float acc = dx[t];
        for (int k = start[r]; k < start[r + 1]; k++) acc += dy[(o * rowsOut + sources[k]) * inner + j];
        dx[t] = acc;
    }
}

// ---- optimisers ---------------------------------------------------------------------------------
/** torch.optim.AdamW; stepSize = lr/(1-β1^t), bc2Sqrt = sqrt(1-β2^t), decay = 1 - lr·wd (from the host). */
__global__ void adamw(float* p, const float* g, float* m, float* v, long long n, float decay, float beta1,
                      float beta2, float stepSize, float bc2Sqrt, float eps) {
    GRID_LOOP(i, n) {
        float gi = g[i];
        float pi = p[i] * decay;
        float mi = m[i] + (gi - m[i]) * (1.f - beta1);
        float vi = v[i] * beta2 + (1.f - beta2) * gi * gi;
        float denom = sqrtf(vi) / bc2Sqrt + eps;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi - stepSize * mi / denom;
    }
}

/** torch.optim.SGD; buf may be null when momentum is 0. */
__global__ void sgd(float* p, const float* g, float* buf, long long n, float lr, float momentum, float dampening,
                    float weightDecay, int nesterov, int first) {
    GRID_LOOP(i, n) {
        float gi = g[i] + weightDecay * p[i];
        if (momentum != 0.f) {
            float b = first ? gi : momentum * buf[i] + (1.f - dampening) * gi;
            buf[i] = b;
            gi = nesterov ? gi + momentum * b : b;
        }
        p[i] -= lr * gi;
    }
}

} // extern "C"
