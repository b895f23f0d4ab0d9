package org.vitarena.core.ops;

import org.junit.jupiter.api.Test;
import org.vitarena.core.Tensor;
import org.vitarena.core.nn.DropPath;
import org.vitarena.core.testing.GradCheck;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vitarena.core.testing.GradCheck.check;
import static org.vitarena.core.testing.GradCheck.param;

/** {@link Stochastic.DropPathReplay}: counting, replayed values, gradients, nesting. */
class DropPathReplayTest {
    private final SplittableRandom rng = new SplittableRandom(77);

    @Test
    void countingRecordsSitesWithRateAndBatchAndLeavesTheInput() {
        Tensor x = Tensor.of(GradCheck.random(rng, 3 * 4, -1, 1), 3, 4);
        try (var c = Stochastic.DropPathReplay.counting()) {
            assertSame(c, Stochastic.currentReplay());
            assertTrue(c.isCounting());
            assertSame(x, Stochastic.dropPath(x, 0.25f));
            assertSame(x, Stochastic.dropPath(x, 0f)); // rate 0 is no site
            assertSame(x, new DropPath(0.5f).apply(x, true));
            assertSame(x, new DropPath(0.5f).apply(x, false)); // evaluation: no call at all
            assertSame(x, Stochastic.dropPath(x, 0.1f, new SplittableRandom(1))); // the explicit-RNG overload too
            assertEquals(3, c.sites());
            assertArrayEquals(new float[]{0.25f, 0.5f, 0.1f}, c.rates());
            assertEquals(3, c.batch(0));
        }
        assertNull(Stochastic.currentReplay());
    }

    @Test
    void replayKeepsAndScalesOrZeroesEachSampleAsDecided() {
        float p = 0.2f, s = 1f / (1f - p);
        float[] data = GradCheck.random(rng, 3 * 2 * 2, -1, 1);
        Tensor x = Tensor.of(data, 3, 2, 2);
        boolean[][] keep = {{true, false, true}, {false, true, true}};
        float[] y0, y1;
        try (var r = Stochastic.DropPathReplay.replaying(keep)) {
            y0 = Stochastic.dropPath(x, p).toArray();
            y1 = new DropPath(p).apply(x, true).toArray();
            assertEquals(2, r.sites());
            assertThrows(IllegalStateException.class, () -> Stochastic.dropPath(x, p));
        }
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(keep[0][i] ? data[i * 4 + j] * s : 0f, y0[i * 4 + j], 0f);
                assertEquals(keep[1][i] ? data[i * 4 + j] * s : 0f, y1[i * 4 + j], 0f);
            }
        }
    }

    @Test
    void replayedDropPathGradientMatchesFiniteDifferences() {
        boolean[][] keep = {{false, true, true, false}};
        check("replayed dropPath", t -> {
            try (var ignored = Stochastic.DropPathReplay.replaying(keep)) {
                return Stochastic.dropPath(t[0], 0.3f);
            }
        }, 1e-2, 2e-2, param(rng, 4, 3, 2));
    }

    @Test
    void withoutAReplayDrawsComeFromStepRandom() {
        Tensor x = Tensor.of(GradCheck.random(rng, 64 * 2, -1, 1), 64, 2);
        StepRandom.reset(5, 3);
        float[] a = Stochastic.dropPath(x, 0.5f).toArray();
        StepRandom.reset(5, 3);
        float[] b = Stochastic.dropPath(x, 0.5f).toArray();
        assertArrayEquals(a, b);
        int dropped = 0;
        for (int i = 0; i < 64; i++) if (a[2 * i] == 0f && a[2 * i + 1] == 0f) dropped++;
        assertTrue(dropped > 10 && dropped < 54, dropped + " of 64 dropped at p=0.5");
    }

    @Test
    void nestedReplaysRestoreTheOuterOneAndMustCloseInOrder() {
        try (var outer = Stochastic.DropPathReplay.counting()) {
            var inner = Stochastic.DropPathReplay.replaying((s, i) -> true);
            assertThrows(IllegalStateException.class, outer::close);
            inner.close();
            assertSame(outer, Stochastic.currentReplay());
        }
        assertNull(Stochastic.currentReplay());
    }
}
