package org.vitarena.engine;

import org.vitarena.spi.ModelInfo;

/**
 * The memory a training step or an inference pass of a model at a batch size needs, estimated before
 * anything is allocated, from the model's {@link ModelInfo}: its parameters (float32 weights; for the
 * trainable ones also a gradient and AdamW's two moments) and the tensors its forward creates per image
 * (kept for the backward in training, and as many again for the gradients flowing back). An upper
 * bound: the memory pool reuses buffers and a frozen backbone keeps no graph.
 *
 * <p>{@link #check} refuses a configuration whose estimate is clearly above the Java heap, naming the
 * figures and what to change, instead of an {@code OutOfMemoryError} minutes into the run.
 */
public record MemoryEstimate(long weightBytes, long optimiserBytes, long activationBytes) {
    /** How far above the heap an estimate may go before it is refused: the estimate is an upper bound. */
    static final double SLACK = 1.5;

    public long total() {
        return weightBytes + optimiserBytes + activationBytes;
    }

    /**
     * @param trainable parameters that train (0 for inference; the head's alone with a frozen backbone)
     * @param train     a training step (activations and their gradients) rather than inference
     */
    public static MemoryEstimate of(ModelInfo info, int batch, long trainable, boolean train, boolean frozenBackbone) {
        long weights = info.params() * 4;
        long optimiser = trainable * 4 * 3; // gradient, exp_avg, exp_avg_sq
        long perImage = info.activationFloats() * 4;
        long activations = batch * perImage * (train && !frozenBackbone ? 2 : 1);
        return new MemoryEstimate(weights, optimiser, activations);
    }

    /**
     * @param what what is estimated, for the message ("training vit_large_patch16_384 at batch 64, 384 px")
     * @throws IllegalArgumentException when the estimate is more than {@value #SLACK} times the heap
     */
    public void check(String what, long maxHeapBytes) {
        if (total() <= SLACK * maxHeapBytes) return;
        throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                "%s needs about %.1f GiB (weights %.1f, optimiser %.1f, activations %.1f), but the Java heap is %.1f GiB: "
                        + "lower the batch or the image size, or give Java more memory (VITARENA_JAVA_OPTS=-Xmx...)",
                what, gib(total()), gib(weightBytes), gib(optimiserBytes), gib(activationBytes), gib(maxHeapBytes)));
    }

    private static double gib(long b) {
        return b / (double) (1L << 30);
    }
}
