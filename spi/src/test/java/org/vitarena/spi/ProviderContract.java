package org.vitarena.spi;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.Backends;
import org.vitarena.core.backend.CountingBackend;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.core.ops.Norms;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link ModelProvider} meets, as a JUnit 5 base class: extend it, return your
 * provider from {@link #provider()}, and it checks that every variant builds with the requested
 * number of outputs (on the data-free counting backend, so even ViT-L costs no memory), that a small
 * variant trains (every trainable parameter receives a finite gradient, logits have no NaN), that a
 * frozen backbone receives no gradient while the head does, that an unknown variant is refused with
 * the known names, and that the provider is registered for {@link java.util.ServiceLoader}. Where the
 * provider gives a {@link ModelProvider#timmSpec}, it checks that the spec's class and kwargs rebuild
 * every variant with the same parameter names and shapes, and the small variant with the same weights.
 */
public abstract class ProviderContract {
    /** The provider under test. */
    protected abstract ModelProvider provider();

    /** A variant small enough to train in a test; defaults to the one ending in {@code _demo}. */
    protected String smallVariant() {
        return provider().variants().stream().filter(v -> v.endsWith("_demo")).findFirst()
                .orElseThrow(() -> new AssertionError("no *_demo variant: override smallVariant()"));
    }

    /** Image size used for the training checks; 0 keeps the variant's own. */
    protected int smallImgSize() {
        return 0;
    }

    @Test
    void declaresTheCurrentSpiVersion() {
        assertEquals(ModelProvider.SPI_VERSION, provider().spiVersion());
        assertFalse(provider().family().isBlank());
        assertFalse(provider().variants().isEmpty());
    }

    @Test
    void isRegisteredForServiceLoader() {
        boolean found = java.util.ServiceLoader.load(ModelProvider.class).stream()
                .anyMatch(p -> p.type() == provider().getClass());
        assertTrue(found, provider().getClass().getName() + " is not listed in META-INF/services/" + ModelProvider.class.getName());
    }

    @TestFactory
    Stream<DynamicTest> everyVariantBuildsWithTheRequestedClasses() {
        return provider().variants().stream().map(v -> DynamicTest.dynamicTest(v, () -> {
            ModelInfo info = ModelInfo.measure(() -> provider().create(v, ModelOptions.of(7)));
            assertArrayEquals(new int[]{1, 7}, info.outputShape(), v);
            assertTrue(info.params() > 0 && info.macs() > 0, v);
        }));
    }

    @Test
    void unknownVariantIsRefusedWithTheKnownNames() {
        var e = assertThrows(IllegalArgumentException.class, () -> provider().create("no_such_variant", ModelOptions.of(3)));
        assertTrue(e.getMessage().contains(provider().variants().get(0)), e.getMessage());
    }

    private VisionModel small(int classes) {
        return provider().create(smallVariant(), new ModelOptions(classes, smallImgSize(), 0.1f, 42L));
    }

    private static Tensor randomImages(VisionModel m, int batch) {
        SplittableRandom rng = new SplittableRandom(7);
        int s = m.imgSize();
        float[] x = new float[batch * 3 * s * s];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 4 - 2);
        return Tensor.of(x, batch, 3, s, s);
    }

    private static Tensor loss(List<Tensor> outs, int[] labels) {
        Tensor total = null;
        for (Tensor o : outs) {
            Tensor l = Norms.crossEntropy(o, labels, 0.1f);
            total = total == null ? l : org.vitarena.core.ops.Arith.add(total, l);
        }
        return total;
    }

    @Test
    void everyTrainableParameterReceivesAFiniteGradient() {
        VisionModel m = small(5);
        m.train(true);
        List<Tensor> outs = m.forwardTrain(randomImages(m, 2));
        for (Tensor o : outs) {
            assertArrayEquals(new int[]{2, 5}, o.shape());
            for (float v : o.toArray()) assertTrue(Float.isFinite(v), "non-finite logit");
        }
        loss(outs, new int[]{1, 3}).backward();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            Tensor g = e.getValue().grad();
            if (g == null) {
                missing.add(e.getKey());
                continue;
            }
            for (float v : g.toArray()) assertTrue(Float.isFinite(v), "non-finite gradient in " + e.getKey());
        }
        assertTrue(missing.isEmpty(), "parameters without gradient: " + missing);
    }

    @Test
    void frozenBackboneReceivesNoGradientAndTheHeadDoes() {
        VisionModel m = small(4);
        m.freezeBackbone(true);
        m.train(true);
        loss(m.forwardTrain(randomImages(m, 2)), new int[]{0, 2}).backward();
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            boolean head = m.headPrefixes().stream().anyMatch(e.getKey()::startsWith);
            if (head) assertNotNull(e.getValue().grad(), "head parameter without gradient: " + e.getKey());
            else assertNull(e.getValue().grad(), "frozen parameter received a gradient: " + e.getKey());
        }
    }

    @Test
    void evaluationIsDeterministicAndHeadResetChangesWidth() {
        VisionModel m = small(3);
        m.train(false);
        Tensor x = randomImages(m, 1);
        float[] a, b;
        try (var ignored = org.vitarena.core.NoGrad.scope()) {
            a = m.forward(x).toArray();
            b = m.forward(x).toArray();
        }
        assertArrayEquals(a, b);
        m.resetHead(9, new SplittableRandom(1));
        assertEquals(9, m.numClasses());
        try (var ignored = org.vitarena.core.NoGrad.scope()) {
            assertEquals(9, m.forward(x).dim(1));
        }
    }

    // --- timm spec (issue 13) ---

    /** "name [shape]" of every parameter in order, built on the data-free counting backend. */
    private static List<String> parameterShapes(Supplier<VisionModel> build) {
        Backend previous = Backends.current();
        Backends.use(new CountingBackend());
        try {
            List<String> out = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : build.get().namedParameters().entrySet()) {
                out.add(e.getKey() + " " + Arrays.toString(e.getValue().shape()));
            }
            return out;
        } finally {
            Backends.use(previous);
        }
    }

    @TestFactory
    Stream<DynamicTest> timmSpecRebuildsEveryVariantWithTheSameParameters() {
        return provider().variants().stream().map(v -> DynamicTest.dynamicTest(v, () -> {
            ModelOptions o = new ModelOptions(7, 0, 0.1f, 3L);
            var spec = provider().timmSpec(v, o);
            if (spec.isEmpty()) return;
            TimmSpec t = spec.get();
            assertTrue(provider().timmClasses().contains(t.timmClass()), t.timmClass() + " is not in timmClasses()");
            assertEquals(parameterShapes(() -> provider().create(v, o)),
                    parameterShapes(() -> provider().createFromTimm(t.timmClass(), t.kwargs(), o.seed())), v + " from " + t.classCall());
            assertFalse(t.python().isBlank());
        }));
    }

    @Test
    void timmSpecOfTheSmallVariantRebuildsTheSameWeightsAndLogits() {
        ModelOptions o = new ModelOptions(5, smallImgSize(), 0.1f, 42L);
        var spec = provider().timmSpec(smallVariant(), o);
        if (spec.isEmpty()) return;
        VisionModel a = provider().create(smallVariant(), o);
        VisionModel b = provider().createFromTimm(spec.get().timmClass(), spec.get().kwargs(), o.seed());
        var pa = a.namedParameters();
        var pb = b.namedParameters();
        assertEquals(List.copyOf(pa.keySet()), List.copyOf(pb.keySet()));
        for (String k : pa.keySet()) assertArrayEquals(pa.get(k).toArray(), pb.get(k).toArray(), k);
        a.train(false);
        b.train(false);
        Tensor x = randomImages(a, 1);
        try (var ignored = org.vitarena.core.NoGrad.scope()) {
            assertArrayEquals(a.forward(x).toArray(), b.forward(x).toArray());
        }
    }
}
