package org.vitarena.backend.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Elementwise kernels: bias rows, broadcasting binary ops and their reduction {@code sumTo},
 * activations with their derivatives. Legend: R rows, C columns, D the rank of a broadcast shape
 * (at most {@link #MAX_RANK}); shapes and strides travel in {@code p} from index {@link #SHAPE}.
 */
public final class ElementwiseKernels {
    public static final int MAX_RANK = 8;
    public static final int SHAPE = 8;
    public static final int STRIDES_A = SHAPE + MAX_RANK;
    public static final int STRIDES_B = STRIDES_A + MAX_RANK;

    /** Op codes, in the order of {@code BinaryOp} and {@code UnaryOp}. */
    public static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, FIRST = 4;
    public static final int GELU = 0, RELU = 1, TANH = 2, SQRT = 3;

    private ElementwiseKernels() {}

    /** p: rows, cols, outOff, biasOff. out[r, c] += bias[c]. */
    public static void addRowVector(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int t = ctx.globalIdx;
        int cols = p.get(1);
        if (t < p.get(0) * cols) {
            int c = t % cols;
            int o = p.get(2) + t;
            mem.set(o, mem.get(o) + mem.get(p.get(3) + c));
        }
    }

    /** p: rows, cols, dyOff, dbiasOff. dbias[c] += Σ_r dy[r, c]; one work-item per column. */
    public static void sumRowsInto(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int c = ctx.globalIdx;
        int rows = p.get(0);
        int cols = p.get(1);
        if (c < cols) {
            int dy = p.get(2);
            float s = 0f;
            for (int r = 0; r < rows; r++) {
                s += mem.get(dy + r * cols + c);
            }
            int o = p.get(3) + c;
            mem.set(o, mem.get(o) + s);
        }
    }

    /**
     * p: total, op, rank, aOff, bOff, outOff, -, -, shape[D], aStrides[D], bStrides[D].
     * out[idx] = op(a[idx·aStrides], b[idx·bStrides]); a zero stride broadcasts.
     */
    public static void binary(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int t = ctx.globalIdx;
        if (t < p.get(0)) {
            int op = p.get(1);
            int rank = p.get(2);
            int rem = t;
            int ao = p.get(3);
            int bo = p.get(4);
            for (int d = rank - 1; d >= 0; d--) {
                int size = p.get(SHAPE + d);
                int coord = rem % size;
                rem = rem / size;
                ao += coord * p.get(STRIDES_A + d);
                bo += coord * p.get(STRIDES_B + d);
            }
            float a = mem.get(ao);
            float r = a;
            if (op == ADD) {
                r = a + mem.get(bo);
            } else if (op == SUB) {
                r = a - mem.get(bo);
            } else if (op == MUL) {
                r = a * mem.get(bo);
            } else if (op == DIV) {
                r = a / mem.get(bo);
            }
            mem.set(p.get(5) + t, r);
        }
    }

    /**
     * p: keptCount, reducedCount, rank, xOff, outOff, -, -, -, xShape[D], xStrides[D], outStrides[D].
     * out[idx·outStrides] += x[idx]: one work-item per output (the dimensions with a non-zero out
     * stride), looping over the broadcast ones, so no two work-items write the same element.
     */
    public static void sumTo(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int t = ctx.globalIdx;
        if (t < p.get(0)) {
            int rank = p.get(2);
            int rem = t;
            int xBase = p.get(3);
            int outIdx = p.get(4);
            for (int d = rank - 1; d >= 0; d--) {
                int os = p.get(STRIDES_B + d);
                if (os != 0) {
                    int size = p.get(SHAPE + d);
                    int coord = rem % size;
                    rem = rem / size;
                    xBase += coord * p.get(STRIDES_A + d);
                    outIdx += coord * os;
                }
            }
            float s = 0f;
            int reduced = p.get(1);
            for (int r = 0; r < reduced; r++) {
                int rr = r;
                int xo = xBase;
                for (int d = rank - 1; d >= 0; d--) {
                    if (p.get(STRIDES_B + d) == 0) {
                        int size = p.get(SHAPE + d);
                        int coord = rr % size;
                        rr = rr / size;
                        xo += coord * p.get(STRIDES_A + d);
                    }
                }
                s += mem.get(xo);
            }
            mem.set(outIdx, mem.get(outIdx) + s);
        }
    }

    /** p: n, op, xOff, outOff. out[i] = op(x[i]). */
    public static void unary(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int i = ctx.globalIdx;
        if (i < p.get(0)) {
            int op = p.get(1);
            float x = mem.get(p.get(2) + i);
            float r;
            if (op == GELU) {
                r = (float) (0.5 * x * (1.0 + erf(x * 0.7071067811865476)));
            } else if (op == RELU) {
                r = x > 0f ? x : 0f;
            } else if (op == TANH) {
                r = TornadoMath.tanh(x);
            } else {
                r = TornadoMath.sqrt(x);
            }
            mem.set(p.get(3) + i, r);
        }
    }

    /** p: n, op, xOff, dyOff, dxOff, accumulate. dx[i] (+)= dy[i] · op'(x[i]). */
    public static void unaryBackward(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int i = ctx.globalIdx;
        if (i < p.get(0)) {
            int op = p.get(1);
            float x = mem.get(p.get(2) + i);
            float dv;
            if (op == GELU) {
                double xd = x;
                dv = (float) (0.5 * (1.0 + erf(xd * 0.7071067811865476)) + xd * 0.3989422804014327 * TornadoMath.exp(-0.5 * xd * xd));
            } else if (op == RELU) {
                dv = x > 0f ? 1f : 0f;
            } else if (op == TANH) {
                double th = TornadoMath.tanh((double) x);
                dv = (float) (1.0 - th * th);
            } else {
                dv = (float) (0.5 / TornadoMath.sqrt((double) x));
            }
            float g = mem.get(p.get(3) + i) * dv;
            int o = p.get(4) + i;
            if (p.get(5) == 1) {
                g = g + mem.get(o);
            }
            mem.set(o, g);
        }
    }

    /**
     * The error function in double (W. J. Cody's rational approximations, the same as the CPU
     * reference's {@code Erf}), unrolled because kernels cannot index constant tables.
     */
    public static double erf(double x) {
        double y = TornadoMath.abs(x);
        double result;
        if (y <= 0.46875) {
            double ysq = y > 1.11e-16 ? y * y : 0.0;
            double xnum = 1.85777706184603153e-1 * ysq;
            double xden = ysq;
            xnum = (xnum + 3.16112374387056560e00) * ysq;
            xden = (xden + 2.36012909523441209e01) * ysq;
            xnum = (xnum + 1.13864154151050156e02) * ysq;
            xden = (xden + 2.44024637934444173e02) * ysq;
            xnum = (xnum + 3.77485237685302021e02) * ysq;
            xden = (xden + 1.28261652607737228e03) * ysq;
            return x * (xnum + 3.20937758913846947e03) / (xden + 2.84423683343917062e03);
        } else if (y <= 4.0) {
            double xnum = 2.15311535474403846e-8 * y;
            double xden = y;
            xnum = (xnum + 5.64188496988670089e-1) * y;
            xden = (xden + 1.57449261107098347e01) * y;
            xnum = (xnum + 8.88314979438837594e00) * y;
            xden = (xden + 1.17693950891312499e02) * y;
            xnum = (xnum + 6.61191906371416295e01) * y;
            xden = (xden + 5.37181101862009858e02) * y;
            xnum = (xnum + 2.98635138197400131e02) * y;
            xden = (xden + 1.62138957456669019e03) * y;
            xnum = (xnum + 8.81952221241769090e02) * y;
            xden = (xden + 3.29079923573345963e03) * y;
            xnum = (xnum + 1.71204761263407058e03) * y;
            xden = (xden + 4.36261909014324716e03) * y;
            xnum = (xnum + 2.05107837782607147e03) * y;
            xden = (xden + 3.43936767414372164e03) * y;
            result = (xnum + 1.23033935479799725e03) / (xden + 1.23033935480374942e03);
            double ysq = TornadoMath.floor(y * 16.0) / 16.0;
            double del = (y - ysq) * (y + ysq);
            result = TornadoMath.exp(-ysq * ysq) * TornadoMath.exp(-del) * result;
        } else if (y < 6.0) {
            double ysq = 1.0 / (y * y);
            double xnum = 1.63153871373020978e-2 * ysq;
            double xden = ysq;
            xnum = (xnum + 3.05326634961232344e-1) * ysq;
            xden = (xden + 2.56852019228982242e00) * ysq;
            xnum = (xnum + 3.60344899949804439e-1) * ysq;
            xden = (xden + 1.87295284992346725e00) * ysq;
            xnum = (xnum + 1.25781726111229246e-1) * ysq;
            xden = (xden + 5.27905102951428412e-1) * ysq;
            xnum = (xnum + 1.60837851487422766e-2) * ysq;
            xden = (xden + 6.05183413124413191e-2) * ysq;
            result = ysq * (xnum + 6.58749161529837803e-4) / (xden + 2.33520497626869185e-3);
            result = (5.6418958354775628695e-1 - result) / y;
            double ysq2 = TornadoMath.floor(y * 16.0) / 16.0;
            double del = (y - ysq2) * (y + ysq2);
            result = TornadoMath.exp(-ysq2 * ysq2) * TornadoMath.exp(-del) * result;
        } else {
            result = 0.0;
        }
        double e = 1.0 - result;
        return x < 0 ? -e : e;
    }
}
