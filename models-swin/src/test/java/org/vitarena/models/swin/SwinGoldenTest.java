package org.vitarena.models.swin;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.io.StateDict;
import org.vitarena.core.ops.Stochastic;
import org.vitarena.core.testing.Golden;
import org.vitarena.spi.TimmVerifier;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Swin against timm 1.0.29's reference ({@code shared/golden/swin.*}).
 *
 * <p>The reference's kwargs do not set {@code drop_path_rate}, so timm's default of 0.1 was active in
 * its training forward: its {@code train_logits}, loss and gradients come from one stochastic-depth
 * draw. {@link TimmVerifier} recovers that draw per sample (through
 * {@link Stochastic.DropPathReplay}) and replays it for the loss and backward comparison.
 */
class SwinGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Map<String, Object> kwargs;
    private static Map<String, Safetensors.Entry> weights, io;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws Exception {
        Path dir = Golden.dir();
        kwargs = JSON.convertValue(JSON.readTree(dir.resolve("swin.json").toFile()).get("kwargs"), Map.class);
        weights = Safetensors.read(dir.resolve("swin.weights.safetensors"));
        io = Safetensors.read(dir.resolve("swin.io.safetensors"));
    }

    private static SwinTransformer load() {
        SwinTransformer m = (SwinTransformer) new SwinProvider().createFromTimm(SwinProvider.TIMM_CLASS, kwargs, 0L);
        StateDict.load(m, weights, true, "swin.weights.safetensors");
        return m;
    }

    private static Tensor input() {
        Safetensors.Entry e = io.get("input");
        return Tensor.of(e.floats(), e.shape());
    }

    @Test
    void evalLogitsMatchTimm() {
        SwinTransformer m = load();
        m.train(false);
        float[] got;
        try (var ignored = NoGrad.scope()) {
            got = m.forward(input()).toArray();
        }
        double d = TimmVerifier.maxDiff(got, io.get("eval_logits").floats());
        System.out.printf("swin eval logits maxdiff=%.3g%n", d);
        assertTrue(d <= TimmVerifier.LOGITS_TOL, "eval logits maxdiff " + d);
    }

    /** timm's stagewise linspace(0, 0.1, 4) over the blocks: blocks 1..3 have two sites each, block 0 (rate 0) none. */
    @Test
    void dropPathSitesFollowTimmsStagewiseRates() {
        SwinTransformer m = load();
        m.train(true);
        try (var ignored = NoGrad.scope(); var c = Stochastic.DropPathReplay.counting()) {
            m.forward(input());
            assertEquals(6, c.sites());
            float[] want = {0.1f / 3, 0.1f / 3, 0.2f / 3, 0.2f / 3, 0.1f, 0.1f};
            for (int s = 0; s < want.length; s++) {
                assertEquals(want[s], c.rate(s), 1e-7, "rate of site " + s);
                assertEquals(2, c.batch(s));
            }
        }
    }

    @Test
    void timmVerifierPassesWithTheReferenceStochasticDepthReplayed() {
        TimmVerifier.Result r = new TimmVerifier(List.of(new SwinProvider())).verifyCase(Golden.dir(), "swin");
        System.out.println(r.line());
        assertEquals(TimmVerifier.Status.PASS, r.status(), r.line());
        assertTrue(r.detail().contains("drop-path replayed"), r.line());
    }
}
