package org.vitarena.core.backend;

/**
 * How {@code sumTo} runs: out[idx·outStrides] += x[idx] over a dense x of {@code xShape}. The
 * dimensions of x (those larger than 1) split into kept ones (out stride ≠ 0), which index the
 * output, and reduced ones (out stride 0), which are summed. When every reduced dimension comes
 * before every kept one and out is dense over the kept ones — a bias gradient, the commonest case —
 * x is an R×C matrix and the sum is a column sum ({@link #columnRows} = R > 0). Shared by the
 * CPU backend and the CUDA kernels (whose {@code Reduction} struct is {@link #struct}). More
 * generally, when no reduced dimension sits between two kept ones and out is dense over the kept
 * ones — a per-channel scale of [B, C, H, W], {@code x * alpha + beta} — x is an R×K×T block
 * (R leading reduced, K kept, T trailing reduced: {@link #trailing} = T) summed over R and T.
 *
 * @param kept      number of output elements written (K)
 * @param reduced   number of x elements summed into each (R·T)
 * @param columnRows R for the column-sum path (T = 1), else 0
 * @param trailing  T for the R×K×T path (1: the column-sum path), else 0
 */
public record SumToPlan(int keptRank, int[] keptShape, int[] keptX, int[] keptOut,
                 int redRank, int[] redShape, int[] redX, long kept, long reduced, int columnRows, int trailing) {

    public static SumToPlan of(int[] xShape, int[] outStrides) {
        int rank = xShape.length;
        int[] xStrides = new int[rank];
        int acc = 1;
        for (int d = rank - 1; d >= 0; d--) {
            xStrides[d] = acc;
            acc *= xShape[d];
        }
        int[] ks = new int[rank], kx = new int[rank], ko = new int[rank], rs = new int[rank], rx = new int[rank];
        int kr = 0, rr = 0;
        long kept = 1, reduced = 1;
        long trailing = 1;            // reduced elements after the first kept dimension
        boolean interleaved = false;  // a reduced dimension between two kept ones
        for (int d = 0; d < rank; d++) {
            if (xShape[d] == 0) return new SumToPlan(0, ks, kx, ko, 0, rs, rx, 0, 0, 0, 0);
            if (xShape[d] == 1) continue;
            if (outStrides[d] != 0) {
                if (trailing > 1) interleaved = true;
                ks[kr] = xShape[d];
                kx[kr] = xStrides[d];
                ko[kr++] = outStrides[d];
                kept *= xShape[d];
            } else {
                if (kr > 0) trailing *= xShape[d];
                rs[rr] = xShape[d];
                rx[rr++] = xStrides[d];
                reduced *= xShape[d];
            }
        }
        boolean outDense = true;
        long want = 1;
        for (int k = kr - 1; k >= 0; k--) {
            if (ko[k] != want) outDense = false;
            want *= ks[k];
        }
        boolean block = !interleaved && outDense && reduced <= Integer.MAX_VALUE && kept <= Integer.MAX_VALUE;
        int columnRows = block && trailing == 1 ? (int) reduced : 0;
        return new SumToPlan(kr, ks, kx, ko, rr, rs, rx, kept, reduced, columnRows, block ? (int) trailing : 0);
    }

    /** The kernel's {@code Reduction} struct: keptRank, keptShape[R], keptX[R], keptOut[R], redRank, redShape[R], redX[R]. */
    public int[] struct(int maxRank) {
        int[] s = new int[2 + 5 * maxRank];
        s[0] = keptRank;
        for (int k = 0; k < keptRank; k++) {
            s[1 + k] = keptShape[k];
            s[1 + maxRank + k] = keptX[k];
            s[1 + 2 * maxRank + k] = keptOut[k];
        }
        int base = 1 + 3 * maxRank;
        s[base] = redRank;
        for (int k = 0; k < redRank; k++) {
            s[base + 1 + k] = redShape[k];
            s[base + 1 + maxRank + k] = redX[k];
        }
        return s;
    }
}
