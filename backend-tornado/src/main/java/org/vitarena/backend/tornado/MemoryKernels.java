package org.vitarena.backend.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Memory kernels on the device arena: fill, copies, axpy/scale, the sum of squares, and the
 * copies between the arena and a host staging buffer that upload and download go through.
 *
 * <p>Every kernel takes the arena {@code mem}, its integer arguments {@code p} and its float
 * arguments {@code f}; offsets into {@code mem} are element offsets. One work-item per element,
 * guarded by {@code i < n} because global sizes are rounded up to the work-group size.
 */
public final class MemoryKernels {
    private MemoryKernels() {}

    /** p: n, off. f: value. mem[off + i] = value. */
    public static void fill(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int i = ctx.globalIdx;
        if (i < p.get(0)) {
            mem.set(p.get(1) + i, f.get(0));
        }
    }

    /** p: n, srcOff, dstOff. mem[dstOff + i] = mem[srcOff + i]. */
    public static void copy(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int i = ctx.globalIdx;
        if (i < p.get(0)) {
            mem.set(p.get(2) + i, mem.get(p.get(1) + i));
        }
    }

    /** p: outer, len, srcOff, srcStride, dstOff, dstStride, accumulate. Block copy (slice, concat). */
    public static void copyBlocks(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int t = ctx.globalIdx;
        int len = p.get(1);
        if (t < p.get(0) * len) {
            int o = t / len;
            int i = t - o * len;
            int src = p.get(2) + o * p.get(3) + i;
            int dst = p.get(4) + o * p.get(5) + i;
            float v = mem.get(src);
            if (p.get(6) == 1) {
                v = v + mem.get(dst);
            }
            mem.set(dst, v);
        }
    }

    /** p: n, xOff, yOff. f: alpha. y[i] += alpha * x[i]. */
    public static void axpy(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int i = ctx.globalIdx;
        if (i < p.get(0)) {
            int y = p.get(2) + i;
            mem.set(y, mem.get(y) + f.get(0) * mem.get(p.get(1) + i));
        }
    }

    /** p: n, xOff, outOff. f: alpha. out[i] = alpha * x[i]. */
    public static void scale(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int i = ctx.globalIdx;
        if (i < p.get(0)) {
            mem.set(p.get(2) + i, f.get(0) * mem.get(p.get(1) + i));
        }
    }

    /**
     * p: n, xOff, partialOff. Each work-group of 256 sums the squares of a grid-strided share of x
     * and writes one partial sum to mem[partialOff + group]; the host adds the partials in double.
     */
    public static void sumSquares(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        float[] red = ctx.allocateFloatLocalArray(256);
        int lid = ctx.localIdx;
        int n = p.get(0);
        int xOff = p.get(1);
        int stride = ctx.globalGroupSizeX;
        float s = 0f;
        for (int i = ctx.globalIdx; i < n; i += stride) {
            float v = mem.get(xOff + i);
            s += v * v;
        }
        red[lid] = s;
        ctx.localBarrier();
        for (int h = 128; h > 0; h /= 2) {
            if (lid < h) {
                red[lid] += red[lid + h];
            }
            ctx.localBarrier();
        }
        if (lid == 0) {
            mem.set(p.get(2) + ctx.groupIdx, red[0]);
        }
    }

    /** p: n, dstOff. mem[dstOff + i] = staging[i]: the device half of an upload. */
    public static void fromStaging(KernelContext ctx, FloatArray mem, IntArray p, FloatArray staging) {
        int i = ctx.globalIdx;
        if (i < p.get(0)) {
            mem.set(p.get(1) + i, staging.get(i));
        }
    }

    /** p: n, srcOff. staging[i] = mem[srcOff + i]: the device half of a download. */
    public static void toStaging(KernelContext ctx, FloatArray mem, IntArray p, FloatArray staging) {
        int i = ctx.globalIdx;
        if (i < p.get(0)) {
            staging.set(i, mem.get(p.get(1) + i));
        }
    }
}
