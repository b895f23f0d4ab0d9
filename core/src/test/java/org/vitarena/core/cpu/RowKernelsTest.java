package org.vitarena.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;
import org.vitarena.core.backend.BinaryOp;

/**
 * The SIMD row kernels against plain double-precision loops written here independently, on
 * widths that are a multiple of the vector length, not one, and shorter than one vector.
 */
class RowKernelsTest {
    private static final int[] COLS = {1, 5, 16, 17, 31, 65, 66, 192, 200};
    private static final int ROWS = 37;

    private static float[] rand(Random r, int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * scale);
        return x;
    }

    private static void close(String what, double[] want, float[] got, double tol) {
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(want[i] - got[i]);
            assertTrue(err <= tol * (1 + Math.abs(want[i])), what + "[" + i + "]: want " + want[i] + " got " + got[i]);
        }
    }

    @Test
    void softmaxAndBackward() {
        Random r = new Random(1);
        for (int cols : COLS) {
            float[] x = rand(r, ROWS * cols, 8f), dy = rand(r, ROWS * cols, 1f), dx0 = rand(r, ROWS * cols, 1f);
            double[] y = new double[x.length], dx = new double[x.length];
            for (int row = 0; row < ROWS; row++) {
                int o = row * cols;
                double max = Double.NEGATIVE_INFINITY, sum = 0, dot = 0;
                for (int c = 0; c < cols; c++) max = Math.max(max, x[o + c]);
                for (int c = 0; c < cols; c++) sum += Math.exp(x[o + c] - max);
                for (int c = 0; c < cols; c++) y[o + c] = Math.exp(x[o + c] - max) / sum;
                for (int c = 0; c < cols; c++) dot += dy[o + c] * y[o + c];
                for (int c = 0; c < cols; c++) dx[o + c] = dx0[o + c] + y[o + c] * (dy[o + c] - dot);
            }
            float[] ys = new float[x.length];
            RowKernels.softmax(x, ys, cols, 0, ROWS);
            close("softmax cols=" + cols, y, ys, 1e-5);
            float[] dxs = dx0.clone();
            RowKernels.softmaxBackward(ys, dy, dxs, true, cols, 0, ROWS);
            close("softmaxBackward cols=" + cols, dx, dxs, 1e-5);
        }
    }

    @Test
    void layerNormAndBackward() {
        Random r = new Random(2);
        float eps = 1e-6f;
        for (int cols : COLS) {
            float[] x = rand(r, ROWS * cols, 3f), w = rand(r, cols, 1f), b = rand(r, cols, 1f), dy = rand(r, ROWS * cols, 1f);
            for (int i = 0; i < x.length; i++) x[i] += 5f; // an offset mean, as activations have
            double[] y = new double[x.length], dx = new double[x.length], dw = new double[cols], db = new double[cols];
            for (int row = 0; row < ROWS; row++) {
                int o = row * cols;
                double mu = 0, var = 0;
                for (int c = 0; c < cols; c++) mu += x[o + c];
                mu /= cols;
                for (int c = 0; c < cols; c++) var += (x[o + c] - mu) * (x[o + c] - mu);
                double rs = 1 / Math.sqrt(var / cols + eps), mg = 0, mgx = 0;
                for (int c = 0; c < cols; c++) {
                    double xh = (x[o + c] - mu) * rs;
                    y[o + c] = xh * w[c] + b[c];
                    mg += dy[o + c] * w[c] / cols;
                    mgx += dy[o + c] * w[c] * xh / cols;
                    dw[c] += dy[o + c] * xh;
                    db[c] += dy[o + c];
                }
                for (int c = 0; c < cols; c++) dx[o + c] = rs * (dy[o + c] * w[c] - mg - (x[o + c] - mu) * rs * mgx);
            }
            float[] ys = new float[x.length], mean = new float[ROWS], rstd = new float[ROWS];
            RowKernels.layerNorm(x, w, b, ys, mean, rstd, cols, eps, 0, ROWS);
            close("layerNorm cols=" + cols, y, ys, 2e-4);
            float[] dxs = new float[x.length], dws = new float[cols], dbs = new float[cols];
            RowKernels.layerNormBackwardInput(dy, x, w, mean, rstd, dxs, cols, 0, ROWS);
            if (cols > 1) close("layerNormBackward dx cols=" + cols, dx, dxs, 2e-3);
            RowKernels.layerNormBackwardParams(dy, x, mean, rstd, dws, dbs, cols, 0, ROWS);
            close("layerNormBackward dw cols=" + cols, dw, dws, 2e-3);
            close("layerNormBackward db cols=" + cols, db, dbs, 1e-5);
            // the same float operations, in the same order, as a row-by-row update: bit for bit
            float[] dwSeq = rand(r, cols, 1f), dbSeq = rand(r, cols, 1f);
            float[] dwBlk = dwSeq.clone(), dbBlk = dbSeq.clone();
            for (int row = 2; row < ROWS; row++) {
                for (int c = 0; c < cols; c++) {
                    float g = dy[row * cols + c];
                    dwSeq[c] = Math.fma(g, (x[row * cols + c] - mean[row]) * rstd[row], dwSeq[c]);
                    dbSeq[c] += g;
                }
            }
            RowKernels.layerNormBackwardParams(dy, x, mean, rstd, dwBlk, dbBlk, cols, 2, ROWS);
            assertArrayEquals(dwSeq, dwBlk, "layerNormBackward dw rows 2..ROWS, cols=" + cols);
            assertArrayEquals(dbSeq, dbBlk, "layerNormBackward db rows 2..ROWS, cols=" + cols);
        }
    }

    @Test
    void biasAddAndRowSums() {
        Random r = new Random(3);
        for (int cols : COLS) {
            float[] out = rand(r, ROWS * cols, 1f), bias = rand(r, cols, 1f);
            double[] want = new double[out.length], sums = new double[cols];
            for (int i = 0; i < out.length; i++) want[i] = out[i] + bias[i % cols];
            RowKernels.addRowVector(out, bias, cols, 0, ROWS);
            close("addRowVector cols=" + cols, want, out, 1e-6);
            for (int i = 0; i < out.length; i++) sums[i % cols] += out[i];
            float[] acc = new float[cols];
            RowKernels.sumRows(out, acc, cols, 0, ROWS);
            close("sumRows cols=" + cols, sums, acc, 1e-5);
            // the same float additions, in the same order, as a row-by-row loop: bit for bit
            float[] start = rand(r, cols, 1f), seq = start.clone(), blocked = start.clone();
            for (int row = 1; row < ROWS - 1; row++) {
                for (int c = 0; c < cols; c++) seq[c] += out[row * cols + c];
            }
            RowKernels.sumRows(out, blocked, cols, 1, ROWS - 1);
            assertArrayEquals(seq, blocked, "sumRows rows 1..ROWS-1, cols=" + cols);
        }
    }

    @Test
    void binaryRows() {
        Random r = new Random(4);
        for (int cols : COLS) {
            float[] a = rand(r, cols + 3, 1f), b = rand(r, cols + 5, 1f);
            for (int i = 0; i < b.length; i++) b[i] = b[i] == 0 ? 1 : b[i];
            for (BinaryOp op : BinaryOp.values()) {
                for (boolean scalar : new boolean[]{false, true}) {
                    double[] want = new double[cols];
                    for (int j = 0; j < cols; j++) {
                        double x = a[3 + j], y = scalar ? b[5] : b[5 + j];
                        want[j] = switch (op) {
                            case ADD -> x + y;
                            case SUB -> x - y;
                            case MUL -> x * y;
                            case DIV -> x / y;
                            case FIRST -> x;
                        };
                    }
                    float[] o = new float[cols + 2];
                    RowKernels.binaryRow(op, a, 3, b, 5, scalar, o, 2, cols);
                    float[] got = java.util.Arrays.copyOfRange(o, 2, 2 + cols);
                    close(op + " scalar=" + scalar + " cols=" + cols, want, got, 1e-6);
                }
            }
        }
    }

    @Test
    void vectorExpMatchesMathExp() {
        var sp = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        float[] x = new float[sp.length()], y = new float[sp.length()];
        for (float v = -100f; v < 88f; v += 0.0137f * sp.length()) {
            for (int i = 0; i < x.length; i++) x[i] = v + 0.0137f * i;
            VecMath.exp(jdk.incubator.vector.FloatVector.fromArray(sp, x, 0)).intoArray(y, 0);
            for (int i = 0; i < x.length; i++) {
                double want = Math.exp(x[i]);
                double err = Math.abs(y[i] - want);
                assertTrue(err <= 3e-7 * want || (x[i] < -87.3f && y[i] == 0f), "exp(" + x[i] + ") = " + y[i] + ", want " + want);
            }
        }
    }

    /**
     * exp clamps by compare and blend: the same bits as the min/max it was first written with, for
     * every argument it takes (at most HI, or NaN: positive lanes past HI are drawn again as their
     * negation).
     */
    @Test
    void expClampIsMinThenMaxBitForBit() {
        var sp = FloatVector.SPECIES_PREFERRED;
        java.util.Random rnd = new java.util.Random(17);
        float[] x = new float[sp.length()];
        float[] specials = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, VecMath.LO, VecMath.HI,
                Math.nextDown(VecMath.LO), Math.nextUp(VecMath.HI), Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.intBitsToFloat(0x7fc12345), Float.intBitsToFloat(0xffa00001)};
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < x.length; i++) {
                int pick = rnd.nextInt(4);
                x[i] = pick == 0 ? specials[rnd.nextInt(specials.length)]
                        : pick == 1 ? Float.intBitsToFloat(rnd.nextInt()) : (float) (rnd.nextGaussian() * 100);
                if (x[i] > VecMath.HI) x[i] = -x[i];
            }
            FloatVector v = FloatVector.fromArray(sp, x, 0);
            assertArrayEquals(toBits(expMinMax(v)), toBits(VecMath.exp(v)), () -> java.util.Arrays.toString(x));
        }
    }

    /** The scalar exp of the rows' ragged ends gives the vector exp's bits, lane for lane. */
    @Test
    void scalarExpIsAVectorLaneBitForBit() {
        var sp = FloatVector.SPECIES_PREFERRED;
        java.util.Random rnd = new java.util.Random(23);
        float[] x = new float[sp.length()], y = new float[sp.length()];
        float[] specials = {Float.NaN, -0f, 0f, Float.NEGATIVE_INFINITY, VecMath.LO, VecMath.HI, Math.nextDown(VecMath.LO),
                Math.nextUp(VecMath.LO), -Float.MIN_VALUE, -Float.MAX_VALUE, -1e-30f};
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < x.length; i++) {
                int pick = rnd.nextInt(4);
                x[i] = pick == 0 ? specials[rnd.nextInt(specials.length)]
                        : pick == 1 ? -Math.abs(Float.intBitsToFloat(rnd.nextInt())) : (float) (rnd.nextGaussian() * 30);
                if (x[i] > VecMath.HI) x[i] = -x[i];
            }
            VecMath.exp(FloatVector.fromArray(sp, x, 0)).intoArray(y, 0);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(y[i]), Float.floatToRawIntBits(VecMath.exp(x[i])), "exp(" + x[i] + ")");
            }
        }
    }

    /** VecMath.exp as first written, clamping with min and max. */
    private static FloatVector expMinMax(FloatVector x) {
        var sp = x.species();
        FloatVector xc = x.min(VecMath.HI).max(VecMath.LO);
        FloatVector t = xc.fma(1.44269504088896341f, 12582912f);
        FloatVector n = t.sub(12582912f);
        FloatVector r = n.fma(FloatVector.broadcast(sp, -0.693359375f), xc);
        r = n.fma(FloatVector.broadcast(sp, 2.12194440e-4f), r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f).fma(r, FloatVector.broadcast(sp, 8.3334519073e-3f))
                .fma(r, FloatVector.broadcast(sp, 4.1665795894e-2f)).fma(r, FloatVector.broadcast(sp, 1.6666665459e-1f))
                .fma(r, FloatVector.broadcast(sp, 5.0000001201e-1f));
        FloatVector er = p.mul(r.mul(r)).add(r).add(1f);
        jdk.incubator.vector.IntVector ni = (jdk.incubator.vector.IntVector) t.reinterpretAsInts().sub(0x4B400000);
        FloatVector scale = ni.add(127).lanewise(jdk.incubator.vector.VectorOperators.LSHL, 23).reinterpretAsFloats();
        return er.mul(scale).blend(0f, x.lt(VecMath.LO));
    }

    private static int[] toBits(FloatVector v) {
        float[] f = v.toArray();
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
        return b;
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private static float lanes(FloatVector v) {
        float[] t = v.toArray();
        float s = 0;
        for (float x : t) s += x;
        return s;
    }

    /** Softmax with a lane mask on every iteration (how it was first written). */
    private static void maskedSoftmax(float[] x, float[] y, int cols, int rows) {
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int c = 0; c < cols; c += S.length()) {
                VectorMask<Float> m = S.indexInRange(c, cols);
                vmax = vmax.lanewise(jdk.incubator.vector.VectorOperators.MAX, FloatVector.fromArray(S, x, off + c, m), m);
            }
            float max = vmax.reduceLanes(jdk.incubator.vector.VectorOperators.MAX);
            FloatVector vsum = FloatVector.zero(S);
            for (int c = 0; c < cols; c += S.length()) {
                VectorMask<Float> m = S.indexInRange(c, cols);
                FloatVector e = VecMath.exp(FloatVector.fromArray(S, x, off + c, m).sub(max));
                e.intoArray(y, off + c, m);
                vsum = vsum.add(e, m);
            }
            float inv = 1f / lanes(vsum);
            for (int c = 0; c < cols; c += S.length()) {
                VectorMask<Float> m = S.indexInRange(c, cols);
                FloatVector.fromArray(S, y, off + c, m).mul(inv).intoArray(y, off + c, m);
            }
        }
    }

    /** The backward kernels as they were written before, a lane mask on every iteration. */
    private static void maskedSoftmaxBackward(float[] y, float[] dy, float[] dx, boolean acc, int cols, int rows) {
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            FloatVector vdot = FloatVector.zero(S);
            for (int c = 0; c < cols; c += S.length()) {
                VectorMask<Float> m = S.indexInRange(c, cols);
                vdot = FloatVector.fromArray(S, dy, off + c, m).fma(FloatVector.fromArray(S, y, off + c, m), vdot);
            }
            float dot = lanes(vdot);
            for (int c = 0; c < cols; c += S.length()) {
                VectorMask<Float> m = S.indexInRange(c, cols);
                FloatVector g = FloatVector.fromArray(S, dy, off + c, m).sub(dot).mul(FloatVector.fromArray(S, y, off + c, m));
                if (acc) g = g.add(FloatVector.fromArray(S, dx, off + c, m));
                g.intoArray(dx, off + c, m);
            }
        }
    }

    private static void maskedLayerNormBackwardInput(float[] dy, float[] x, float[] w, float[] mean, float[] rstd, float[] dx,
                                                     int cols, int rows) {
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            float mu = mean[r], rv = rstd[r];
            FloatVector sg = FloatVector.zero(S), sgx = FloatVector.zero(S);
            for (int c = 0; c < cols; c += S.length()) {
                VectorMask<Float> m = S.indexInRange(c, cols);
                FloatVector gw = FloatVector.fromArray(S, dy, off + c, m).mul(FloatVector.fromArray(S, w, c, m));
                FloatVector xhat = FloatVector.fromArray(S, x, off + c, m).sub(mu).mul(rv);
                sg = sg.add(gw);
                sgx = gw.fma(xhat, sgx).blend(sgx, m.not());
            }
            float meanG = lanes(sg) / cols, meanGX = lanes(sgx) / cols;
            for (int c = 0; c < cols; c += S.length()) {
                VectorMask<Float> m = S.indexInRange(c, cols);
                FloatVector gw = FloatVector.fromArray(S, dy, off + c, m).mul(FloatVector.fromArray(S, w, c, m));
                FloatVector xhat = FloatVector.fromArray(S, x, off + c, m).sub(mu).mul(rv);
                FloatVector d = gw.sub(meanG).sub(xhat.mul(meanGX)).mul(rv);
                d.add(FloatVector.fromArray(S, dx, off + c, m)).intoArray(dx, off + c, m);
            }
        }
    }

    /** Whole vectors unmasked and only the tail masked: the same bits as a mask on every iteration (also in place). */
    @Test
    void backwardTailMaskingKeepsTheBits() {
        Random r = new Random(11);
        for (int cols : COLS) {
            int n = ROWS * cols;
            float[] y = rand(r, n, 1f), dy = rand(r, n, 1f), dx0 = rand(r, n, 1f);
            for (boolean acc : new boolean[]{false, true}) {
                float[] want = dx0.clone(), got = dx0.clone();
                maskedSoftmaxBackward(y, dy, want, acc, cols, ROWS);
                RowKernels.softmaxBackward(y, dy, got, acc, cols, 0, ROWS);
                assertArrayEquals(want, got, "softmaxBackward cols=" + cols + " accumulate=" + acc);
            }
            // in place, dx = dy (as the fused attention backward calls it)
            float[] wantIn = dy.clone(), gotIn = dy.clone();
            maskedSoftmaxBackward(y, dy.clone(), wantIn, false, cols, ROWS);
            RowKernels.softmaxBackward(y, gotIn, gotIn, false, cols, 0, ROWS);
            assertArrayEquals(wantIn, gotIn, "softmaxBackward in place cols=" + cols);
            // the forward, into another array and in place, with a row max of +inf, -inf and NaN
            float[] xs = rand(r, n, 8f);
            xs[cols - 1] = Float.POSITIVE_INFINITY;
            if (ROWS > 2) xs[2 * cols + cols / 2] = Float.NaN;
            java.util.Arrays.fill(xs, 3 * cols, 4 * cols, Float.NEGATIVE_INFINITY);
            float[] wantY = new float[n], gotY = new float[n];
            maskedSoftmax(xs, wantY, cols, ROWS);
            RowKernels.softmax(xs, gotY, cols, 0, ROWS);
            assertArrayEquals(wantY, gotY, "softmax cols=" + cols);
            float[] inPlace = xs.clone();
            RowKernels.softmax(inPlace, inPlace, cols, 0, ROWS);
            assertArrayEquals(wantY, inPlace, "softmax in place cols=" + cols);
            // rows taken in pairs from an odd first row: the pairs change no bit
            float[] split = new float[n];
            RowKernels.softmax(xs, split, cols, 0, 5);
            RowKernels.softmax(xs, split, cols, 5, ROWS);
            assertArrayEquals(wantY, split, "softmax from row 5 cols=" + cols);
            float[] splitDx = dx0.clone();
            RowKernels.softmaxBackward(y, dy, splitDx, true, cols, 0, 3);
            RowKernels.softmaxBackward(y, dy, splitDx, true, cols, 3, ROWS);
            float[] wantDx = dx0.clone();
            maskedSoftmaxBackward(y, dy, wantDx, true, cols, ROWS);
            assertArrayEquals(wantDx, splitDx, "softmaxBackward from row 3 cols=" + cols);
            float[] x = rand(r, n, 2f), w = rand(r, cols, 1f), mean = rand(r, ROWS, 0.5f), rstd = new float[ROWS];
            for (int i = 0; i < ROWS; i++) rstd[i] = 0.5f + r.nextFloat();
            float[] want = dx0.clone(), got = dx0.clone();
            maskedLayerNormBackwardInput(dy, x, w, mean, rstd, want, cols, ROWS);
            RowKernels.layerNormBackwardInput(dy, x, w, mean, rstd, got, cols, 0, ROWS);
            assertArrayEquals(want, got, "layerNormBackwardInput cols=" + cols);
        }
    }
}
