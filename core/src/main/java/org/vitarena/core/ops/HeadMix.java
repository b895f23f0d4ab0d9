package org.vitarena.core.ops;

import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.BinaryOp;
import org.vitarena.core.backend.Storage;

import java.util.Arrays;

/**
 * A linear map across the head dimension of a per-head tensor, without moving the heads last:
 * talking-heads attention's {@code proj_l} / {@code proj_w} (nn.Linear(H, H) applied to the
 * attention map [B, H, N, M] over H). Legend: B batch, H input heads, G output heads, S the
 * per-head elements (N·M for an attention map), P batch items per product, T splits of S.
 *
 * <p>Built from {@link Backend} kernels only (products batched over B with the weight shared by a
 * zero stride, row sums, copies), so device backends run it unchanged. It replaces
 * permute → nn.Linear → permute, whose products had K = 4 and N = 4 for CaiT's 4 heads and whose
 * two layout copies each had a full-size backward. The shapes are chosen for the CPU product's
 * 8-row × 32-column register tile, which a [4, S] or [4, 4] result would mostly leave empty: P
 * batch items are mixed at once by a block-diagonal weight (P·G = 8 rows), and the weight gradient
 * splits S into T blocks (T·H = 32 columns) and keeps the diagonal blocks. A backend with direct
 * kernels (the CPU's) computes the output and the input gradient in one streaming pass
 * ({@link Backend#headMix}) and only the diagonal blocks of the weight gradient
 * ({@link Backend#headMixWeightGrad}), with the same bits.
 */
public final class HeadMix {
    private HeadMix() {}

    /**
     * out[b, g, s] = Σ_h W[g, h]·x[b, h, s] + bias[g].
     *
     * @param x      [B, H, ...] (every dimension after the second is flattened into S)
     * @param weight [G, H], nn.Linear's layout
     * @param bias   [G] or null
     * @return [B, G, ...]
     *
     * <p>Backward: dx[b] = Wᵀ·dout[b]; dW = Σ_b dout[b]·x[b]ᵀ; dbias[g] = Σ_{b,s} dout[b, g, s].
     * One graph node; x is kept for dW, nothing else of size B·H·S. Buffers that a product or copy
     * overwrites whole are drawn {@link Tensor#empty}: zero-filling the [B, H, N·N] maps cost about
     * 4% of a cait_demo training step.
     */
    public static Tensor apply(Tensor x, Tensor weight, Tensor bias) {
        return apply(x, weight, bias, true);
    }

