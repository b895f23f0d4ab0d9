package org.vitarena.core.io;

import java.util.List;
import java.util.Map;

/**
 * What {@link Pretrained#load} needs of a model besides its parameters: the classifier to keep when
 * the class count differs, and the family's checkpoint filter. {@code nn.VisionModel} implements it.
 */
public interface Checkpointable extends NamedParameters {
    /** The classifier's output count. */
    int numClasses();

    /** Prefixes of the classifier's parameter names ({@code head.}, {@code head_dist.}). */
    List<String> headPrefixes();

    /** Adapts a timm checkpoint to this model before a strict load (timm's {@code checkpoint_filter_fn}); default unchanged. */
    default Map<String, Safetensors.Entry> filterCheckpoint(Map<String, Safetensors.Entry> state) {
        return state;
    }
}
