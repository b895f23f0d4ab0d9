package org.vitarena.backend.cuda;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.BackendOptions;
import org.vitarena.core.backend.BinaryOp;
import org.vitarena.core.backend.Storage;
import org.vitarena.core.backend.UnaryOp;
import org.vitarena.core.cpu.CpuBackend;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every kernel of the CUDA backend against the CPU backend (the reference, written independently),
 * on the same random inputs. Needs an NVIDIA GPU; skipped with the reason elsewhere.
 * Tolerance: |gpu − cpu| ≤ atol + rtol·|cpu|, printed as maxdiff per kernel.
 */
class CudaBackendTest {
    private static Backend gpu;
    private static final CpuBackend cpu = CpuBackend.INSTANCE;
    private final Random rnd = new Random(11);

    private static String unavailable;

    @BeforeAll
    static void open() {
        unavailable = new CudaProvider().unavailableReason();
        if (unavailable == null) gpu = CudaBackend.open(BackendOptions.defaults(), System.out::println);
    }

    @BeforeEach
    void needsGpu() {
        assumeTrue(unavailable == null, "GPU test skipped: cuda unavailable (" + unavailable + ")");
    }

    private float[] rand(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian() * scale;
        return v;
    }

    private float[] rand(int n) { return rand(n, 1f); }

    /** A pair of storages with the same contents, one per backend. */
    private record Pair(Storage c, Storage g) {}

    private static Pair pair(float[] v) { return new Pair(cpu.upload(v), gpu.upload(v)); }

