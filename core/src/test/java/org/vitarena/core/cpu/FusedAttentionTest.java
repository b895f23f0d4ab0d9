package org.vitarena.core.cpu;

import org.junit.jupiter.api.Test;
import org.vitarena.core.backend.BinaryOp;
import org.vitarena.core.backend.Storage;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU backend's fused attention forward and backward against the composed forms they replace
 * (one batched product per head, scale, broadcast add, softmax, one batched product per head, each
 * a CpuBackend kernel of its own; backward: dP, scale, softmax', then dq, dk, dv): the same bits,
 * output, attention weights (kept or not) and d(qkv), on small-path and packed-path shapes and
 * every bias layout the models use.
 * Legend: B items, N tokens, C channels, H heads, D head dim.
 */
class FusedAttentionTest {
    private static final CpuBackend BE = CpuBackend.INSTANCE;

    /** out and P of the composed forward. */
    private static float[][] composed(float[] qkv, int b, int n, int c, int h, float scale, float[] bias, int[] bs) {
        int d = c / h, ld = 3 * c;
        int[] shape = {b, h, n, n};
        Storage s = BE.upload(qkv);
        Storage logits = BE.allocate(b * h * n * n);
        for (int hi = 0; hi < h; hi++) {
            BE.gemm(b, false, true, n, n, d, s, hi * d, ld, n * ld, s, c + hi * d, ld, n * ld, logits, hi * n * n, n, h * n * n, false);
        }
        BE.scale(logits, scale, logits);
        if (bias != null) {
            Storage biased = BE.allocate(b * h * n * n);
            BE.binary(BinaryOp.ADD, logits, new int[]{h * n * n, n * n, n, 1}, BE.upload(bias), bs, biased, shape);
            logits = biased;
        }
        Storage p = BE.allocate(b * h * n * n);
        BE.softmax(logits, b * h * n, n, p);
        Storage out = BE.allocate(b * n * c);
        for (int hi = 0; hi < h; hi++) {
            BE.gemm(b, false, false, n, d, n, p, hi * n * n, n, h * n * n, s, 2 * c + hi * d, ld, n * ld, out, hi * d, c, n * c, false);
        }
        return new float[][]{BE.download(out), BE.download(p)};
    }

    /**
     * d(qkv) of the composed backward, and with {@code biasGrad} dL before the scale (as
     * AttentionOp orders it then: softmax' of dP as it is, dL kept for the bias, then scaled).
     */
    private static float[][] composedBackward(float[] qkv, float[] p, float[] dOut, int b, int n, int c, int h, float scale,
                                              boolean biasGrad) {
        int d = c / h, ld = 3 * c, nn = n * n;
        Storage s = BE.upload(qkv), ps = BE.upload(p), gs = BE.upload(dOut);
        Storage dP = BE.allocate(b * h * nn), dL = BE.allocate(b * h * nn), dqkv = BE.allocate(b * n * ld);
        for (int hi = 0; hi < h; hi++) {
            BE.gemm(b, false, true, n, n, d, gs, hi * d, c, n * c, s, 2 * c + hi * d, ld, n * ld, dP, hi * nn, n, h * nn, false);
        }
        float[] logitGrad = null;
        if (biasGrad) {
            BE.softmaxBackward(ps, dP, b * h * n, n, dL, false);
            logitGrad = BE.download(dL);
            BE.scale(dL, scale, dL);
        } else {
            BE.scale(dP, scale, dP);
            BE.softmaxBackward(ps, dP, b * h * n, n, dL, false);
        }
        for (int hi = 0; hi < h; hi++) {
            BE.gemm(b, false, false, n, d, n, dL, hi * nn, n, h * nn, s, c + hi * d, ld, n * ld, dqkv, hi * d, ld, n * ld, false);
            BE.gemm(b, true, false, n, d, n, dL, hi * nn, n, h * nn, s, hi * d, ld, n * ld, dqkv, c + hi * d, ld, n * ld, false);
            BE.gemm(b, true, false, n, d, n, ps, hi * nn, n, h * nn, gs, hi * d, c, n * c, dqkv, 2 * c + hi * d, ld, n * ld, false);
        }
        return new float[][]{BE.download(dqkv), logitGrad};
    }

    private static void check(int b, int n, int h, int d, int[] biasShape) {
        int c = h * d;
        SplittableRandom r = new SplittableRandom(1000L * n + 10L * d + h);
        float[] qkv = new float[b * n * 3 * c];
        for (int i = 0; i < qkv.length; i++) qkv[i] = (float) (r.nextDouble() * 4 - 2);
        float[] bias = null;
        int[] bs = null;
        if (biasShape != null) {
            int size = 1;
            for (int x : biasShape) size *= x;
            bias = new float[size];
            for (int i = 0; i < size; i++) bias[i] = (float) (r.nextDouble() * 2 - 1);
            // broadcast strides over [B, H, N, N], the bias's dimensions aligned to the right
            int[] full = {b, h, n, n};
            bs = new int[4];
            for (int i = 3, j = biasShape.length - 1, s = 1; i >= 0; i--, j--) {
                int dim = j >= 0 ? biasShape[j] : 1;
                bs[i] = dim == 1 && full[i] != 1 ? 0 : s;
                s *= dim;
            }
        }
        float scale = (float) Math.pow(d, -0.5);
        float[][] want = composed(qkv, b, n, c, h, scale, bias, bs);
        String what = "B=" + b + " N=" + n + " H=" + h + " D=" + d;
        Storage p = BE.allocate(b * h * n * n), out = BE.allocate(b * n * c);
        assertTrue(BE.attentionForward(BE.upload(qkv), b, n, c, h, scale, bias == null ? null : BE.upload(bias), bs, p, out));
        assertArrayEquals(want[0], BE.download(out), what + ": output, P kept");
        assertArrayEquals(want[1], BE.download(p), what + ": attention weights");
        Storage out2 = BE.allocate(b * n * c);
        assertTrue(BE.attentionForward(BE.upload(qkv), b, n, c, h, scale, bias == null ? null : BE.upload(bias), bs, null, out2));
        assertArrayEquals(want[0], BE.download(out2), what + ": output, P not kept");

        float[] dOut = new float[b * n * c];
        for (int i = 0; i < dOut.length; i++) dOut[i] = (float) (r.nextDouble() * 2 - 1);
        float[] wantGrad = composedBackward(qkv, want[1], dOut, b, n, c, h, scale, false)[0];
        Storage dqkv = BE.allocate(b * n * 3 * c);
        assertTrue(BE.attentionBackward(BE.upload(qkv), BE.upload(want[1]), BE.upload(dOut), b, n, c, h, scale, false,
                BE.allocate(b * h * n * n), dqkv));
        assertArrayEquals(wantGrad, BE.download(dqkv), what + ": d(qkv)");

        // the bias needing its gradient: the other order, and dL left for the bias
        float[][] wantWithBias = composedBackward(qkv, want[1], dOut, b, n, c, h, scale, true);
        Storage dqkv2 = BE.allocate(b * n * 3 * c), dL = BE.allocate(b * h * n * n);
        assertTrue(BE.attentionBackward(BE.upload(qkv), BE.upload(want[1]), BE.upload(dOut), b, n, c, h,
                scale, true, dL, dqkv2));
        assertArrayEquals(wantWithBias[0], BE.download(dqkv2), what + ": d(qkv), bias gradient needed");
        assertArrayEquals(wantWithBias[1], BE.download(dL), what + ": dL for the bias gradient");
    }

    @Test void windowsWithRelativePositionBias() {
        check(6, 16, 3, 32, new int[]{1, 3, 16, 16}); // Swin: one bias for every window
        check(4, 16, 2, 32, new int[]{4, 2, 16, 16}); // shifted windows: bias + mask per window
    }

    @Test void vitShapesTakeThePackedPath() {
        check(3, 65, 3, 64, null); // ViT-Tiny/8 at 64 px: N = 65 is past the small path's 64
        check(2, 66, 2, 64, new int[]{66});
    }

    @Test void oddSizesAndStridedBias() {
        check(2, 5, 2, 8, null);
        check(1, 17, 1, 24, new int[]{17, 1}); // one bias per row: column stride 0, the scalar loop
        check(3, 9, 4, 12, new int[]{3, 1, 9, 9});
    }

    @Test void declinesWhatSgemmWouldSplitAlongK() {
        Storage qkv = BE.allocate(1 * 2 * 3 * Gemm.KSPLIT_K), out = BE.allocate(2 * Gemm.KSPLIT_K);
        assertFalse(BE.attentionForward(qkv, 1, 2, Gemm.KSPLIT_K, 1, 1f, null, null, null, out));
        assertFalse(BE.attentionBackward(qkv, BE.allocate(4), out, 1, 2, Gemm.KSPLIT_K, 1, 1f, false, BE.allocate(4), BE.allocate(6 * Gemm.KSPLIT_K)));
        assertFalse(BE.attentionBackward(qkv, BE.allocate(4), out, 1, 2, Gemm.KSPLIT_K, 1, 1f, true, BE.allocate(4), BE.allocate(6 * Gemm.KSPLIT_K)));
    }
}
