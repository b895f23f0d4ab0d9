package org.vitarena.engine;

import org.vitarena.core.MemoryPool;
import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.core.ops.Norms;
import org.vitarena.data.AugmentConfig;
import org.vitarena.data.DataLoader;
import org.vitarena.data.Dataset;

/**
 * Evaluation: acc@1, acc@5, mean cross-entropy and per-class accuracy over a loader, in eval mode
 * without gradients (a distilled DeiT averages its two heads). Legend: B batch, K classes.
 */
public final class Evaluator {
    private Evaluator() {}

    /**
     * @param sample first images kept for a prediction grid: images [n, 3, S, S] (normalised), labels, predictions
     */
    public record Result(double acc1, double acc5, double loss, int images, int[] correctPerClass, int[] totalPerClass,
                         double imgPerSec, Sample sample) {}

    public record Sample(float[] images, int n, int size, int[] labels, int[] predicted) {}

    /** Evaluates on a validation split with the evaluation transform at the model's input size, every core loading. */
    public static Result evaluate(VisionModel model, Dataset val, int batch) {
        try (DataLoader loader = DataLoader.builder(val).setBatchSize(batch).optAugment(AugmentConfig.eval(model.imgSize()))
                .optShuffle(false).optSeed(0).optThreads(Runtime.getRuntime().availableProcessors()).build()) {
            return evaluate(model, loader, 0);
        }
    }

    /** Evaluates over a loader, keeping the first {@code keepSamples} images for a prediction grid. */
    public static Result evaluate(VisionModel model, DataLoader loader, int keepSamples) {
        int k = model.numClasses();
        int[] correct = new int[k], total = new int[k];
        long top1 = 0, top5 = 0, n = 0;
        double lossSum = 0;
        boolean wasTraining = model.training();
        model.train(false);
        long t0 = System.nanoTime();
        float[] keptImages = null;
        int[] keptLabels = new int[keepSamples], keptPred = new int[keepSamples];
        int kept = 0, size = 0;
        MemoryPool pool = new MemoryPool(org.vitarena.core.backend.Backends.current());
        try (var ignored = NoGrad.scope(); DataLoader.Epoch it = loader.epoch(0)) {
            while (it.hasNext()) {
                DataLoader.Batch b = it.next();
                size = b.imgSize();
                float[] l;
                try (var step = pool.open()) {
                    Tensor logits = model.forward(Tensor.input(b.images(), b.size(), 3, b.imgSize(), b.imgSize()));
                    lossSum += Norms.crossEntropy(logits, b.labels(), 0f).item() * b.size();
                    l = logits.toArray();
                }
                for (int i = 0; i < b.size(); i++) {
                    int y = b.labels()[i];
                    int rank = 0;
                    float ly = l[i * k + y];
                    int argmax = 0;
                    for (int c = 0; c < k; c++) {
                        float v = l[i * k + c];
                        if (v > ly || (v == ly && c < y)) rank++;
                        if (v > l[i * k + argmax]) argmax = c;
                    }
                    if (rank == 0) {
                        top1++;
                        correct[y]++;
                    }
                    if (rank < 5) top5++;
                    total[y]++;
                    if (kept < keepSamples) {
                        int img = 3 * size * size;
                        if (keptImages == null) keptImages = new float[keepSamples * img];
                        System.arraycopy(b.images(), i * img, keptImages, kept * img, img);
                        keptLabels[kept] = y;
                        keptPred[kept] = argmax;
                        kept++;
                    }
                }
                n += b.size();
                loader.recycle(b);
            }
        } finally {
            model.train(wasTraining);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Sample sample = kept == 0 ? null : new Sample(keptImages, kept, size, java.util.Arrays.copyOf(keptLabels, kept),
                java.util.Arrays.copyOf(keptPred, kept));
        return new Result(100.0 * top1 / Math.max(1, n), 100.0 * top5 / Math.max(1, n), lossSum / Math.max(1, n), (int) n,
                correct, total, n / Math.max(secs, 1e-9), sample);
    }
}
