package org.vitarena.distributed;

import org.vitarena.core.Tensor;
import org.vitarena.engine.GradientReducer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/**
 * Gradients averaged over the ranks with {@code MPI_Allreduce}: every gradient is copied, in the
 * map's order, into one native float buffer, which is summed in place in buckets of
 * {@link #bucketFloats} floats (one MPI call each), divided by the rank count and copied back.
 * Every rank holds the same model, so the layout is the same on every rank.
 */
public final class MpiGradientReducer implements GradientReducer {
    /** 4 Mi floats (16 MiB) per MPI_Allreduce call. */
    public static final int DEFAULT_BUCKET_FLOATS = 4 << 20;

    private final Mpi mpi;
    private final int bucketFloats;
    private final Arena arena = Arena.ofAuto();
    private MemorySegment buffer = MemorySegment.NULL;
    private long reduceNanos, allreduceNanos, reductions;

    public MpiGradientReducer(Mpi mpi) {
        this(mpi, DEFAULT_BUCKET_FLOATS);
    }

    public MpiGradientReducer(Mpi mpi, int bucketFloats) {
        if (bucketFloats < 1) throw new IllegalArgumentException("bucketFloats must be >= 1, got " + bucketFloats);
        this.mpi = mpi;
        this.bucketFloats = bucketFloats;
    }

    @Override public int rank() { return mpi.rank(); }

    @Override public int size() { return mpi.size(); }

    @Override
    public void reduce(Map<String, Tensor> trainable) {
        long t0 = System.nanoTime();
        long total = 0;
        for (Tensor p : trainable.values()) if (p.grad() != null) total += p.size();
        if (buffer.byteSize() < total * Float.BYTES) buffer = arena.allocate(total * Float.BYTES, 64);
        long off = 0;
        for (Tensor p : trainable.values()) {
            if (p.grad() == null) continue; // the same parameters have none on every rank: the same graph
            float[] g = p.grad().toArray();
            MemorySegment.copy(g, 0, buffer, ValueLayout.JAVA_FLOAT, off * Float.BYTES, g.length);
            off += g.length;
        }
        long t1 = System.nanoTime();
        for (long start = 0; start < total; start += bucketFloats) {
            int n = (int) Math.min(bucketFloats, total - start);
            mpi.allreduceSumFloats(buffer.asSlice(start * Float.BYTES, (long) n * Float.BYTES), n);
        }
        allreduceNanos += System.nanoTime() - t1;
        float ranks = mpi.size();
        off = 0;
        for (Tensor p : trainable.values()) {
            if (p.grad() == null) continue;
            float[] g = new float[p.size()];
            MemorySegment.copy(buffer, ValueLayout.JAVA_FLOAT, off * Float.BYTES, g, 0, g.length);
            for (int i = 0; i < g.length; i++) g[i] /= ranks;
            p.grad().copyFrom(g);
            off += g.length;
        }
        reduceNanos += System.nanoTime() - t0;
        reductions++;
    }

    @Override
    public double[] allGather(double value) {
        int n = mpi.size();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate((long) n * Double.BYTES, 8); // zeroed: the sum leaves each rank's value in its slot
            buf.setAtIndex(ValueLayout.JAVA_DOUBLE, mpi.rank(), value);
            mpi.allreduceSumDoubles(buf, n);
            return buf.toArray(ValueLayout.JAVA_DOUBLE);
        }
    }

    /** Time in {@link #reduce} (copies included) and in the MPI_Allreduce calls alone, in nanoseconds, and the number of reductions. */
    public long reduceNanos() { return reduceNanos; }

    public long allreduceNanos() { return allreduceNanos; }

    public long reductions() { return reductions; }
}