    private static void check(String what, Pair p, float atol, float rtol) {
        float[] want = cpu.download(p.c()), got = gpu.download(p.g());
        assertEquals(want.length, got.length, what);
        double max = 0;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(want[i] - got[i]);
            max = Math.max(max, d);
            if (!(d <= atol + rtol * Math.abs(want[i])))
                throw new AssertionError(what + ": at " + i + " cpu " + want[i] + " gpu " + got[i]);
        }
        System.out.printf("%-28s maxdiff %.3e%n", what, max);
    }

    @Test
    void memoryKernels() {
        float[] x = rand(10_000);
        Pair a = pair(x);
        check("upload/download", a, 0, 0);
        Pair f = pair(new float[777]);
        cpu.fill(f.c(), 2.5f);
        gpu.fill(f.g(), 2.5f);
        check("fill", f, 0, 0);
        Pair d = pair(rand(10_000));
        cpu.copy(a.c(), 13, d.c(), 100, 5000);
        gpu.copy(a.g(), 13, d.g(), 100, 5000);
        check("copy", d, 0, 0);
        for (boolean acc : new boolean[]{false, true}) {
            Pair t = pair(rand(3000));
            cpu.copyBlocks(a.c(), 7, 50, t.c(), 3, 60, 40, 45, acc);
            gpu.copyBlocks(a.g(), 7, 50, t.g(), 3, 60, 40, 45, acc);
            check("copyBlocks acc=" + acc, t, 0, 0);
        }
        Pair y = pair(rand(10_000));
        cpu.axpy(0.3f, a.c(), y.c());
        gpu.axpy(0.3f, a.g(), y.g());
        check("axpy", y, 1e-6f, 1e-6f);
        cpu.scale(y.c(), -1.7f, y.c());
        gpu.scale(y.g(), -1.7f, y.g());
        check("scale in place", y, 1e-6f, 1e-6f);
        float[] big = rand(3_000_001);
        double want = cpu.sumSquares(cpu.upload(big)), got = gpu.sumSquares(gpu.upload(big));
        assertEquals(want, got, 1e-9 * want, "sumSquares");
    }

    @Test
    void gemmEveryTransposeAndBatch() {
        for (boolean ta : new boolean[]{false, true})
            for (boolean tb : new boolean[]{false, true})
                for (boolean acc : new boolean[]{false, true})
                    for (int batch : new int[]{1, 4}) {
                        int m = 37, n = 53, k = 71;
                        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
                        int sa = (ta ? k : m) * lda + 5, sb = (tb ? n : k) * ldb, sc = m * ldc + 1;
                        Pair a = pair(rand(2 + batch * sa)), b = pair(rand(1 + batch * sb)), c = pair(rand(4 + batch * sc));
                        cpu.gemm(batch, ta, tb, m, n, k, a.c(), 2, lda, sa, b.c(), 1, ldb, sb, c.c(), 4, ldc, sc, acc);
                        gpu.gemm(batch, ta, tb, m, n, k, a.g(), 2, lda, sa, b.g(), 1, ldb, sb, c.g(), 4, ldc, sc, acc);
                        check("gemm ta=" + ta + " tb=" + tb + " acc=" + acc + " b=" + batch, c, 1e-4f, 1e-4f);
                    }
        // stride 0: one A for every batch item (a shared weight)
        Pair a = pair(rand(20 * 30)), b = pair(rand(3 * 30 * 10)), c = pair(new float[3 * 20 * 10]);
        cpu.gemm(3, false, false, 20, 10, 30, a.c(), 0, 30, 0, b.c(), 0, 10, 300, c.c(), 0, 10, 200, false);
        gpu.gemm(3, false, false, 20, 10, 30, a.g(), 0, 30, 0, b.g(), 0, 10, 300, c.g(), 0, 10, 200, false);
        check("gemm strideA=0", c, 1e-4f, 1e-4f);
    }

    @Test
    void biasAndRowSums() {
        int rows = 1000, cols = 768;
        Pair out = pair(rand(rows * cols)), bias = pair(rand(cols));
        cpu.addRowVector(out.c(), bias.c(), rows, cols);
        gpu.addRowVector(out.g(), bias.g(), rows, cols);
        check("addRowVector", out, 0, 0);
        Pair db = pair(rand(cols));
        cpu.sumRowsInto(out.c(), rows, cols, db.c());
        gpu.sumRowsInto(out.g(), rows, cols, db.g());
        check("sumRowsInto", db, 1e-3f, 1e-4f);
    }

    @Test
    void binaryAndSumToWithBroadcasting() {
        int[] shape = {4, 5, 6};
        for (BinaryOp op : BinaryOp.values()) {
            Pair a = pair(rand(120)), b = pair(rand(6, 1f)), out = pair(new float[120]);
            int[] as = {30, 6, 1}, bs = {0, 0, 1};
            if (op == BinaryOp.DIV) { // keep divisors away from 0
                float[] v = rand(6);
                for (int i = 0; i < 6; i++) v[i] = 1.5f + Math.abs(v[i]);
                b = pair(v);
            }
            cpu.binary(op, a.c(), as, b.c(), bs, out.c(), shape);
            gpu.binary(op, a.g(), as, b.g(), bs, out.g(), shape);
            check("binary broadcast " + op, out, 0, 0);
            Pair dense = pair(new float[120]), b2 = pair(rand(120));
            cpu.binary(op, a.c(), as, op == BinaryOp.DIV ? a.c() : b2.c(), as, dense.c(), shape);
            gpu.binary(op, a.g(), as, op == BinaryOp.DIV ? a.g() : b2.g(), as, dense.g(), shape);
            check("binary dense " + op, dense, 0, 0);
        }
        // transposed a: strides of a permuted view
        Pair a = pair(rand(120)), b = pair(rand(120)), out = pair(new float[120]);
        cpu.binary(BinaryOp.ADD, a.c(), new int[]{1, 4, 20}, b.c(), new int[]{30, 6, 1}, out.c(), shape);
        gpu.binary(BinaryOp.ADD, a.g(), new int[]{1, 4, 20}, b.g(), new int[]{30, 6, 1}, out.g(), shape);
        check("binary strided", out, 0, 0);
        int[][] outStrides = {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {30, 6, 1}, {6, 0, 1}};
        int[] outSizes = {6, 4, 5, 120, 24};
        for (int t = 0; t < outStrides.length; t++) {
            Pair x = pair(rand(120)), o = pair(rand(outSizes[t]));
            cpu.sumTo(x.c(), shape, o.c(), outStrides[t]);
            gpu.sumTo(x.g(), shape, o.g(), outStrides[t]);
            check("sumTo " + java.util.Arrays.toString(outStrides[t]), o, 1e-5f, 1e-5f);
        }
        Pair x = pair(rand(64 * 197 * 40)), o = pair(rand(40));
        int[] big = {64, 197, 40};
        cpu.sumTo(x.c(), big, o.c(), new int[]{0, 0, 1});
        gpu.sumTo(x.g(), big, o.g(), new int[]{0, 0, 1});
        check("sumTo bias (column path)", o, 1e-3f, 1e-4f);
        o = pair(rand(64));
        cpu.sumTo(x.c(), big, o.c(), new int[]{1, 0, 0});
        gpu.sumTo(x.g(), big, o.g(), new int[]{1, 0, 0});
        check("sumTo leading (block path)", o, 1e-3f, 1e-4f);
    }

    @Test
    void activationsForwardAndBackward() {
        float[] x = rand(50_000, 3f);
        for (UnaryOp op : UnaryOp.values()) {
            float[] xv = x.clone();
            if (op == UnaryOp.SQRT) for (int i = 0; i < xv.length; i++) xv[i] = Math.abs(xv[i]) + 0.01f;
            Pair in = pair(xv), out = pair(new float[xv.length]);
            cpu.unary(op, in.c(), out.c());
            gpu.unary(op, in.g(), out.g());
            check("unary " + op, out, 1e-6f, 2e-6f);
            for (boolean acc : new boolean[]{false, true}) {
                Pair dy = pair(rand(xv.length)), dx = pair(rand(xv.length));
                cpu.unaryBackward(op, in.c(), dy.c(), dx.c(), acc);
                gpu.unaryBackward(op, in.g(), dy.g(), dx.g(), acc);
                check("unaryBackward " + op + " acc=" + acc, dx, 1e-6f, 2e-6f);
            }
        }
    }

    @Test
    void layoutKernels() {
        int[] shape = {2, 3, 4, 5, 6};
        int[] perm = {0, 3, 1, 4, 2};
        Pair x = pair(rand(720)), out = pair(new float[720]);
        cpu.permute(x.c(), shape, perm, out.c());
        gpu.permute(x.g(), shape, perm, out.g());
        check("permute", out, 0, 0);
        int outer = 3, rowsIn = 7, inner = 5;
        int[] index = {6, 0, 0, 3, 6, 6, 1, 2, 5, 4, 3};
        Pair src = pair(rand(outer * rowsIn * inner)), g = pair(new float[outer * index.length * inner]);
        cpu.gather(src.c(), outer, rowsIn, inner, index, g.c());
        gpu.gather(src.g(), outer, rowsIn, inner, index, g.g());
        check("gather", g, 0, 0);
        Pair dy = pair(rand(outer * index.length * inner)), dx = pair(rand(outer * rowsIn * inner));
        cpu.scatterAdd(dy.c(), outer, rowsIn, inner, index, dx.c());
        gpu.scatterAdd(dy.g(), outer, rowsIn, inner, index.clone(), dx.g());
        check("scatterAdd", dx, 0, 0);
    }

    @Test
    void layerNormForwardAndBackward() {
        for (int cols : new int[]{7, 192, 1024, 1536}) {
            int rows = 301;
            Pair x = pair(rand(rows * cols, 2f)), w = pair(rand(cols)), b = pair(rand(cols));
            Pair y = pair(new float[rows * cols]), mean = pair(new float[rows]), rstd = pair(new float[rows]);
            cpu.layerNorm(x.c(), w.c(), b.c(), rows, cols, 1e-6f, y.c(), mean.c(), rstd.c());
            gpu.layerNorm(x.g(), w.g(), b.g(), rows, cols, 1e-6f, y.g(), mean.g(), rstd.g());
            check("layerNorm C=" + cols, y, 1e-5f, 1e-5f);
            check("layerNorm mean C=" + cols, mean, 1e-6f, 1e-5f);
            check("layerNorm rstd C=" + cols, rstd, 1e-6f, 1e-5f);
            Pair dy = pair(rand(rows * cols)), dx = pair(rand(rows * cols)), dw = pair(rand(cols)), db = pair(rand(cols));
            cpu.layerNormBackward(dy.c(), x.c(), w.c(), mean.c(), rstd.c(), rows, cols, dx.c(), dw.c(), db.c());
            gpu.layerNormBackward(dy.g(), x.g(), w.g(), mean.g(), rstd.g(), rows, cols, dx.g(), dw.g(), db.g());
            check("layerNormBackward dx C=" + cols, dx, 1e-5f, 1e-4f);
            check("layerNormBackward dw C=" + cols, dw, 1e-3f, 1e-4f);
            check("layerNormBackward db C=" + cols, db, 1e-3f, 1e-4f);
        }
        // no bias, dx only
        int rows = 10, cols = 64;
        Pair x = pair(rand(rows * cols)), w = pair(rand(cols)), y = pair(new float[rows * cols]);
        Pair mean = pair(new float[rows]), rstd = pair(new float[rows]);
        cpu.layerNorm(x.c(), w.c(), null, rows, cols, 1e-5f, y.c(), mean.c(), rstd.c());
        gpu.layerNorm(x.g(), w.g(), null, rows, cols, 1e-5f, y.g(), mean.g(), rstd.g());
        check("layerNorm no bias", y, 1e-5f, 1e-5f);
    }

    @Test
    void softmaxAndCrossEntropy() {
        for (int cols : new int[]{1, 49, 144, 577, 1000}) {
            int rows = 257;
            Pair x = pair(rand(rows * cols, 4f)), y = pair(new float[rows * cols]);
            cpu.softmax(x.c(), rows, cols, y.c());
            gpu.softmax(x.g(), rows, cols, y.g());
            check("softmax C=" + cols, y, 1e-7f, 1e-5f);
            for (boolean acc : new boolean[]{false, true}) {
                Pair dy = pair(rand(rows * cols)), dx = pair(rand(rows * cols));
                cpu.softmaxBackward(y.c(), dy.c(), rows, cols, dx.c(), acc);
                gpu.softmaxBackward(y.g(), dy.g(), rows, cols, dx.g(), acc);
                check("softmaxBackward C=" + cols + " acc=" + acc, dx, 1e-6f, 1e-5f);
            }
        }
        int rows = 32, cols = 200;
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) { // soft targets: label smoothing plus a mixup pair
            for (int c = 0; c < cols; c++) t[r * cols + c] = 0.1f / cols;
            t[r * cols + rnd.nextInt(cols)] += 0.6f;
            t[r * cols + rnd.nextInt(cols)] += 0.3f;
        }
        Pair logits = pair(rand(rows * cols, 3f)), targets = pair(t), probs = pair(new float[rows * cols]), loss = pair(new float[1]);
        cpu.crossEntropy(logits.c(), targets.c(), rows, cols, probs.c(), loss.c());
        gpu.crossEntropy(logits.g(), targets.g(), rows, cols, probs.g(), loss.g());
        check("crossEntropy loss", loss, 1e-5f, 1e-5f);
        check("crossEntropy probs", probs, 1e-7f, 1e-5f);
        Pair dloss = pair(new float[]{0.7f});
        for (boolean acc : new boolean[]{false, true}) {
            Pair dl = pair(rand(rows * cols));
            cpu.crossEntropyBackward(probs.c(), targets.c(), dloss.c(), rows, cols, dl.c(), acc);
            gpu.crossEntropyBackward(probs.g(), targets.g(), dloss.g(), rows, cols, dl.g(), acc);
            check("crossEntropyBackward acc=" + acc, dl, 1e-7f, 1e-5f);
        }
    }

    @Test
    void optimisers() {
        int n = 100_003;
        Pair p = pair(rand(n)), m = pair(new float[n]), v = pair(new float[n]);
        for (int step = 1; step <= 5; step++) {
            Pair g = pair(rand(n));
            cpu.adamw(p.c(), g.c(), m.c(), v.c(), 1e-3f, 0.9f, 0.999f, 1e-8f, 0.05f, step);
            gpu.adamw(p.g(), g.g(), m.g(), v.g(), 1e-3f, 0.9f, 0.999f, 1e-8f, 0.05f, step);
        }
        check("adamw param", p, 1e-6f, 1e-6f);
        check("adamw m", m, 1e-7f, 1e-6f);
        check("adamw v", v, 1e-7f, 1e-6f);
        for (boolean nesterov : new boolean[]{false, true}) {
            Pair q = pair(rand(n)), buf = pair(new float[n]);
            for (int step = 0; step < 3; step++) {
                Pair g = pair(rand(n));
                cpu.sgd(q.c(), g.c(), buf.c(), 0.1f, 0.9f, 0.1f, 1e-4f, nesterov, step == 0);
                gpu.sgd(q.g(), g.g(), buf.g(), 0.1f, 0.9f, 0.1f, 1e-4f, nesterov, step == 0);
            }
            check("sgd nesterov=" + nesterov, q, 1e-6f, 1e-6f);
        }
        Pair q = pair(rand(n)), g = pair(rand(n));
        cpu.sgd(q.c(), g.c(), null, 0.1f, 0f, 0f, 0f, false, true);
        gpu.sgd(q.g(), g.g(), null, 0.1f, 0f, 0f, 0f, false, true);
        check("sgd no momentum", q, 1e-6f, 1e-6f);
    }
}
