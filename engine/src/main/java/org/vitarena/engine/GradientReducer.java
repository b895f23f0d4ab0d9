package org.vitarena.engine;

import org.vitarena.core.Tensor;

import java.util.Map;

/**
 * How the gradients of one optimiser update are combined across the processes of a data-parallel
 * run, before clipping and the optimiser step. A run of {@link #size()} ranks gives every rank a
 * contiguous slice of each global micro-batch; after {@link #reduce} every rank holds the mean of the
 * ranks' gradients, which is the gradient of the whole batch, so every rank takes the same step.
 *
 * <p>{@link #LOCAL} (one process) does nothing: the single-process path is unchanged. An MPI
 * implementation lives in the {@code vitarena-distributed} module.
 */
public interface GradientReducer {
    /** One process: nothing to combine. */
    GradientReducer LOCAL = new GradientReducer() {
        @Override public int rank() { return 0; }
        @Override public int size() { return 1; }
        @Override public void reduce(Map<String, Tensor> trainable) {}
        @Override public double[] allGather(double value) { return new double[] {value}; }
    };

    /** This process's rank, 0 .. size-1; rank 0 writes the run folder. */
    int rank();

    /** The number of processes. */
    int size();

    /** Replaces every gradient of {@code trainable} by its mean over the ranks (in the map's order, on every rank). */
    void reduce(Map<String, Tensor> trainable);

    /** Every rank's {@code value}, indexed by rank (a collective: every rank calls it). */
    double[] allGather(double value);

    /** The mean of {@code value} over the ranks (a collective). */
    default double mean(double value) {
        double s = 0;
        for (double v : allGather(value)) s += v;
        return s / size();
    }

    default boolean isDistributed() {
        return size() > 1;
    }
}
