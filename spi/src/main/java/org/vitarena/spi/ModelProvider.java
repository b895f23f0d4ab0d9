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
 * Two versions are in play. The <em>SPI contract version</em>, {@link #SPI_VERSION}, is an int bumped
 * only when this contract changes incompatibly; the <em>artifact version</em> is the version of the
 * {@code vitarena-spi} jar (e.g. 0.1.0-SNAPSHOT), given at run time by {@link SpiVersion#artifactVersion()}.
 * {@link #spiVersion()} must {@code return ModelProvider.SPI_VERSION;}. The constant is inlined when
 * your provider is compiled, so the runner sees the contract version you built against and refuses a
 * provider whose contract version differs from its own, naming the jar, both contract versions and the
 * artifact to rebuild against ({@link SpiVersion#mismatchMessage}).
 *
 * <h2>Contract</h2>
 * Every variant builds; the output is [B, numClasses]; every trainable parameter receives a gradient;
 * no NaN; a frozen backbone receives none. The test-jar of this module has {@code ProviderContract},
 * a JUnit 5 base class that checks all of it: extend it in your tests.
 */
public interface ModelProvider {
    /** The SPI contract version of this interface (not the artifact version). Bumped when the contract changes incompatibly. */
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

    /**
     * One line describing a variant (sizes), shown by {@code runner list} in its DESCRIPTION column and
     * as {@code description} in {@code runner list --json}. Optional; "" for an unknown variant.
     */
    default String describe(String variant) {
        return "";
    }

    // --- timm spec (issue 13): how timm builds a variant ---

    /**
     * How timm builds {@code variant} with {@code options} applied: the timm class and its constructor
     * arguments, and the name {@code timm.create_model} knows it by where timm has one. {@code runner
     * export} prints it so exported weights can be loaded into the right timm model. Contract: when
     * present, {@code createFromTimm(spec.timmClass(), spec.kwargs(), seed)} builds a model with the same
     * parameter names and shapes as {@code create(variant, options)}. Empty by default (unknown to timm);
     * {@link VariantTable#timmSpec} builds one from a family's table.
     *
     * @throws IllegalArgumentException for an unknown variant (providers backed by a {@link VariantTable})
     */
    default java.util.Optional<TimmSpec> timmSpec(String variant, ModelOptions options) {
        return java.util.Optional.empty();
    }
}
