package org.vitarena.core.nn;

import org.vitarena.core.Tensor;
import org.vitarena.core.io.Checkpointable;
import org.vitarena.core.io.Safetensors;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An image classifier: images [B, 3, H, W] (normalised) → logits [B, classes]. Split as timm does
 * into {@link #forwardFeatures} and {@link #forwardHead}.
 */
public abstract class VisionModel extends Module implements Checkpointable {
    /** images [B, 3, H, W] → the features the head pools from (model-specific shape). */
    public abstract Tensor forwardFeatures(Tensor images);

    /** features → logits [B, classes]. In evaluation a distilled model averages its heads. */
    public abstract Tensor forwardHead(Tensor features);

    /** images → logits [B, classes]. */
    public Tensor forward(Tensor images) {
        return forwardHead(forwardFeatures(images));
    }

    /**
     * The training outputs, one per head: a single element for most models; DeiT's distilled model
     * returns [class head, distillation head] so a distillation loss can use both.
     */
    public List<Tensor> forwardTrain(Tensor images) {
        return List.of(forward(images));
    }

    @Override
    public abstract int numClasses();

    /** The image size the model was built for (position embeddings, windows). */
    public abstract int imgSize();

    /**
     * Prefixes of the classifier's parameter names ({@code head.}, {@code head_dist.}): re-initialised
     * when a checkpoint has another class count, and the only trainable part under a frozen backbone.
     */
    @Override
    public abstract List<String> headPrefixes();

    /** Replaces the classifier with a freshly initialised one for {@code classes} outputs. */
    public abstract void resetHead(int classes, SplittableRandom rng);

    /**
     * Adapts a timm checkpoint to this model before a strict load: resample position embeddings for
     * another image size, drop keys timm itself ignores, etc. (timm's {@code checkpoint_filter_fn}).
     * The default returns the map unchanged.
     */
    @Override
    public Map<String, Safetensors.Entry> filterCheckpoint(Map<String, Safetensors.Entry> state) {
        return state;
    }

    /** Freezes everything but the head (the linear-probe recipe) or unfreezes all. */
    public void freezeBackbone(boolean freeze) {
        for (var e : namedParameters().entrySet()) {
            boolean head = headPrefixes().stream().anyMatch(e.getKey()::startsWith);
            e.getValue().requiresGrad(!freeze || head);
        }
    }
}
