package org.vitarena.engine;

import org.vitarena.core.io.StateDict;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.spi.ModelOptions;

/** Rebuilding a trained model from a checkpoint alone (no training folder, no command line). */
public final class Models {
    private Models() {}

    public static VisionModel fromCheckpoint(ModelRegistry registry, Checkpoint.Loaded ckpt) {
        var s = ckpt.state();
        VisionModel m = registry.create(s.model(), new ModelOptions(s.numClasses(), s.imgSize(), s.config().dropPath(), s.config().seed()));
        StateDict.load(m, ckpt.model(), true, "checkpoint of " + s.model());
        m.train(false);
        return m;
    }
}
