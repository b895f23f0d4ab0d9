package org.vitarena.data;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.math3.random.Well19937c;

/**
 * Deterministic parallel batches of a {@link Dataset}.
 *
 * <p>Legend: B batch size, S image side, K classes. The epoch order is a shuffle seeded by
 * (seed, epoch); each sample's augmentation generator by (seed, epoch, dataset index); the mixing of
 * batch j by (seed, epoch, j). So batch j of epoch e has the same bytes for any thread count, and
 * {@link #epoch(int, int)} resumes a run exactly at batch j. Batches are built on a thread pool,
 * at most {@code prefetch} ahead of the consumer.
 *
 * <pre>
 * try (DataLoader train = DataLoader.builder(ds).setBatchSize(128).optAugment(AugmentConfig.paperTrain(224))
 *         .optShuffle(true).optDropLast(true).optSeed(42).build();
 *      DataLoader.Epoch it = train.epoch(epoch, startBatch)) {
 *     while (it.hasNext()) { DataLoader.Batch b = it.next(); ... }
 * }
 * </pre>
 */
public final class DataLoader implements AutoCloseable {

    /**
     * One batch.
     *
     * @param images {@code [B, 3, S, S]} normalised, NCHW
     * @param labels {@code [B]} hard labels (-1 for unlabelled images)
     * @param softTargets {@code [B, K]} mixed, smoothed targets, or null when mixing is off
     * @param epoch the epoch it belongs to
     * @param index its index within the epoch
     */
    public record Batch(float[] images, int size, int imgSize, int[] labels, float[] softTargets, int epoch, int index) {}

    private final Dataset dataset;
    private final int batchSize;
    private final AugmentConfig aug;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private final int threads;
    private final int prefetch;
    private final RandAugment randAugment;
    private final Mixup mixup;
    private ExecutorService pool;
    /** Image buffers of consumed batches, handed back by {@link #recycle}; at most {@code prefetch + 2} are kept. */
    private final java.util.concurrent.ConcurrentLinkedDeque<float[]> spare = new java.util.concurrent.ConcurrentLinkedDeque<>();

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.aug = b.augment != null ? b.augment : AugmentConfig.eval(b.dataset.imageSize());
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.seed = b.seed;
        this.threads = b.threads;
        this.prefetch = b.prefetch > 0 ? b.prefetch : b.threads + 1;
        this.randAugment = aug.randAugmentOps() > 0 ? new RandAugment(aug.randAugmentOps(), aug.randAugmentMagnitude()) : null;
        this.mixup = aug.mixing() ? new Mixup(aug.mixupAlpha(), aug.cutmixAlpha(), aug.mixProb(), aug.switchProb(), aug.labelSmoothing(), dataset.numClasses()) : null;
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** Builder: {@code setX} for the required batch size, {@code optX} for the rest. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = -1;
        private AugmentConfig augment;
        private boolean shuffle;
        private boolean dropLast;
        private long seed;
        private int threads = Runtime.getRuntime().availableProcessors();
        private int prefetch;

        private Builder(Dataset dataset) {
            this.dataset = dataset;
        }

        public Builder setBatchSize(int b) { this.batchSize = b; return this; }
        /** Transforms; default {@link AugmentConfig#eval} at the dataset's own size. */
        public Builder optAugment(AugmentConfig a) { this.augment = a; return this; }
        public Builder optShuffle(boolean s) { this.shuffle = s; return this; }
        public Builder optDropLast(boolean d) { this.dropLast = d; return this; }
        public Builder optSeed(long s) { this.seed = s; return this; }
        public Builder optThreads(int n) { this.threads = n; return this; }
        /** Batches built ahead of the consumer; default threads + 1. */
        public Builder optPrefetch(int n) { this.prefetch = n; return this; }

