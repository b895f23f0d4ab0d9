package org.vitarena.models.swin;

import org.junit.jupiter.api.Test;
import org.vitarena.core.Tensor;
import org.vitarena.core.ops.Shapes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The window constants and the bias-table resize, against values worked out by hand or timm's composed ops. */
class WindowGeometryTest {
    @Test
    void relativePositionIndexOfA2x2Window() {
        // S = 3; token p = (hp, wp): index = (hp - hq + 1)·3 + (wp - wq + 1)
        assertArrayEquals(new int[]{4, 3, 1, 0, 5, 4, 2, 1, 7, 6, 4, 3, 8, 7, 5, 4}, WindowGeometry.relativePositionIndex(2));
    }

    @Test
    void windowOrderIsTheRollThenThePartitionAndGridOrderUndoesIt() {
        for (int s : new int[]{0, 2, 3}) {
            int g = 12, w = 4, per = g / w, n = w * w;
            float[] ids = new float[g * g];
            for (int i = 0; i < ids.length; i++) ids[i] = i;
            // timm: torch.roll(x, (-s, -s), (1, 2)), then window_partition, composed of the separate ops
            Tensor x = Shapes.roll(Shapes.roll(Tensor.of(ids, 1, g, g, 1), 1, -s), 2, -s);
            Tensor windows = Shapes.permute(Shapes.reshape(x, 1, per, w, per, w, 1), 0, 1, 3, 2, 4, 5);
            assertArrayEquals(ints(windows.toArray()), WindowGeometry.windowOrder(g, w, s), "shift " + s);
            // window_reverse, then torch.roll(x, (s, s), (1, 2)), on the window-ordered token numbers
            Tensor back = Shapes.permute(Shapes.reshape(Tensor.of(ids, per * per, n, 1), 1, per, per, w, w, 1), 0, 1, 3, 2, 4, 5);
            back = Shapes.roll(Shapes.roll(Shapes.reshape(back, 1, g, g, 1), 1, s), 2, s);
            assertArrayEquals(ints(back.toArray()), WindowGeometry.gridOrder(g, w, s), "shift " + s);
        }
    }

    private static int[] ints(float[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (int) v[i];
        return r;
    }

    @Test
    void shiftMaskSeparatesTheRegionsTheRollJoins() {
        int g = 8, w = 4, s = 2, n = 16;
        float[] m = WindowGeometry.shiftedWindowMask(g, w, s);
        assertEquals(4 * n * n, m.length);
        for (int i = 0; i < n * n; i++) assertEquals(0f, m[i], "top-left window is one region"); // window 0
        // window 3 (bottom-right) holds 4 regions: rows 0-1 vs 2-3 and columns 0-1 vs 2-3 of the window
        int base = 3 * n * n;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                boolean same = (i / w < 2) == (j / w < 2) && (i % w < 2) == (j % w < 2);
                assertEquals(same ? 0f : -100f, m[base + i * n + j], "window 3 token " + i + " vs " + j);
            }
        }
    }

    @Test
    void resizingFrom3x3To5x5ReplicatesTheBorder() {
        // src offsets: one step, gap ratio irrelevant: positions -1, 0, 1; destination -2..2 is clamped at ±1
        float[] table = new float[9 * 2];
        for (int i = 0; i < 9; i++) {
            table[i * 2] = i;
            table[i * 2 + 1] = -10 * i;
        }
        float[] out = WindowGeometry.resizeBiasTable(table, 2, 3);
        int[] src = {0, 0, 1, 2, 2};
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 5; x++) {
                float want = src[y] * 3 + src[x];
                assertEquals(want, out[(y * 5 + x) * 2], 0f);
                assertEquals(-10 * want, out[(y * 5 + x) * 2 + 1], 0f);
            }
        }
    }

    @Test
    void resizingKeepsConstantsAndTheCentre() {
        int heads = 3, src = 13, dst = 23; // window 7 → 12, as for swin 224 → 384
        float[] table = new float[src * src * heads];
        for (int i = 0; i < src * src; i++) {
            table[i * heads] = 0.25f;
            table[i * heads + 1] = (float) Math.sin(i);
            table[i * heads + 2] = i;
        }
        float[] out = WindowGeometry.resizeBiasTable(table, heads, 12);
        assertEquals(dst * dst * heads, out.length);
        for (int i = 0; i < dst * dst; i++) assertEquals(0.25f, out[i * heads], 1e-6f);
        int cs = src / 2 * src + src / 2, cd = dst / 2 * dst + dst / 2;
        assertEquals(table[cs * heads + 1], out[cd * heads + 1], 0f);
        assertEquals(table[cs * heads + 2], out[cd * heads + 2], 0f);
        // a smaller window reads inside the source grid (q clamps at 1.01, the offsets spread beyond ±dst/2)
        float[] down = WindowGeometry.resizeBiasTable(table, heads, 4);
        assertEquals(49 * heads, down.length);
        assertArrayEquals(table, WindowGeometry.resizeBiasTable(table, heads, 7));
    }
}