    /**
     * {@link #apply(Tensor, Tensor, Tensor)}; with {@code direct} false, the output and every
     * gradient always come from the composed products, not from the backend's
     * {@link Backend#headMix} and {@link Backend#headMixWeightGrad} (tests compare the two bit for bit).
     */
    static Tensor apply(Tensor x, Tensor weight, Tensor bias, boolean direct) {
        if (x.rank() < 2 || weight.rank() != 2 || weight.dim(1) != x.dim(1)
                || (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0)))) {
            throw new IllegalArgumentException("head mix: x " + Arrays.toString(x.shape()) + ", weight " + Arrays.toString(weight.shape())
                    + (bias == null ? "" : ", bias " + Arrays.toString(bias.shape())) + ": need x [B, H, ...], weight [G, H], bias [G]");
        }
        final int b = x.dim(0), h = x.dim(1), g = weight.dim(0), s = x.size() / (b * h);
        final int[] outShape = x.shape();
        outShape[1] = g;
        Backend be = x.backend();
        final int p = itemsPerProduct(b, g);
        final int pg = p * g, ph = p * h;
        Tensor out = Tensor.empty(outShape); // every element is written by the first product
        if (!(direct && be.headMix(x.storage(), weight.storage(), bias == null ? null : bias.storage(), b, h, g, s, false, out.storage()))) {
            // P items at once: [x[b]; ...; x[b+P-1]] is one [P·H, S] matrix, mixed by blockdiag(W, ..., W) [P·G, P·H]
            Tensor wBlocks = p == 1 ? weight : blockDiagonal(weight, p);
            if (bias != null) { // out[b, g, :] = bias[g] (a product with a row of ones), then the mix accumulates onto it
                Tensor biasBlocks = bias;
                if (p > 1) {
                    biasBlocks = Tensor.empty(pg);
                    be.copyBlocks(bias.storage(), 0, 0, biasBlocks.storage(), 0, g, p, g, false);
                }
                Tensor ones = Tensor.full(1f, s);
                be.gemm(b / p, false, false, pg, s, 1, biasBlocks.storage(), 0, 1, 0, ones.storage(), 0, s, 0, out.storage(), 0, s, pg * s, false);
            }
            be.gemm(b / p, false, false, pg, s, ph, wBlocks.storage(), 0, ph, 0, x.storage(), 0, s, ph * s, out.storage(), 0, s, pg * s, bias != null);
        }
        return Tensor.record("headMix", out, dOut -> {
            Storage gs = dOut.storage();
            Tensor dx = null, dw = null, db = null;
            if (x.needsGrad()) {
                dx = Tensor.empty(x.shape());
                if (!(direct && be.headMix(gs, weight.storage(), null, b, g, h, s, true, dx.storage()))) {
                    Tensor wBlocks = p == 1 ? weight : blockDiagonal(weight, p);
                    be.gemm(b / p, true, false, ph, s, pg, wBlocks.storage(), 0, ph, 0, gs, 0, s, pg * s, dx.storage(), 0, s, ph * s, false);
                }
            }
            if (weight.needsGrad()) dw = weightGrad(be, gs, x.storage(), b, g, h, s, direct);
            if (bias != null && bias.needsGrad()) {
                Tensor overB = Tensor.zeros(g, s); // Σ_b dout[b], then row sums as a product with ones
                be.sumRowsInto(gs, b, g * s, overB.storage());
                Tensor ones = Tensor.full(1f, s);
                db = Tensor.empty(g);
                be.gemm(1, false, false, g, 1, s, overB.storage(), 0, s, 0, ones.storage(), 0, 1, 0, db.storage(), 0, 1, 0, false);
            }
            return new Tensor[]{dx, dw, db};
        }, x, weight, bias);
    }

    /** Items per product: enough that P·G fills a register tile's 8 rows, if P divides B. */
    private static int itemsPerProduct(int b, int g) {
        if (g <= 0 || g >= 8 || 8 % g != 0) return 1;
        int p = 8 / g;
        return b % p == 0 ? p : 1;
    }

    /** blockdiag(W, ..., W) with P blocks: [P·G, P·H]. */
    private static Tensor blockDiagonal(Tensor w, int p) {
        int g = w.dim(0), h = w.dim(1);
        Tensor out = Tensor.zeros(p * g, p * h);
        for (int i = 0; i < p; i++) {
            w.backend().copyBlocks(w.storage(), 0, h, out.storage(), i * g * p * h + i * h, p * h, g, h, false);
        }
        return out;
    }

    /**
     * dW = Σ_b dout[b]·x[b]ᵀ with S split in T row blocks: dout[b] read as [G·T, S/T] and x[b] as
     * [H·T, S/T] give one product [G·T, H·T] per item whose blocks t = t' sum to dW. T·H fills
     * the product's columns, which a [G, H] result would mostly leave empty.
     */
    private static Tensor weightGrad(Backend be, Storage dOut, Storage x, int b, int g, int h, int s, boolean direct) {
        int t = split(h, s);
        if (direct) {
            Tensor dw = Tensor.empty(g, h);
            if (be.headMixWeightGrad(dOut, x, b, g, h, s, t, dw.storage())) return dw;
        }
        int l = s / t, gt = g * t, ht = h * t;
        Tensor perItem = Tensor.empty(b, gt * ht);
        be.gemm(b, false, true, gt, ht, l, dOut, 0, l, g * s, x, 0, l, h * s, perItem.storage(), 0, ht, gt * ht, false);
        Tensor summed = Tensor.zeros(g, t, h, t);
        be.sumRowsInto(perItem.storage(), b, gt * ht, summed.storage());
        Tensor dw = Tensor.zeros(g, h);
        if (t == 1) {
            be.copy(summed.storage(), 0, dw.storage(), 0, g * h);
            return dw;
        }
        float[] eye = new float[t * t];
        for (int i = 0; i < t; i++) eye[i * t + i] = 1f;
        Tensor diag = Tensor.empty(g, t, h, t);
        int[] shape = {g, t, h, t};
        be.binary(BinaryOp.MUL, summed.storage(), new int[]{t * h * t, h * t, t, 1}, Tensor.of(eye, t, t).storage(), new int[]{0, t, 0, 1}, diag.storage(), shape);
        be.sumTo(diag.storage(), shape, dw.storage(), new int[]{h, 0, 1, 0});
        return dw;
    }

    /** T: the largest divisor of S with T·H ≤ 32. */
    private static int split(int h, int s) {
        for (int t = Math.max(1, 32 / h); t > 1; t--) if (s % t == 0) return t;
        return 1;
    }
}
