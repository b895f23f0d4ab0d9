package org.vitarena.core.ops;

import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backend;

/**
 * Normalisation, softmax and the loss. Legend: R rows (all leading dimensions), C the last dimension.
 */
public final class Norms {
    private Norms() {}

    /**
     * LayerNorm over the last dimension: x [..., C], weight and bias [C]. Saves mean and rstd [R]
     * for the backward.
     */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        int cols = x.dim(-1), rows = x.size() / cols;
        if (weight.size() != cols) throw new IllegalArgumentException("layerNorm weight " + weight + " for input " + x);
        Backend be = x.backend();
        Tensor y = Tensor.empty(x.shape());
        Tensor mean = Tensor.empty(rows), rstd = Tensor.empty(rows);
        be.layerNorm(x.storage(), weight.storage(), bias == null ? null : bias.storage(), rows, cols, eps,
                y.storage(), mean.storage(), rstd.storage());
        return Tensor.record("layer_norm", y, g -> {
            Tensor dx = x.needsGrad() ? Tensor.zeros(x.shape()) : null;
            Tensor dw = weight.needsGrad() ? Tensor.zeros(weight.shape()) : null;
            Tensor db = bias != null && bias.needsGrad() ? Tensor.zeros(bias.shape()) : null;
            be.layerNormBackward(g.storage(), x.storage(), weight.storage(), mean.storage(), rstd.storage(), rows, cols,
                    dx == null ? null : dx.storage(), dw == null ? null : dw.storage(), db == null ? null : db.storage());
            return new Tensor[]{dx, dw, db};
        }, x, weight, bias);
    }

    /** Softmax over the last dimension. Backward: dx = y ⊙ (g − Σ g·y). */
    public static Tensor softmax(Tensor x) {
        int cols = x.dim(-1), rows = x.size() / cols;
        Backend be = x.backend();
        Tensor y = Tensor.empty(x.shape());
        be.softmax(x.storage(), rows, cols, y.storage());
        return Tensor.record("softmax", y, g -> {
            Tensor dx = Tensor.empty(x.shape());
            be.softmaxBackward(y.storage(), g.storage(), rows, cols, dx.storage(), false);
            return new Tensor[]{dx};
        }, x);
    }

    /**
     * Mean soft-target cross-entropy, −(1/R) Σ_r Σ_c t[r,c]·log softmax(x)[r,c]. logits [R, C],
     * targets [R, C] (rows summing to 1: one-hot, label-smoothed, or mixed). Returns a scalar [1].
     * Backward: dlogits = (softmax(x) − t)·g/R.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        int cols = logits.dim(-1), rows = logits.size() / cols;
        if (targets.size() != logits.size()) throw new IllegalArgumentException("targets " + targets + " for logits " + logits);
        Backend be = logits.backend();
        Tensor probs = Tensor.empty(logits.shape());
        Tensor loss = Tensor.empty(1);
        be.crossEntropy(logits.storage(), targets.storage(), rows, cols, probs.storage(), loss.storage());
        return Tensor.record("cross_entropy", loss, g -> {
            Tensor dx = Tensor.empty(logits.shape());
            be.crossEntropyBackward(probs.storage(), targets.storage(), g.storage(), rows, cols, dx.storage(), false);
            return new Tensor[]{dx, null};
        }, logits, targets);
    }

    /**
     * Soft targets for hard labels with torch's label smoothing: (1−ε)·onehot + ε/C. Built on the host
     * (it is [R, C], tiny) and uploaded.
     */
    public static Tensor oneHot(int[] labels, int classes, float smoothing) {
        float[] t = new float[labels.length * classes];
        float off = smoothing / classes;
        for (int r = 0; r < labels.length; r++) {
            if (labels[r] < 0 || labels[r] >= classes) throw new IllegalArgumentException("label " + labels[r] + " outside [0, " + classes + ")");
            for (int c = 0; c < classes; c++) t[r * classes + c] = off;
            t[r * classes + labels[r]] += 1f - smoothing;
        }
        return Tensor.of(t, labels.length, classes);
    }

    /** Mean cross-entropy against integer labels with label smoothing ε (0 for none). */
    public static Tensor crossEntropy(Tensor logits, int[] labels, float smoothing) {
        return crossEntropy(logits, oneHot(labels, logits.dim(-1), smoothing));
    }
}
