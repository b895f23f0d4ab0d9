package org.vitarena.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector exp built from add, multiply and fused multiply-add only, so that it gives the same bits
 * in the interpreter and in JIT-compiled code ({@code VectorOperators.EXP} switches from a
 * per-lane {@code Math.exp} to a native intrinsic once compiled, and the two differ in the last
 * bit, which made two identical forwards differ).
 *
 * <p>Cephes expf: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-7 polynomial, 2^n put into the
 * exponent bits; about 1 ulp on [-87, 88]; below −87.3 the result is 0 (true value under 1e-38).
 */
final class VecMath {
    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5·2^23: adding it rounds to an integer in the low mantissa bits
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    static final float HI = 88.3762626647949f, LO = -87.3365478515625f;

    private VecMath() {}

    /**
     * e^x per lane, for x ≤ {@link #HI} or NaN (a lane above HI gives garbage: every caller passes
     * x ≤ 0, a softmax's x − max or a Gaussian's −x²/2).
     */
    static FloatVector exp(FloatVector x) {
        // x.max(LO) bit for bit (NaN stays NaN, -0 stays -0) by compare and blend: max's NaN and
        // signed-zero rules cost the JIT extra instructions, and with them exp took 5.6 ns a 16-lane
        // vector against 3.5 (a stream of exps, Zen 5). No clamp at HI: it was a no-op for every
        // caller, and without its compare and blend on the dependency chain a stream of exps took
        // 0.45-0.51 instead of 0.56-0.57 ns an element (Zen 3). Written here, not in a method of its
        // own: a vector passed to a method C2 does not inline is boxed (JitFlags).
        FloatVector xc = x.blend(LO, x.compare(VectorOperators.LT, LO));
        FloatVector t = xc.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(x.species(), -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(x.species(), -LN2_LO), r);
        FloatVector p = r.fma(P0, P1).fma(r, FloatVector.broadcast(x.species(), P2)).fma(r, FloatVector.broadcast(x.species(), P3))
                .fma(r, FloatVector.broadcast(x.species(), P4)).fma(r, FloatVector.broadcast(x.species(), P5));
        FloatVector er = p.mul(r.mul(r)).add(r).add(1f);
        IntVector ni = (IntVector) t.reinterpretAsInts().sub(0x4B400000);
        FloatVector scale = ni.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector y = er.mul(scale);
        return y.blend(0f, x.lt(LO));
    }

    /**
     * {@link #exp(FloatVector)} for one float, operation for operation (the same roundings, the
     * same fused multiply-adds), so it gives the lane's bits: for the ragged ends of rows.
     */
    static float exp(float x) {
        float xc = x < LO ? LO : x;
        float t = Math.fma(xc, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, P0, P1), r, P2), r, P3), r, P4), r, P5);
        float er = p * (r * r) + r + 1f;
        int ni = Float.floatToRawIntBits(t) - 0x4B400000;
        float y = er * Float.intBitsToFloat((ni + 127) << 23);
        return x < LO ? 0f : y;
    }
}
