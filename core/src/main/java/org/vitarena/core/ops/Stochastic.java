package org.vitarena.core.ops;

import org.vitarena.core.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Regularisers drawn from a seeded RNG so a run is reproducible. The mask is drawn on the host and
 * multiplied in, so its backward is the same multiplication.
 *
 * <p>Every model's stochastic depth goes through {@link #dropPath(Tensor, float)}, so a
 * {@link DropPathReplay} installed on the thread can count the drop-path sites of a forward or
 * dictate their per-sample keep/drop decisions (to replay a reference run whose RNG cannot be
 * reproduced).
 */
public final class Stochastic {
    private Stochastic() {}

    private static final ThreadLocal<DropPathReplay> REPLAY = new ThreadLocal<>();

    /** Dropout drawing from {@link StepRandom}. */
    public static Tensor dropout(Tensor x, float p) {
        return dropout(x, p, StepRandom.get());
    }

    /** Drop-path drawing from {@link StepRandom}, or as the installed {@link DropPathReplay} says. */
    public static Tensor dropPath(Tensor x, float p) {
        return dropPath(x, p, StepRandom.get());
    }

    /** Inverted dropout: each element kept with probability 1−p and scaled by 1/(1−p). */
    public static Tensor dropout(Tensor x, float p, SplittableRandom rng) {
        if (p <= 0f) return x;
        float keep = 1f - p, s = 1f / keep;
        float[] mask = new float[x.size()];
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextDouble() < keep ? s : 0f;
        return Arith.mul(x, Tensor.of(mask, x.shape()));
    }

    /**
     * Stochastic depth (timm's drop_path): each sample of x [B, ...] is zeroed with probability p,
     * the kept ones scaled by 1/(1−p). With a {@link DropPathReplay} installed on this thread the
     * call (if p &gt; 0) is a site of that replay, which decides instead of {@code rng}.
     */
    public static Tensor dropPath(Tensor x, float p, SplittableRandom rng) {
        if (p <= 0f) return x;
        DropPathReplay replay = REPLAY.get();
        int b = x.dim(0);
        int site = replay == null ? -1 : replay.record(p, b);
        if (replay != null && replay.decision == null) return x; // counting: no drop-path at all
        float keep = 1f - p, s = 1f / keep;
        float[] mask = new float[b];
        for (int i = 0; i < b; i++) {
            boolean kept = replay == null ? rng.nextDouble() < keep : replay.decision.keep(site, i);
            mask[i] = kept ? s : 0f;
        }
        int[] ms = new int[x.rank()];
        java.util.Arrays.fill(ms, 1);
        ms[0] = b;
        return Arith.mul(x, Tensor.of(mask, ms));
    }

    /** The replay installed on this thread, or null. */
    public static DropPathReplay currentReplay() {
        return REPLAY.get();
    }

    /**
     * Overrides the drop-path decisions of this thread while open (use with try-with-resources).
     * The calls of {@link Stochastic#dropPath} with a rate &gt; 0 made while it is installed are its
     * sites, numbered 0, 1, ... in call order; it records each site's rate and batch size.
     * <ul>
     *   <li>{@link #counting()}: drop-path is the identity (a training pass without stochastic
     *       depth) and the sites are only counted;</li>
     *   <li>{@link #replaying(Decision)}: sample {@code i} at site {@code s} is kept (scaled by
     *       1/(1−p)) when {@code decision.keep(s, i)}, else zeroed.</li>
     * </ul>
     * Install a fresh one per forward pass so site numbers restart at 0. Closing restores whatever
     * was installed before.
     */
    public static final class DropPathReplay implements AutoCloseable {
        /** The per-sample decision at a site: true keeps sample {@code sample} at site {@code site}. */
        @FunctionalInterface
        public interface Decision {
            boolean keep(int site, int sample);
        }

        private final Decision decision;
        private final List<Float> rates = new ArrayList<>();
        private final List<Integer> batches = new ArrayList<>();
        private final DropPathReplay previous;
        private final Thread owner = Thread.currentThread();
        private boolean closed;

        private DropPathReplay(Decision decision) {
            this.decision = decision;
            this.previous = REPLAY.get();
            REPLAY.set(this);
        }

        /** Installs a replay that only counts the sites; drop-path does nothing meanwhile. */
        public static DropPathReplay counting() {
            return new DropPathReplay(null);
        }

        /** Installs a replay whose decisions come from {@code decision}. */
        public static DropPathReplay replaying(Decision decision) {
            if (decision == null) throw new IllegalArgumentException("decision is null (use counting())");
            return new DropPathReplay(decision);
        }

        /**
         * Installs a replay from masks: {@code keep[s][i]} says whether sample i is kept at site s.
         * A site beyond the array is an error.
         */
        public static DropPathReplay replaying(boolean[][] keep) {
            return replaying((s, i) -> {
                if (s >= keep.length) throw new IllegalStateException("drop-path site " + s + " but only " + keep.length + " replayed");
                return keep[s][i];
            });
        }

        private int record(float p, int batch) {
            rates.add(p);
            batches.add(batch);
            return rates.size() - 1;
        }

        /** Whether this replay only counts (drop-path is the identity). */
        public boolean isCounting() {
            return decision == null;
        }

        /** The number of drop-path calls with rate &gt; 0 seen so far. */
        public int sites() {
            return rates.size();
        }

        public float rate(int site) {
            return rates.get(site);
        }

        public int batch(int site) {
            return batches.get(site);
        }

        public float[] rates() {
            float[] r = new float[rates.size()];
            for (int i = 0; i < r.length; i++) r[i] = rates.get(i);
            return r;
        }

        @Override
        public void close() {
            if (closed) return;
            if (Thread.currentThread() != owner) throw new IllegalStateException("a DropPathReplay must be closed on the thread that installed it");
            if (REPLAY.get() != this) throw new IllegalStateException("DropPathReplay closed out of order (another one installed after it is still open)");
            closed = true;
            if (previous == null) REPLAY.remove();
            else REPLAY.set(previous);
        }
    }
}