        public DataLoader build() {
            if (batchSize <= 0) throw new IllegalArgumentException("setBatchSize is required and must be positive");
            if (threads <= 0) throw new IllegalArgumentException("threads must be positive");
            return new DataLoader(this);
        }
    }

    public Dataset dataset() { return dataset; }
    public int batchSize() { return batchSize; }
    public AugmentConfig augment() { return aug; }

    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The dataset indices of epoch {@code epoch}, in order. */
    public int[] order(int epoch) {
        int n = dataset.size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        if (shuffle) {
            SplittableRandom r = new SplittableRandom(Seeds.mix(seed, epoch, 0x5A0FL));
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
        }
        return idx;
    }

    /** All batches of an epoch from the first. */
    public Epoch epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /** The batches of an epoch from batch {@code startBatch} on (exact resume). */
    public Epoch epoch(int epoch, int startBatch) {
        if (startBatch < 0 || startBatch > batchesPerEpoch()) throw new IllegalArgumentException("startBatch " + startBatch + " of " + batchesPerEpoch());
        synchronized (this) {
            if (pool == null) {
                pool = Executors.newFixedThreadPool(threads, r -> {
                    Thread t = new Thread(r, "vitarena-loader");
                    t.setDaemon(true);
                    return t;
                });
            }
        }
        return new Epoch(epoch, startBatch, order(epoch));
    }

    /** Builds batch {@code index} of {@code epoch} on the calling thread. */
    public Batch batch(int epoch, int index) {
        return makeBatch(epoch, index, order(epoch));
    }

    private Batch makeBatch(int epoch, int index, int[] order) {
        int from = index * batchSize;
        int b = Math.min(batchSize, order.length - from);
        int s = aug.imgSize();
        int img = 3 * s * s;
        float[] images = buffer(b * img);
        int[] labels = new int[b];
        for (int k = 0; k < b; k++) {
            int i = order[from + k];
            labels[k] = dataset.label(i);
            float[] x = sample(i, new SplittableRandom(Seeds.mix(seed, epoch, i, 0xA06L)));
            System.arraycopy(x, 0, images, k * img, img);
        }
        float[] soft = null;
        if (mixup != null) {
            for (int l : labels) {
                if (l < 0) throw new IllegalStateException("mixup needs labelled images; this dataset has unlabelled ones");
            }
            long ms = Seeds.mix(seed, epoch, index, 0x31FL);
            soft = mixup.apply(images, labels, b, s, new Well19937c(new int[] {(int) ms, (int) (ms >>> 32)}), null);
        }
        return new Batch(images, b, s, labels, soft, epoch, index);
    }

    /**
     * Hands a consumed batch's image buffer back for reuse by a later batch: a batch lives from its
     * build on a loader thread until the step that reads it ends, long enough for a collector to
     * promote it, so fresh buffers every step would fill the old generation with garbage (56 MiB per
     * batch of 32 at 384 px). Call it only when nothing reads {@code batch.images()} any more.
     */
    public void recycle(Batch batch) {
        if (spare.size() < prefetch + 2) spare.push(batch.images());
    }

    /** A buffer of exactly {@code n} floats, recycled when one of that size is spare; the caller overwrites all of it. */
    private float[] buffer(int n) {
        for (var it = spare.iterator(); it.hasNext(); ) {
            float[] a = it.next();
            if (a.length == n && spare.removeFirstOccurrence(a)) return a;
        }
        return new float[n];
    }

    /** One sample through the per-sample transforms: normalised CHW of side S. */
    float[] sample(int i, SplittableRandom r) {
        int src = dataset.imageSize();
        int s = aug.imgSize();
        byte[] rgb = dataset.loadRgb(i);
        if (aug.randomResizedCrop()) {
            Transforms.Crop c = Transforms.randomResizedCropParams(r, src, src, aug.scaleMin(), aug.scaleMax(), aug.ratioMin(), aug.ratioMax());
            rgb = Transforms.resizedCrop(rgb, src, src, c, s);
        } else if (src != s) {
            rgb = Images.resizeRgb(rgb, src, src, s, s);
        }
        if (aug.hflipProb() > 0 && r.nextDouble() < aug.hflipProb()) Transforms.hflip(rgb, s, s);
        if (randAugment != null) rgb = randAugment.apply(rgb, s, s, r);
        float[] x = Transforms.normalize(rgb, s, s, aug.mean(), aug.std());
        if (aug.reprob() > 0) Transforms.randomErasing(x, 3, s, s, aug.reprob(), r);
        return x;
    }

    /** An epoch's batches, built in the background; close it to cancel what is still in flight. */
    public final class Epoch implements Iterator<Batch>, AutoCloseable {
        private final int epoch;
        private final int[] order;
        private final int end;
        private int submitted;
        private final ArrayDeque<Future<Batch>> queue = new ArrayDeque<>();

        private Epoch(int epoch, int start, int[] order) {
            this.epoch = epoch;
            this.order = order;
            this.end = batchesPerEpoch();
            this.submitted = start;
            fill();
        }

        private void fill() {
            while (queue.size() < prefetch && submitted < end) {
                int index = submitted++;
                queue.add(pool.submit(() -> makeBatch(epoch, index, order)));
            }
        }

        @Override
        public boolean hasNext() {
            return !queue.isEmpty();
        }

        @Override
        public Batch next() {
            Future<Batch> f = queue.poll();
            if (f == null) throw new NoSuchElementException();
            fill();
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw new IllegalStateException(e.getCause());
            }
        }

        @Override
        public void close() {
            for (Future<Batch> f : queue) f.cancel(true);
            queue.clear();
            submitted = end;
        }
    }

    @Override
    public synchronized void close() {
        if (pool != null) pool.shutdownNow();
        pool = null;
    }
}
