package org.vitarena.runner;

import org.vitarena.core.Tensor;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;

import java.util.List;
import java.util.SplittableRandom;

/** A deliberately broken family (test class path only): its model throws in forward. */
public final class BrokenProvider implements ModelProvider {
    @Override public int spiVersion() { return SPI_VERSION; }
    @Override public String family() { return "broken"; }
    @Override public List<String> variants() { return List.of("broken_demo"); }

    @Override
    public VisionModel create(String variant, ModelOptions options) {
        if (!variant.equals("broken_demo")) throw new IllegalArgumentException("unknown variant " + variant + "; known: broken_demo");
        return new VisionModel() {
            @Override public Tensor forwardFeatures(Tensor images) { throw new IllegalStateException("broken_demo always fails in forward"); }
            @Override public Tensor forwardHead(Tensor features) { return features; }
            @Override public int numClasses() { return options.numClasses(); }
            @Override public int imgSize() { return 32; }
            @Override public List<String> headPrefixes() { return List.of(); }
            @Override public void resetHead(int classes, SplittableRandom rng) {}
        };
    }
}
