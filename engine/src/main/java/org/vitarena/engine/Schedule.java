package org.vitarena.engine;

/**
 * Learning rate per optimiser update: linear warmup from lr/100 over {@code warmup} updates, then a
 * cosine from lr to minLr over the rest (timm's CosineLRScheduler with t_in_epochs=False). Stepped
 * per update, so gradient accumulation changes nothing; a pure function of the update index, so
 * resuming needs no scheduler state beyond that index.
 */
public record Schedule(float lr, float minLr, long warmup, long total) {
    public float at(long update) {
        if (update < warmup) {
            float start = lr / 100f;
            return start + (lr - start) * update / (float) warmup;
        }
        long span = Math.max(1, total - warmup);
        double t = Math.min(1.0, (update - warmup) / (double) span);
        return (float) (minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * t)));
    }
}
