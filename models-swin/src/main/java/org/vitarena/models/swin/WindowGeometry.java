package org.vitarena.models.swin;

import org.vitarena.core.ops.Shapes;

/**
 * The constant index and mask data of Swin's window attention, and timm's resizing of a relative
 * position bias table, computed on the host.
 *
 * <p>Legend: w window side, N = w² tokens per window, S = 2w−1 relative offsets per axis, G grid side,
 * s shift, nW = (G/w)² windows, H heads.
 */
public final class WindowGeometry {
    private WindowGeometry() {}

    /**
     * timm's get_relative_position_index: for tokens p = (hp, wp) and q = (hq, wq) of a window, the
     * row of the bias table [S², H] holding their offset, (hp − hq + w − 1)·S + (wp − wq + w − 1).
     * Returns [N·N] flattened row-major.
     */
    public static int[] relativePositionIndex(int w) {
        int n = w * w, s = 2 * w - 1;
        int[] index = new int[n * n];
        for (int p = 0; p < n; p++) {
            for (int q = 0; q < n; q++) {
                int dh = p / w - q / w + w - 1, dw = p % w - q % w + w - 1;
                index[p * n + q] = dh * s + dw;
            }
        }
        return index;
    }

    /**
     * The token order of timm's shifted window partition, roll(x, (−s, −s)) then window_partition,
     * as one permutation of the G² grid positions (row-major): entry t, for window-ordered token
     * t = window·N + position, is the grid position it is read from. Returns [G²].
     */
    public static int[] windowOrder(int g, int w, int s) {
        int per = g / w, n = w * w;
        int[] order = new int[g * g];
        for (int t = 0; t < order.length; t++) {
            int win = t / n, q = t % n;
            int r = (win / per) * w + q / w, c = (win % per) * w + q % w; // in the rolled grid
            order[t] = Math.floorMod(r + s, g) * g + Math.floorMod(c + s, g);
        }
        return order;
    }

    /**
     * The inverse of {@link #windowOrder}: timm's window_reverse then roll(x, (s, s)), as the
     * window-ordered token each grid position is read from. Returns [G²].
     */
    public static int[] gridOrder(int g, int w, int s) {
        return Shapes.inverse(windowOrder(g, w, s));
    }

    /**
     * timm's SwinTransformerBlock.get_attn_mask for a shifted block: label the G×G grid with the 3×3
     * regions that the cyclic shift brings together, partition into windows, and put −100 between
     * tokens of different regions, 0 elsewhere. Returns [nW, N, N] flattened.
     */
    public static float[] shiftedWindowMask(int g, int w, int s) {
        int[] region = new int[g * g];
        int[] bounds = {0, g - w, g - s, g};
        for (int hi = 0; hi < 3; hi++) {
            for (int wi = 0; wi < 3; wi++) {
                for (int y = bounds[hi]; y < bounds[hi + 1]; y++) {
                    for (int x = bounds[wi]; x < bounds[wi + 1]; x++) region[y * g + x] = hi * 3 + wi;
                }
            }
        }
        int per = g / w, n = w * w, windows = per * per;
        float[] mask = new float[windows * n * n];
        int[] ids = new int[n];
        for (int win = 0; win < windows; win++) {
            int wy = win / per, wx = win % per;
            for (int t = 0; t < n; t++) ids[t] = region[(wy * w + t / w) * g + wx * w + t % w];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) mask[(win * n + i) * n + j] = ids[j] - ids[i] != 0 ? -100f : 0f;
            }
        }
        return mask;
    }

    /**
     * timm.layers.resize_rel_pos_bias_table (its default path, without scipy), which Swin's
     * checkpoint_filter_fn applies: the source table [S², H] is read per head as an S×S grid placed
     * at offsets spaced by a geometric progression (ratio q found by bisection so that the source
     * reaches the destination's extent), and sampled at the integer offsets of the destination
     * D×D grid by bilinear interpolation on that uneven grid, clamped at the border
     * (timm.layers.RegularGridInterpolator). Float32 throughout, in timm's order of operations.
     *
     * @param table [srcS², heads]
     * @return [dstS², heads] where dstS = 2·newWindow − 1
     */
    public static float[] resizeBiasTable(float[] table, int heads, int newWindow) {
        int srcRows = table.length / heads;
        int src = (int) Math.round(Math.sqrt(srcRows));
        if (src * src != srcRows || srcRows * heads != table.length) {
            throw new IllegalArgumentException("relative position bias table of " + table.length + " values is not [S², " + heads + "]");
        }
        int dst = 2 * newWindow - 1;
        if (src == dst) return table.clone();
        float[] p = geometricOffsets(src, dst); // source positions along each axis
        int t = dst / 2;
        float[] target = new float[dst];
        for (int i = 0; i < dst; i++) target[i] = -t + i;
        // per destination coordinate: left/right source index and distances, as RegularGridInterpolator
        int[] left = new int[dst], right = new int[dst];
        float[] dl = new float[dst], dr = new float[dst];
        for (int i = 0; i < dst; i++) {
            float x = target[i];
            int r = 0;
            while (r < src && p[r] < x) r++; // torch.bucketize(right=False): count of p < x
            if (r >= src) r = src - 1;
            int l = Math.max(r - 1, 0);
            float a = x - p[l], b = p[r] - x;
            if (a < 0) a = 0f;
            if (b < 0) b = 0f;
            if (a == 0 && b == 0) a = b = 1f;
            left[i] = l;
            right[i] = r;
            dl[i] = a;
            dr[i] = b;
        }
        float[] out = new float[dst * dst * heads];
        for (int h = 0; h < heads; h++) {
            for (int y = 0; y < dst; y++) {
                for (int x = 0; x < dst; x++) {
                    float v00 = table[(left[y] * src + left[x]) * heads + h], v01 = table[(left[y] * src + right[x]) * heads + h];
                    float v10 = table[(right[y] * src + left[x]) * heads + h], v11 = table[(right[y] * src + right[x]) * heads + h];
                    float num = v00 * (dr[y] * dr[x]);
                    num += v01 * (dr[y] * dl[x]);
                    num += v10 * (dl[y] * dr[x]);
                    num += v11 * (dl[y] * dl[x]);
                    float den = (dl[y] + dr[y]) * (dl[x] + dr[x]);
                    out[(y * dst + x) * heads + h] = num / den;
                }
            }
        }
        return out;
    }

    /** timm's _calc: src offsets −Σ..., 0, ...Σ with gaps 1, q, q², ... (double, then stored as float32). */
    static float[] geometricOffsets(int src, int dst) {
        double left = 1.01, right = 1.5, q = 0;
        while (right - left > 1e-6) {
            q = (left + right) / 2.0;
            double gp = (1.0 - Math.pow(q, src / 2)) / (1.0 - q);
            if (gp > dst / 2) right = q;
            else left = q;
        }
        int half = src / 2;
        double[] dis = new double[half];
        double cur = 1;
        for (int i = 0; i < half; i++) {
            dis[i] = cur;
            cur += Math.pow(q, i + 1);
        }
        float[] out = new float[2 * half + 1];
        for (int i = 0; i < half; i++) {
            out[i] = (float) -dis[half - 1 - i];
            out[half + 1 + i] = (float) dis[i];
        }
        return out;
    }
}
