package org.vitarena.backend.tornado;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.BackendOptions;
import org.vitarena.core.backend.BinaryOp;
import org.vitarena.core.backend.Storage;
import org.vitarena.core.backend.UnaryOp;
import org.vitarena.core.cpu.CpuBackend;

import java.util.Random;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kernel of the TornadoVM backend against the CPU reference on random inputs, forward and
 * backward, with odd sizes that do not fill a work-group. Tolerance: max|Δ| ≤ 1e-4·max|ref| + 1e-6
 * (tighter than the golden gradient bound); each comparison prints its maxdiff. Surefire runs with
 * {@code -Dtornado.recover.bailout=False}, so a kernel TornadoVM cannot compile fails here instead
 * of running on the host.
 */
class TornadoKernelsTest {
    static TornadoBackend gpu;
    static final Backend cpu = CpuBackend.INSTANCE;
    final Random rnd = new Random(42);

    @BeforeAll
    static void start() {
        gpu = new TornadoBackend(256);
    }

    @AfterAll
    static void stop() {
        gpu.close();
    }

    float[] rand(int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    /** The same host data on both backends. */
    record Pair(Storage c, Storage g) {}

    Pair pair(float[] host) {
        return new Pair(cpu.upload(host), gpu.upload(host));
    }

    Pair zeros(int n) {
        return new Pair(cpu.allocate(n), gpu.allocate(n));
    }

    static void close(String label, Pair p) {
        close(label, cpu.download(p.c), p.g.backend().download(p.g), 1e-4);
    }

    static void close(String label, float[] want, float[] got, double rel) {
        assertEquals(want.length, got.length, label + " length");
        double max = 0, diff = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i]));
            diff = Math.max(diff, Math.abs(want[i] - got[i]));
            if (Float.isNaN(got[i]) != Float.isNaN(want[i])) diff = Double.POSITIVE_INFINITY;
        }
        double tol = rel * max + 1e-6;
        System.out.printf("%-28s maxdiff %.3g  (tol %.3g, max|ref| %.3g)%n", label, diff, tol, max);
        assertTrue(diff <= tol, label + ": maxdiff " + diff + " > " + tol);
    }

    @Test
    void memory() {
        float[] host = rand(1000, 1);
        Pair a = pair(host);
        close("upload/download", host, gpu.download(a.g), 0);
        float[] big = rand((1 << 22) + 37, 1);
        close("upload/download chunked", big, gpu.download(gpu.upload(big)), 0);
        Pair b = zeros(1000);
        cpu.fill(b.c, 0.5f); gpu.fill(b.g, 0.5f);
        close("fill", b);
        cpu.copy(a.c, 3, b.c, 7, 500); gpu.copy(a.g, 3, b.g, 7, 500);
        close("copy", b);
        for (boolean acc : new boolean[] {false, true}) {
            cpu.copyBlocks(a.c, 5, 40, b.c, 2, 33, 20, 30, acc);
            gpu.copyBlocks(a.g, 5, 40, b.g, 2, 33, 20, 30, acc);
            close("copyBlocks acc=" + acc, b);
        }
        cpu.axpy(-0.7f, a.c, b.c); gpu.axpy(-0.7f, a.g, b.g);
        close("axpy", b);
        cpu.scale(a.c, 1.5f, b.c); gpu.scale(a.g, 1.5f, b.g);
        close("scale", b);
        for (int n : new int[] {1, 1000, 300_001}) {
            Pair x = pair(rand(n, 1));
            double want = cpu.sumSquares(x.c), got = gpu.sumSquares(x.g);
            System.out.printf("%-28s %.8g vs %.8g%n", "sumSquares n=" + n, want, got);
            assertEquals(want, got, 1e-5 * want + 1e-9, "sumSquares n=" + n);
        }
    }

    /** Every matrix-product kernel: the tiled local-memory one (GPUs), the direct one, the register-blocked one (CPU devices), and cuBLAS library tasks where the device runs them. */
    @Test
    void gemm() {
        java.util.List<BackendOptions.GemmKernel> variants = new java.util.ArrayList<>(java.util.List.of(
                BackendOptions.GemmKernel.TILED, BackendOptions.GemmKernel.DIRECT, BackendOptions.GemmKernel.BLOCKED));
        // cuBLAS library tasks where the device runs them (TornadoVM's CUDA backend)
        if (ArenaCublasProvider.unsupportedReason(uk.ac.manchester.tornado.api.TornadoExecutionPlan.DEFAULT_DEVICE) == null) {
            variants.add(BackendOptions.GemmKernel.CUBLAS);
        }
        for (BackendOptions.GemmKernel variant : variants) {
            try (TornadoBackend b = new TornadoBackend(64, variant)) {
                gemm(b, variant.label());
            }
        }
    }

    void gemm(TornadoBackend gpu, String variant) {
        int[][] shapes = {{1, 1, 1}, {17, 33, 9}, {64, 48, 100}, {5, 130, 70}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2], batch = 3;
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (boolean acc : new boolean[] {false, true}) {
                        int lda = ta ? m + 2 : k + 1, ldb = tb ? k + 3 : n, ldc = n + 1;
                        int sa = (ta ? k : m) * lda + 5, sb = (tb ? n : k) * ldb, sc = m * ldc + 2;
                        float[] ha = rand(4 + batch * sa, 1), hb = rand(3 + batch * sb, 1), hc = rand(1 + batch * sc, 1);
                        Pair a = new Pair(cpu.upload(ha), gpu.upload(ha)), b = new Pair(cpu.upload(hb), gpu.upload(hb));
                        Pair c = new Pair(cpu.upload(hc), gpu.upload(hc));
                        cpu.gemm(batch, ta, tb, m, n, k, a.c, 4, lda, sa, b.c, 3, ldb, sb, c.c, 1, ldc, sc, acc);
                        gpu.gemm(batch, ta, tb, m, n, k, a.g, 4, lda, sa, b.g, 3, ldb, sb, c.g, 1, ldc, sc, acc);
                        close("gemm." + variant + " " + m + "x" + n + "x" + k + (ta ? " tA" : "") + (tb ? " tB" : "") + (acc ? " +=" : ""), c);
                    }
                }
            }
        }
        // one B shared by the batch (strideB 0), as a linear layer's weight is
        int m = 19, n = 40, k = 23, batch = 4;
        for (boolean tb : new boolean[] {false, true}) {
            float[] ha = rand(batch * m * k, 1), hb = rand(n * k, 1), hc = rand(batch * m * n, 1);
            Pair a = new Pair(cpu.upload(ha), gpu.upload(ha)), b = new Pair(cpu.upload(hb), gpu.upload(hb));
            Pair c = new Pair(cpu.upload(hc), gpu.upload(hc));
            int ldb = tb ? k : n;
            cpu.gemm(batch, false, tb, m, n, k, a.c, 0, k, m * k, b.c, 0, ldb, 0, c.c, 0, n, m * n, false);
            gpu.gemm(batch, false, tb, m, n, k, a.g, 0, k, m * k, b.g, 0, ldb, 0, c.g, 0, n, m * n, false);
            close("gemm." + variant + " shared B" + (tb ? " tB" : ""), c);
        }
    }

    @Test
    void rowsAndBias() {
        int rows = 37, cols = 70;
        Pair out = pair(rand(rows * cols, 1)), bias = pair(rand(cols, 1));
        cpu.addRowVector(out.c, bias.c, rows, cols); gpu.addRowVector(out.g, bias.g, rows, cols);
        close("addRowVector", out);
        cpu.sumRowsInto(out.c, rows, cols, bias.c); gpu.sumRowsInto(out.g, rows, cols, bias.g);
        close("sumRowsInto", bias);
    }

    @Test
    void binaryAndSumTo() {
        int[] shape = {3, 5, 7};
        int[] dense = {35, 7, 1};
        int[][] bStrides = {{35, 7, 1}, {0, 7, 1}, {0, 0, 1}, {7, 1, 0}, {0, 0, 0}};
        Pair a = pair(rand(105, 1));
        for (BinaryOp op : BinaryOp.values()) {
            for (int[] bs : bStrides) {
                Pair b = pair(rand(105, 1));
                if (op == BinaryOp.DIV) {
                    float[] h = cpu.download(b.c);
                    for (int i = 0; i < h.length; i++) h[i] = 1.5f + Math.abs(h[i]);
                    b = pair(h);
                }
                Pair out = zeros(105);
                cpu.binary(op, a.c, dense, b.c, bs, out.c, shape);
                gpu.binary(op, a.g, dense, b.g, bs, out.g, shape);
                close("binary " + op + " " + java.util.Arrays.toString(bs), out);
            }
        }
        // sumTo: the reduction of each broadcast above
        int[][] outStrides = {{35, 7, 1}, {0, 7, 1}, {0, 0, 1}, {7, 1, 0}, {0, 0, 0}, {1, 0, 3}};
        for (int[] os : outStrides) {
            Pair out = pair(rand(105, 1));
            cpu.sumTo(a.c, shape, out.c, os); gpu.sumTo(a.g, shape, out.g, os);
            close("sumTo " + java.util.Arrays.toString(os), out);
        }
    }

    @Test
    void unary() {
        float[] host = rand(5000, 3);
        host[0] = 0; host[1] = -7; host[2] = 7; host[3] = 4.2f; host[4] = -0.3f;
        Pair x = pair(host);
        float[] pos = host.clone();
        for (int i = 0; i < pos.length; i++) pos[i] = Math.abs(pos[i]) + 0.01f;
        Pair xp = pair(pos);
        for (UnaryOp op : UnaryOp.values()) {
            Pair in = op == UnaryOp.SQRT ? xp : x;
            Pair out = zeros(5000);
            cpu.unary(op, in.c, out.c); gpu.unary(op, in.g, out.g);
            close("unary " + op, out);
            Pair dy = pair(rand(5000, 1));
            for (boolean acc : new boolean[] {false, true}) {
                Pair dx = pair(rand(5000, 1));
                cpu.unaryBackward(op, in.c, dy.c, dx.c, acc); gpu.unaryBackward(op, in.g, dy.g, dx.g, acc);
                close("unaryBackward " + op + " acc=" + acc, dx);
            }
        }
    }

    @Test
    void layout() {
        int[] shape = {2, 3, 4, 5};
        Pair x = pair(rand(120, 1));
        for (int[] perm : new int[][] {{0, 2, 1, 3}, {3, 2, 1, 0}, {0, 1, 3, 2}, {1, 0, 2, 3}}) {
            Pair out = zeros(120);
            cpu.permute(x.c, shape, perm, out.c); gpu.permute(x.g, shape, perm, out.g);
            close("permute " + java.util.Arrays.toString(perm), out);
        }
        int outer = 3, rowsIn = 6, inner = 11;
        int[] index = {5, 0, 0, 2, 5, 5, 1};
        Pair src = pair(rand(outer * rowsIn * inner, 1));
        Pair out = zeros(outer * index.length * inner);
        cpu.gather(src.c, outer, rowsIn, inner, index, out.c); gpu.gather(src.g, outer, rowsIn, inner, index, out.g);
        close("gather", out);
        Pair dx = pair(rand(outer * rowsIn * inner, 1));
        cpu.scatterAdd(out.c, outer, rowsIn, inner, index, dx.c); gpu.scatterAdd(out.g, outer, rowsIn, inner, index, dx.g);
        close("scatterAdd (repeated indices)", dx);
    }

    @Test
    void layerNormForwardBackward() {
        for (int cols : new int[] {7, 64, 300}) {
            int rows = 19;
            Pair x = pair(rand(rows * cols, 2)), w = pair(rand(cols, 1)), b = pair(rand(cols, 1));
            for (boolean bias : new boolean[] {true, false}) {
                Pair y = zeros(rows * cols), mean = zeros(rows), rstd = zeros(rows);
                cpu.layerNorm(x.c, w.c, bias ? b.c : null, rows, cols, 1e-6f, y.c, mean.c, rstd.c);
                gpu.layerNorm(x.g, w.g, bias ? b.g : null, rows, cols, 1e-6f, y.g, mean.g, rstd.g);
                close("layerNorm y C=" + cols + " bias=" + bias, y);
                close("layerNorm mean", mean);
                close("layerNorm rstd", rstd);
                Pair dy = pair(rand(rows * cols, 1)), dx = pair(rand(rows * cols, 1));
                Pair dw = pair(rand(cols, 1)), db = pair(rand(cols, 1));
                cpu.layerNormBackward(dy.c, x.c, w.c, mean.c, rstd.c, rows, cols, dx.c, dw.c, bias ? db.c : null);
                gpu.layerNormBackward(dy.g, x.g, w.g, mean.g, rstd.g, rows, cols, dx.g, dw.g, bias ? db.g : null);
                close("layerNormBackward dx", dx);
                close("layerNormBackward dw", dw);
                close("layerNormBackward db", db);
            }
        }
    }

    @Test
    void softmaxForwardBackward() {
        for (int cols : new int[] {5, 65, 1000}) {
            int rows = 23;
            Pair x = pair(rand(rows * cols, 4)), y = zeros(rows * cols);
            cpu.softmax(x.c, rows, cols, y.c); gpu.softmax(x.g, rows, cols, y.g);
            close("softmax C=" + cols, y);
            Pair dy = pair(rand(rows * cols, 1));
            for (boolean acc : new boolean[] {false, true}) {
                Pair dx = pair(rand(rows * cols, 1));
                cpu.softmaxBackward(y.c, dy.c, rows, cols, dx.c, acc); gpu.softmaxBackward(y.g, dy.g, rows, cols, dx.g, acc);
                close("softmaxBackward acc=" + acc, dx);
            }
        }
    }

    @Test
    void crossEntropyForwardBackward() {
        int rows = 13, cols = 300;
        Pair x = pair(rand(rows * cols, 3));
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            t[r * cols + rnd.nextInt(cols)] += 0.9f;
            for (int c = 0; c < cols; c++) t[r * cols + c] += 0.1f / cols;
        }
        Pair tg = pair(t), probs = zeros(rows * cols), loss = zeros(1);
        cpu.crossEntropy(x.c, tg.c, rows, cols, probs.c, loss.c); gpu.crossEntropy(x.g, tg.g, rows, cols, probs.g, loss.g);
        close("crossEntropy probs", probs);
        close("crossEntropy loss", cpu.download(loss.c), gpu.download(loss.g), 1e-5);
        Pair dloss = pair(new float[] {0.7f});
        for (boolean acc : new boolean[] {false, true}) {
            Pair dl = pair(rand(rows * cols, 1));
            cpu.crossEntropyBackward(probs.c, tg.c, dloss.c, rows, cols, dl.c, acc);
            gpu.crossEntropyBackward(probs.g, tg.g, dloss.g, rows, cols, dl.g, acc);
            close("crossEntropyBackward acc=" + acc, dl);
        }
    }

    @Test
    void optimisers() {
        int n = 3001;
        Pair p = pair(rand(n, 1)), m = zeros(n), v = zeros(n);
        for (int step = 1; step <= 5; step++) {
            Pair g = pair(rand(n, 1));
            cpu.adamw(p.c, g.c, m.c, v.c, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.05f, step);
            gpu.adamw(p.g, g.g, m.g, v.g, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.05f, step);
        }
        close("adamw param", cpu.download(p.c), gpu.download(p.g), 1e-6);
        close("adamw m", m);
        close("adamw v", v);
        for (boolean nesterov : new boolean[] {false, true}) {
            Pair q = pair(rand(n, 1)), buf = zeros(n);
            for (int step = 0; step < 3; step++) {
                Pair g = pair(rand(n, 1));
                cpu.sgd(q.c, g.c, buf.c, 0.1f, 0.9f, 0.1f, 1e-4f, nesterov, step == 0);
                gpu.sgd(q.g, g.g, buf.g, 0.1f, 0.9f, 0.1f, 1e-4f, nesterov, step == 0);
            }
            close("sgd nesterov=" + nesterov, q);
        }
        Pair q = pair(rand(n, 1)), g = pair(rand(n, 1));
        cpu.sgd(q.c, g.c, null, 0.1f, 0f, 0f, 0f, false, true);
        gpu.sgd(q.g, g.g, null, 0.1f, 0f, 0f, 0f, false, true);
        close("sgd plain", q);
    }
}
