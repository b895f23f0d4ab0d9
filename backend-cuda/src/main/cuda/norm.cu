// Row-wise kernels: LayerNorm, softmax and cross-entropy, each forward next to its backward.
// One block per row (grid-stride over rows); blockDim.x a multiple of 32.
// Legend: R rows, C columns (the normalised / softmaxed axis).
#include "reduce.cuh"

extern "C" {

/** y = (x-mean)·rstd·w (+ b); saves mean and rstd per row. b may be null. */
__global__ void layer_norm(const float* x, const float* w, const float* b, int rows, int cols, float eps,
                           float* y, float* mean, float* rstd) {
    __shared__ float scratch[32];
    ROW_LOOP(r, rows) {
        const float* xr = x + (long long)r * cols;
        float s = 0.f;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) s += xr[c];
        float mu = block_sum(s, scratch) / cols;
        float v = 0.f;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) { float t = xr[c] - mu; v += t * t; }
        float rs = 1.f / sqrtf(block_sum(v, scratch) / cols + eps);
        if (threadIdx.x == 0) { mean[r] = mu; rstd[r] = rs; }
        float* yr = y + (long long)r * cols;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) {
            float o = (xr[c] - mu) * rs * w[c];
            yr[c] = b ? o + b[c] : o;
        }
    }
}

/** dx += rstd·(dy·w − mean(dy·w) − x̂·mean(dy·w·x̂)) per row. */
__global__ void layer_norm_backward_dx(const float* dy, const float* x, const float* w, const float* mean,
                                       const float* rstd, int rows, int cols, float* dx) {
    __shared__ float scratch[32];
    ROW_LOOP(r, rows) {
        long long off = (long long)r * cols;
        float mu = mean[r], rv = rstd[r];
        float sg = 0.f, sgx = 0.f;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) {
            float gw = dy[off + c] * w[c];
            sg += gw;
            sgx += gw * (x[off + c] - mu) * rv;
        }
        float meanG = block_sum(sg, scratch) / cols;
        float meanGX = block_sum(sgx, scratch) / cols;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) {
            float xhat = (x[off + c] - mu) * rv;
            dx[off + c] += rv * (dy[off + c] * w[c] - meanG - xhat * meanGX);
        }
    }
}

/**
 * Column partial sums for dw and db: pw[chunk, c] = Σ dy·x̂, pb[chunk, c] = Σ dy over the chunk's rows.
 * Block (32, 8), grid (ceil(C/32), chunks); col_sum_finish adds the chunks.
 */
__global__ void layer_norm_backward_dwdb(const float* dy, const float* x, const float* mean, const float* rstd,
                                         int rows, int cols, int rowsPerChunk, float* pw, float* pb) {
    __shared__ float tw[8][33], tb[8][33];
    int c = blockIdx.x * 32 + threadIdx.x;
    int r0 = blockIdx.y * rowsPerChunk, r1 = min(rows, r0 + rowsPerChunk);
    float sw = 0.f, sb = 0.f;
    if (c < cols)
        for (int r = r0 + threadIdx.y; r < r1; r += 8) {
            long long i = (long long)r * cols + c;
            sw += dy[i] * (x[i] - mean[r]) * rstd[r];
            sb += dy[i];
        }
    tw[threadIdx.y][threadIdx.x] = sw;
    tb[threadIdx.y][threadIdx.x] = sb;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
        float a = 0.f, bb = 0.f;
        for (int k = 0; k < 8; k++) { a += tw[k][threadIdx.x]; bb += tb[k][threadIdx.x]; }
        pw[(long long)blockIdx.y * cols + c] = a;
        pb[(long long)blockIdx.y * cols + c] = bb;
    }
}

/** Stable softmax over each row. */
__global__ void softmax(const float* x, int rows, int cols, float* y) {
    __shared__ float scratch[32];
    ROW_LOOP(r, rows) {
        const float* xr = x + (long long)r * cols;
        float* yr = y + (long long)r * cols;
        float m = -INFINITY;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) m = fmaxf(m, xr[c]);
        m = block_max(m, scratch);
        float s = 0.f;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) { float e = expf(xr[c] - m); yr[c] = e; s += e; }
        s = block_sum(s, scratch);
        for (int c = threadIdx.x; c < cols; c += blockDim.x) yr[c] = yr[c] / s;
    }
}

/** dx (+)= y ⊙ (dy − Σ dy·y). */
__global__ void softmax_backward(const float* y, const float* dy, int rows, int cols, float* dx, int accumulate) {
    __shared__ float scratch[32];
    ROW_LOOP(r, rows) {
        long long off = (long long)r * cols;
        float d = 0.f;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) d += dy[off + c] * y[off + c];
        d = block_sum(d, scratch);
        for (int c = threadIdx.x; c < cols; c += blockDim.x) {
            float g = y[off + c] * (dy[off + c] - d);
            dx[off + c] = accumulate ? dx[off + c] + g : g;
        }
    }
}

/** Per row: probs = softmax(x), rowLoss = −Σ t·log softmax(x). cross_entropy_mean finishes the loss. */
__global__ void cross_entropy_rows(const float* x, const float* t, int rows, int cols, float* probs, float* rowLoss) {
    __shared__ float scratch[32];
    ROW_LOOP(r, rows) {
        long long off = (long long)r * cols;
        float m = -INFINITY;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) m = fmaxf(m, x[off + c]);
        m = block_max(m, scratch);
        float s = 0.f;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) s += expf(x[off + c] - m);
        float logSum = logf(block_sum(s, scratch)) + m;
        float l = 0.f;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) {
            float logp = x[off + c] - logSum;
            probs[off + c] = expf(logp);
            l -= t[off + c] * logp;
        }
        l = block_sum(l, scratch);
        if (threadIdx.x == 0) rowLoss[r] = l;
    }
}

/** loss[0] = mean of rowLoss; one block. */
__global__ void cross_entropy_mean(const float* rowLoss, int rows, float* loss) {
    __shared__ double scratch[32];
    double s = 0;
    for (int r = threadIdx.x; r < rows; r += blockDim.x) s += rowLoss[r];
    s = block_sum_d(s, scratch);
    if (threadIdx.x == 0) loss[0] = (float)(s / rows);
}

/** dlogits (+)= (probs − targets)·dloss[0]/R. */
__global__ void cross_entropy_backward(const float* probs, const float* t, const float* dloss, int rows, long long n,
                                       float* dx, int accumulate) {
    float s = dloss[0] / rows;
    GRID_LOOP(i, n) {
        float v = (probs[i] - t[i]) * s;
        dx[i] = accumulate ? dx[i] + v : v;
    }
}

} // extern "C"
