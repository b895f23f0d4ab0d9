package org.vitarena.spi;

import org.vitarena.core.nn.VisionModel;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A family of vision models (ViT, DeiT, CaiT, Swin, or a third party's), found by the runner through
 * {@link java.util.ServiceLoader} and nothing else.
 *
 * <h2>Registering a provider</h2>
 * Put one line, the implementing class's binary name, in
 * {@code META-INF/services/org.vitarena.spi.ModelProvider} of your jar. The class needs a public
 * no-argument constructor that does nothing expensive: discovery constructs every provider to list
 * its variants, and models are built only on {@link #create}.
 *
 * <h2>Versioning</h2>
 * {@link #spiVersion()} must {@code return ModelProvider.SPI_VERSION;}. The constant is inlined when
 * your provider is compiled, so the runner sees the version you built against and refuses a provider
 * whose major version differs from its own, naming the jar and both versions.
 *
 * <h2>Contract</h2>
 * Every variant builds; the output is [B, numClasses]; every trainable parameter receives a gradient;
 * no NaN; a frozen backbone receives none. The test-jar of this module has {@code ProviderContract},
 * a JUnit 5 base class that checks all of it: extend it in your tests.
 */
public interface ModelProvider {
    /** The SPI version of this interface. Bumped when the contract changes incompatibly. */
    int SPI_VERSION = 1;

    /** Implement as {@code return ModelProvider.SPI_VERSION;}. */
    int spiVersion();

    /** Family name, e.g. "vit". */
    String family();

    /** Variant names this provider builds, timm's where timm has them (e.g. {@code vit_large_patch16_384}). */
    List<String> variants();

    /**
     * Builds a variant, initialised from {@code options.seed()}.
     *
     * @throws IllegalArgumentException for an unknown variant (listing the known ones) or an image
     *                                  size the architecture cannot take
     */
    VisionModel create(String variant, ModelOptions options);

    /** Fully qualified timm classes this family can build from constructor arguments; may be empty. */
    default Set<String> timmClasses() {
        return Set.of();
    }

    /**
     * Whether this provider builds timm class {@code timmClass} with these constructor arguments.
     * Several providers may claim one class (timm's {@code MlpMixer} serves the Mixer, ResMLP and
     * gMLP families): each then overrides this to accept only its own kwargs (e.g. its block type),
     * so that exactly one provider accepts a reference case. The default accepts every class of
     * {@link #timmClasses()}, whatever the kwargs.
     */
    default boolean acceptsTimm(String timmClass, Map<String, Object> kwargs) {
        return timmClasses().contains(timmClass);
    }

    /**
     * Builds from timm constructor arguments, as {@code timm.create_model} passes them to the class
     * (see the {@code kwargs} of the reference cases in {@code reference/*.json}). Called only
     * with a class and kwargs that {@link #acceptsTimm} accepts.
     */
    default VisionModel createFromTimm(String timmClass, Map<String, Object> kwargs, long seed) {
        throw new UnsupportedOperationException(family() + " cannot build timm class " + timmClass);
    }

    /** One line describing a variant (sizes), for {@code runner list}. Optional. */
    default String describe(String variant) {
        return "";
    }
}
