package org.vitarena.core;

import org.junit.jupiter.api.Test;
import org.vitarena.core.backend.Backends;
import org.vitarena.core.nn.Block;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Linalg;
import org.vitarena.core.ops.Norms;
import org.vitarena.core.ops.Shapes;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pooled steps must compute exactly what unpooled ones do: same loss, same gradients, bit for bit,
 * on a graph with residuals (one tensor feeding two nodes), views (reshape shares memory), a
 * pass-through gradient (add returns its gradient to both inputs) and stale reused buffers. The
 * suite runs with {@code vitarena.pool.poison=true}, so any buffer released too early is NaN.
 */
class MemoryPoolTest {
    private static final int B = 2, N = 5, D = 16;

    private static float[] input(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[B * N * D];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    /** Two blocks, a residual, a reshape view, a head; returns the loss. */
    private static Tensor loss(Block b1, Block b2, Tensor head, float[] x) {
        Tensor h = b1.forward(Tensor.of(x, B, N, D));
        Tensor h2 = Arith.add(b2.forward(h), h); // h feeds two nodes; add passes its gradient through
        Tensor flat = Shapes.reshape(h2, B, N * D); // a view of h2's memory
        Tensor logits = Linalg.linear(flat, head, null);
        return Norms.crossEntropy(logits, new int[]{1, 2}, 0.1f);
    }

    private static Map<String, float[]> run(boolean pooled, int steps) {
        SplittableRandom rng = new SplittableRandom(7);
        Block b1 = new Block(D, 2, 2f, true, null, 0f, 0f, 0f, 1e-6f, rng);
        Block b2 = new Block(D, 2, 2f, true, 0.5f, 0f, 0f, 0f, 1e-6f, rng);
        float[] w = new float[3 * N * D];
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextDouble() - 0.5) * 0.2f;
        Tensor head = Tensor.parameter(w, 3, N * D);
        MemoryPool pool = new MemoryPool(Backends.current());
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int s = 0; s < steps; s++) {
            b1.zeroGrad();
            b2.zeroGrad();
            head.zeroGrad();
            float lv;
            if (pooled) {
                try (var step = pool.open()) {
                    Tensor loss = loss(b1, b2, head, input(s));
                    loss.backward();
                    lv = loss.item(); // the root stays valid after backward
                }
            } else {
                Tensor loss = loss(b1, b2, head, input(s));
                loss.backward();
                lv = loss.item();
            }
            out.put("loss" + s, new float[]{lv});
            int step = s;
            b1.namedParameters().forEach((k, t) -> out.put(step + ".b1." + k, t.grad().toArray()));
            b2.namedParameters().forEach((k, t) -> out.put(step + ".b2." + k, t.grad().toArray()));
            out.put(step + ".head", head.grad().toArray());
        }
        if (pooled) {
            long[] st = pool.stats();
            out.put("stats", new float[]{st[0], st[1]});
        }
        return out;
    }

    @Test
    void pooledStepsEqualUnpooledBitForBit() {
        Map<String, float[]> plain = run(false, 3), pooled = run(true, 3);
        float[] stats = pooled.remove("stats");
        assertEquals(plain.keySet(), pooled.keySet());
        for (String k : plain.keySet()) {
            float[] a = plain.get(k), b = pooled.get(k);
            for (float v : b) assertFalse(Float.isNaN(v), k + " read a released buffer");
            assertArrayEquals(a, b, 0f, k);
        }
        // steps 2 and 3 are served from the pool, and step 1 already reused memory freed during its backward
        assertTrue(stats[1] > stats[0] * 2 / 3, "reused " + stats[1] + " of " + stats[0]);
    }

    @Test
    void backwardReleasesDeadMemoryEarly() {
        SplittableRandom rng = new SplittableRandom(3);
        Block blk = new Block(D, 2, 2f, true, null, 0f, 0f, 0f, 1e-6f, rng);
        MemoryPool pool = new MemoryPool(Backends.current());
        try (var step = pool.open()) {
            Tensor y = blk.forward(Tensor.of(input(1), B, N, D));
            Tensor loss = Norms.crossEntropy(Shapes.reshape(y, B * N, D), new int[B * N], 0f);
            long before = pool.pooledFloats();
            loss.backward();
            // activations and gradients went back to the pool before the scope closed
            assertTrue(pool.pooledFloats() > before, "nothing released during backward");
        }
        assertNotNull(blk.namedParameters().get("attn.qkv.weight").grad());
    }

    @Test
    void keptAndPersistentTensorsSurvive() {
        SplittableRandom rng = new SplittableRandom(5);
        Block blk = new Block(D, 2, 2f, true, null, 0f, 0f, 0f, 1e-6f, rng);
        MemoryPool pool = new MemoryPool(Backends.current());
        float[] keptValues, survivor;
        Tensor persistent;
        try (var step = pool.open()) {
            Tensor y = blk.forward(Tensor.of(input(2), B, N, D));
            step.keep(y);
            float[] before = y.toArray();
            Tensor loss = Norms.crossEntropy(Shapes.reshape(y, B * N, D), new int[B * N], 0f);
            loss.backward();
            keptValues = y.toArray();
            assertArrayEquals(before, keptValues, 0f, "a kept activation was overwritten");
            persistent = MemoryPool.persistent(y::copy);
            survivor = persistent.toArray();
        }
        try (var step = pool.open()) { // reuses every buffer of the first scope
            blk.forward(Tensor.of(input(3), B, N, D));
        }
        assertArrayEquals(survivor, persistent.toArray(), 0f, "a persistent copy was drawn from the pool");
        for (var p : blk.namedParameters().values()) {
            for (float v : p.grad().toArray()) assertFalse(Float.isNaN(v), "leaf gradients must not be pooled");
        }
    }

    @Test
    void poisonMarksReleasedMemory() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("vitarena.pool.poison"));
        MemoryPool pool = new MemoryPool(Backends.current());
        Tensor t;
        try (var step = pool.open()) {
            t = Arith.scale(Tensor.of(new float[]{1, 2, 3}, 3), 2f);
            assertArrayEquals(new float[]{2, 4, 6}, t.toArray(), 0f);
        }
        for (float v : t.toArray()) assertTrue(Float.isNaN(v), "released memory is poisoned under the test suite");
    }
}
