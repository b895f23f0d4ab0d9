package org.vitarena.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.nn.DropPath;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Shapes;
import org.vitarena.core.ops.Stochastic;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TimmVerifier} picks a case's provider by timm class AND kwargs: two toy families claim one
 * timm class (as Mixer, ResMLP and gMLP share timm's {@code MlpMixer}) and are told apart by their
 * {@code block} kwarg; a case both accept, or none, fails naming the case and the candidates.
 */
class ProviderSelectionTest {
    static final String CLASS = "toy.models.mixer.Mixer";

    /** images [B, 3, 1, 1] → images ⊙ (scale · w), then per site x = x + drop_path(x / 2). */
    static final class Toy extends VisionModel {
        private final float scale;
        private final DropPath[] sites;

        Toy(float scale, float dropPath, int sites) {
            this.scale = scale;
            param("w", Tensor.parameter(new float[]{0.7f, -1.3f, 0.4f}, 3));
            this.sites = new DropPath[sites];
            for (int s = 0; s < sites; s++) this.sites[s] = new DropPath(dropPath);
        }

        @Override public Tensor forwardFeatures(Tensor images) {
            Tensor x = Arith.mul(Shapes.reshape(images, images.dim(0), 3), Arith.scale(namedParameters().get("w"), scale));
            for (DropPath site : sites) x = Arith.add(x, site.apply(Arith.scale(x, 0.5f), training()));
            return x;
        }

        @Override public Tensor forwardHead(Tensor features) { return features; }
        @Override public int numClasses() { return 3; }
        @Override public int imgSize() { return 1; }
        @Override public List<String> headPrefixes() { return List.of(); }
        @Override public void resetHead(int classes, SplittableRandom rng) {}
    }

    /** A toy family that accepts {@link #CLASS} when kwargs.block is one of {@code blocks}; its models scale by {@code scale}. */
    record ToyProvider(String family, Set<String> blocks, float scale) implements ModelProvider {
        @Override public int spiVersion() { return SPI_VERSION; }
        @Override public List<String> variants() { return List.of(); }
        @Override public VisionModel create(String variant, ModelOptions options) { throw new IllegalArgumentException(variant); }
        @Override public Set<String> timmClasses() { return Set.of(CLASS); }
        @Override public boolean acceptsTimm(String timmClass, Map<String, Object> kwargs) {
            return timmClasses().contains(timmClass) && blocks.contains(String.valueOf(kwargs.get("block")));
        }
        @Override public VisionModel createFromTimm(String timmClass, Map<String, Object> kwargs, long seed) {
            Number rate = (Number) kwargs.getOrDefault("drop_path_rate", 0);
            return new Toy(scale, rate.floatValue(), rate.floatValue() > 0 ? 2 : 0);
        }
    }

    static final ToyProvider MIXER = new ToyProvider("mixer", Set.of("mixer"), 1f);
    static final ToyProvider RESMLP = new ToyProvider("resmlp", Set.of("resmlp"), 2f);

    /** Writes a case made by {@code maker}'s model for these kwargs (its training pass without drop-path). */
    private static void writeCase(Path dir, String name, String kwargsJson, ToyProvider maker) throws Exception {
        Files.writeString(dir.resolve(name + ".json"), "{\"class\": \"" + CLASS + "\", \"kwargs\": " + kwargsJson + ", \"seed\": 0}");
        VisionModel m = maker.createFromTimm(CLASS, ReferenceCase.kwargs(new ObjectMapper().readTree(kwargsJson)), 0L);
        Map<String, Safetensors.Entry> w = new LinkedHashMap<>();
        w.put("w", Safetensors.Entry.ofFloats(new int[]{3}, m.namedParameters().get("w").toArray()));
        Safetensors.write(dir.resolve(name + ".weights.safetensors"), w, Map.of());
        Tensor input = Tensor.of(new float[]{1f, 0.5f, -2f, -0.3f, 1.5f, 0.8f}, 2, 3, 1, 1);
        int[] target = {2, 0};
        Map<String, Safetensors.Entry> io = new LinkedHashMap<>();
        io.put("input", Safetensors.Entry.ofFloats(input.shape(), input.toArray()));
        io.put("target", Safetensors.Entry.ofLongs(new int[]{2}, new long[]{2, 0}));
        m.train(false);
        try (var ignored = NoGrad.scope()) {
            io.put("eval_logits", Safetensors.Entry.ofFloats(new int[]{2, 3}, m.forward(input).toArray()));
        }
        m.train(true);
        Tensor logits;
        try (var ignored = Stochastic.DropPathReplay.counting()) {
            logits = m.forward(input);
        }
        io.put("train_logits", Safetensors.Entry.ofFloats(new int[]{2, 3}, logits.toArray()));
        Tensor loss = TimmVerifier.loss(List.of(logits), target, target, 0f);
        io.put("loss", Safetensors.Entry.ofFloats(new int[]{1}, new float[]{loss.item()}));
        loss.backward();
        io.put("grad.w", Safetensors.Entry.ofFloats(new int[]{3}, m.namedParameters().get("w").grad().toArray()));
        Safetensors.write(dir.resolve(name + ".io.safetensors"), io, Map.of());
    }

    private static TimmVerifier.Result verify(Path dir, String name, ModelProvider... providers) {
        TimmVerifier.Result r = new TimmVerifier(List.of(providers)).verifyCase(dir, name);
        System.out.println(r.line());
        return r;
    }

    @Test
    void theKwargsPickTheProviderAmongThoseSharingATimmClass(@TempDir Path dir) throws Exception {
        writeCase(dir, "resmlp", "{\"block\": \"resmlp\"}", RESMLP);
        writeCase(dir, "mixer", "{\"block\": \"mixer\"}", MIXER);
        for (var order : List.of(List.<ModelProvider>of(MIXER, RESMLP), List.<ModelProvider>of(RESMLP, MIXER))) {
            TimmVerifier v = new TimmVerifier(order);
            List<TimmVerifier.Result> all = v.verifyAll(dir);
            assertEquals(2, all.size());
            for (TimmVerifier.Result r : all) {
                assertEquals(TimmVerifier.Status.PASS, r.status(), r.line());
                assertEquals(r.caseName(), r.family(), r.line());
            }
        }
        assertSame(RESMLP, TimmVerifier.providerFor("c", CLASS, Map.of("block", "resmlp"), List.of(MIXER, RESMLP)));
    }

    @Test
    void aCaseTwoProvidersAcceptFailsNamingTheCaseAndBoth(@TempDir Path dir) throws Exception {
        writeCase(dir, "both", "{\"block\": \"mixer\"}", MIXER);
        ToyProvider greedy = new ToyProvider("greedy", Set.of("mixer", "resmlp"), 1f);
        TimmVerifier.Result r = verify(dir, "both", MIXER, greedy);
        assertEquals(TimmVerifier.Status.FAIL, r.status(), r.line());
        assertTrue(r.detail().contains("case 'both'") && r.detail().contains("2 providers accept")
                && r.detail().contains("mixer (") && r.detail().contains("greedy ("), r.line());
    }

    @Test
    void aCaseNoProviderAcceptsFailsNamingTheCaseAndTheClaimants(@TempDir Path dir) throws Exception {
        writeCase(dir, "gmlp", "{\"block\": \"gmlp\"}", MIXER);
        TimmVerifier.Result r = verify(dir, "gmlp", MIXER, RESMLP);
        assertEquals(TimmVerifier.Status.FAIL, r.status(), r.line());
        assertTrue(r.detail().contains("case 'gmlp'") && r.detail().contains("no provider accepts")
                && r.detail().contains("refusing these kwargs: mixer (") && r.detail().contains("resmlp ("), r.line());

        var e = assertThrows(TimmVerifier.NoProviderException.class,
                () -> TimmVerifier.providerFor("other", "timm.models.other.Other", Map.of(), List.of(MIXER)));
        assertTrue(e.getMessage().contains("case 'other'") && e.getMessage().contains("none on the class path claims"), e.getMessage());
    }

    @Test
    void theDefaultAcceptsEveryClaimedClassWhateverTheKwargs() {
        ModelProvider plain = new ModelProvider() {
            @Override public int spiVersion() { return SPI_VERSION; }
            @Override public String family() { return "plain"; }
            @Override public List<String> variants() { return List.of(); }
            @Override public VisionModel create(String variant, ModelOptions options) { throw new IllegalArgumentException(); }
            @Override public Set<String> timmClasses() { return Set.of(CLASS); }
        };
        assertTrue(plain.acceptsTimm(CLASS, Map.of("block", "anything")));
        assertTrue(!plain.acceptsTimm("timm.models.other.Other", Map.of()));
    }

    /** A case whose kwargs ask for stochastic depth cannot match a deterministic reference: the detail says to regenerate. */
    @Test
    void stochasticDepthInTheKwargsFailsWithAClearDetail(@TempDir Path dir) throws Exception {
        writeCase(dir, "mixer", "{\"block\": \"mixer\", \"drop_path_rate\": 0.1}", MIXER);
        // the reference itself is deterministic, so the verifier (drop-path off) passes it
        assertEquals(TimmVerifier.Status.PASS, verify(dir, "mixer", MIXER).status());
        // a reference whose training logits came from a stochastic pass fails, saying why
        var io = new LinkedHashMap<>(Safetensors.read(dir.resolve("mixer.io.safetensors")));
        float[] t = io.get("train_logits").floats().clone();
        for (int i = 0; i < 3; i++) t[i] = 0f;
        io.put("train_logits", Safetensors.Entry.ofFloats(new int[]{2, 3}, t));
        Safetensors.write(dir.resolve("mixer.io.safetensors"), io, Map.of());
        TimmVerifier.Result r = verify(dir, "mixer", MIXER);
        assertEquals(TimmVerifier.Status.FAIL, r.status(), r.line());
        assertTrue(r.detail().contains("2 drop-path sites") && r.detail().contains("drop_path_rate=0"), r.line());
    }
}
