package org.vitarena.spi;

import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.Backends;
import org.vitarena.core.backend.CountingBackend;
import org.vitarena.core.nn.VisionModel;

import java.util.function.Supplier;

/**
 * Parameters and multiply-accumulates of one forward pass of one image, counted by running the model
 * on a {@link CountingBackend}: matmuls and the patch convolution, as papers count them. Also proves
 * the model's shapes are consistent, without allocating its weights' memory on any device.
 *
 * @param activationFloats floats of every tensor the forward of one image creates: what a training step
 *                         keeps for its backward, per image (an upper bound; memory estimates use it)
 */
public record ModelInfo(long params, long macs, int imgSize, int numClasses, int[] outputShape, long activationFloats) {
    public double gmacs() {
        return macs / 1e9;
    }

    public static ModelInfo measure(Supplier<VisionModel> build) {
        Backend previous = Backends.current();
        CountingBackend counter = new CountingBackend();
        Backends.use(counter);
        try {
            VisionModel m = build.get();
            m.train(false);
            long params = m.parameterCount();
            int s = m.imgSize();
            Tensor x = Tensor.zeros(1, 3, s, s);
            long before = counter.macs(), floatsBefore = counter.floatsAllocated();
            Tensor out;
            try (var ignored = NoGrad.scope()) {
                out = m.forward(x);
            }
            return new ModelInfo(params, counter.macs() - before, s, m.numClasses(), out.shape(), counter.floatsAllocated() - floatsBefore);
        } finally {
            Backends.use(previous);
        }
    }
}
