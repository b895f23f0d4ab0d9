package org.vitarena.engine;

import org.vitarena.core.MemoryPool;
import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backends;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Norms;
import org.vitarena.core.ops.StepRandom;
import org.vitarena.core.optim.Optimizer;
import org.vitarena.data.DataLoader;

import java.util.List;
import java.util.Map;

/**
 * One training step, the same for {@link Trainer} and for benchmarks: {@link #accumulate} runs forward,
 * loss and backward of a micro-batch and adds its gradient, scaled by 1/groupSize, to the parameters'
 * gradients; {@link #update} clips the global gradient norm, sets the learning rate, takes the
 * optimiser step and clears the gradients. A group of {@code accum} micro-batches then one update is
 * gradient accumulation: the update equals one of a batch {@code accum} times larger.
 *
 * <p>The loss: cross-entropy against label-smoothed one-hot or mixup/cutmix soft targets; a model with
 * two heads (DeiT distilled) takes 0.5·CE(class head) + 0.5·CE(distillation head), the latter against a
 * teacher's argmax when there is a teacher, else against the same targets. Legend: B batch, K classes,
 * S image side.
 *
 * <p>Activations and gradients come from a {@link MemoryPool}: each micro-batch reuses the previous one's
 * memory. Everything random in the forward (dropout, drop-path) is a function of (seed, micro-step).
 */
public final class TrainStep {
    private final VisionModel model;
    private final VisionModel teacher;
    private final Optimizer optimizer;
    private final Map<String, Tensor> trainable;
    private final float clipGrad;
    private final long seed;
    private final MemoryPool pool = new MemoryPool(Backends.current());
    private GradientReducer reducer = GradientReducer.LOCAL;

    /**
     * @param trainable the parameters the optimiser updates (those with requiresGrad)
     * @param teacher   DeiT hard-distillation teacher, or null
     * @param clipGrad  maximum global gradient norm, 0 for none
     * @param seed      seed of the forward's random draws
     */
    public TrainStep(VisionModel model, VisionModel teacher, Optimizer optimizer, Map<String, Tensor> trainable, float clipGrad, long seed) {
        this.model = model;
        this.teacher = teacher;
        this.optimizer = optimizer;
        this.trainable = trainable;
        this.clipGrad = clipGrad;
        this.seed = seed;
    }

    /** Combines the gradients of each update across the ranks of a data-parallel run before clipping (default: one process, nothing). */
    public TrainStep reducer(GradientReducer r) {
        this.reducer = r == null ? GradientReducer.LOCAL : r;
        return this;
    }

    /**
     * Forward, loss and backward of one micro-batch.
     *
     * @param batch     images [B, 3, S, S] (normalised) with integer labels [B] or soft targets [B, K]
     * @param classes   K
     * @param smoothing label smoothing of integer labels (soft targets are taken as they are)
     * @param groupSize micro-batches in this update: the gradient is scaled by 1/groupSize
     * @param micro     index of this micro-batch in the run: the random draws of the forward depend on it
     * @return the micro-batch's loss; when it is NaN or infinite no gradient was added
     */
    public float accumulate(DataLoader.Batch batch, int classes, float smoothing, int groupSize, long micro) {
        StepRandom.reset(seed, micro);
        try (var ignored = pool.open()) { // activations and gradients reuse the previous step's memory
            Tensor x = Tensor.input(batch.images(), batch.size(), 3, batch.imgSize(), batch.imgSize());
            Tensor targets = batch.softTargets() != null ? Tensor.input(batch.softTargets(), batch.size(), classes)
                    : Norms.oneHot(batch.labels(), classes, smoothing);
            Tensor loss = lossFor(model.forwardTrain(x), targets, teacher == null ? null : teacherLabels(teacher, x));
            float lv = loss.item();
            if (Float.isFinite(lv)) Arith.scale(loss, 1f / groupSize).backward();
            return lv;
        }
    }

    /** Reduces the gradients across ranks (data-parallel runs), clips, steps the optimiser at learning rate {@code lr}, clears the gradients. */
    public void update(float lr) {
        reducer.reduce(trainable);
        optimizer.setLr(lr);
        if (clipGrad > 0) clip(trainable, clipGrad);
        optimizer.step();
        optimizer.zeroGrad();
    }

    /**
     * CE of one head; for two heads, DeiT's hard distillation 0.5·CE(cls, targets) + 0.5·CE(dist, teacher
     * argmax) with a teacher, else both heads against the targets.
     */
    public static Tensor lossFor(List<Tensor> outs, Tensor targets, int[] teacherLabels) {
        Tensor cls = Norms.crossEntropy(outs.get(0), targets);
        if (outs.size() == 1) return cls;
        Tensor dist = teacherLabels != null ? Norms.crossEntropy(outs.get(1), teacherLabels, 0f) : Norms.crossEntropy(outs.get(1), targets);
        return Arith.scale(Arith.add(cls, dist), 0.5f);
    }

    /** The teacher's argmax class per image [B]. */
    static int[] teacherLabels(VisionModel teacher, Tensor x) {
        try (var ignored = NoGrad.scope()) {
            float[] l = teacher.forward(x).toArray();
            int k = teacher.numClasses(), b = x.dim(0);
            int[] y = new int[b];
            for (int i = 0; i < b; i++) {
                int best = 0;
                for (int c = 1; c < k; c++) if (l[i * k + c] > l[i * k + best]) best = c;
                y[i] = best;
            }
            return y;
        }
    }

    /** torch.nn.utils.clip_grad_norm_: scale all gradients by max_norm / (total_norm + 1e-6) when above. */
    static void clip(Map<String, Tensor> params, float maxNorm) {
        double sq = 0;
        for (Tensor p : params.values()) if (p.grad() != null) sq += p.backend().sumSquares(p.grad().storage());
        double norm = Math.sqrt(sq);
        if (norm > maxNorm) {
            float s = (float) (maxNorm / (norm + 1e-6));
            for (Tensor p : params.values()) if (p.grad() != null) p.backend().scale(p.grad().storage(), s, p.grad().storage());
        }
    }
}
