package org.vitarena.models.swin;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.io.StateDict;
import org.vitarena.core.ops.Norms;
import org.vitarena.core.testing.Golden;
import org.vitarena.spi.TimmVerifier;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Swin against timm 1.0.29's reference ({@code shared/golden/swin.*}): eval logits, and the training
 * pass (logits, loss, every gradient) with the reference's stochastic depth replayed.
 *
 * <p>The reference's kwargs do not set {@code drop_path_rate}, so timm's default of 0.1 was active in
 * its training forward: its {@code train_logits} differ from {@code eval_logits} (by up to 0.066)
 * and its loss and gradients come from that stochastic pass. Torch's RNG cannot be reproduced, but
 * the per-sample keep/drop decisions can be recovered: a block's two drop-path sites multiply each
 * sample's branch by 0 or 1/keep, samples do not interact in Swin, and three blocks have a positive
 * rate, so 2⁶ patterns per sample are tried and exactly one fits each sample's train logits.
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

    private static int[] target() {
        return Arrays.stream(io.get("target").longs()).mapToInt(v -> (int) v).toArray();
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

    /** Per sample, the drop-path multipliers (one per site) that reproduce the reference's train logits. */
    private static float[][] recoverDropPathMasks(SwinTransformer m, Tensor x, float[] ref, int classes) {
        float[] rates = m.dropPathRates();
        int sites = rates.length, batch = x.dim(0);
        double[] best = new double[batch], second = new double[batch];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        Arrays.fill(second, Double.POSITIVE_INFINITY);
        int[] bestPattern = new int[batch];
        m.train(true);
        for (int pattern = 0; pattern < 1 << sites; pattern++) {
            m.replayDropPath(masks(rates, pattern, batch));
            float[] got;
            try (var ignored = NoGrad.scope()) {
                got = m.forward(x).toArray();
            }
            for (int r = 0; r < batch; r++) {
                double d = TimmVerifier.maxDiff(Arrays.copyOfRange(got, r * classes, (r + 1) * classes), Arrays.copyOfRange(ref, r * classes, (r + 1) * classes));
                if (d < best[r]) {
                    second[r] = best[r];
                    best[r] = d;
                    bestPattern[r] = pattern;
                } else if (d < second[r]) second[r] = d;
            }
        }
        float[][] out = new float[sites][batch];
        for (int r = 0; r < batch; r++) {
            System.out.printf("sample %d: drop-path pattern %s (1 = kept) fits with maxdiff %.3g, the next best %.3g%n", r,
                    new StringBuilder(String.format("%" + sites + "s", Integer.toBinaryString(bestPattern[r])).replace(' ', '0')).reverse(),
                    best[r], second[r]);
            assertTrue(best[r] <= TimmVerifier.LOGITS_TOL && second[r] > 100 * TimmVerifier.LOGITS_TOL,
                    "no unique stochastic-depth pattern reproduces sample " + r);
            float[][] one = masks(rates, bestPattern[r], batch);
            for (int s = 0; s < sites; s++) out[s][r] = one[s][r];
        }
        return out;
    }

    /** Bit s of {@code pattern} set: site s kept (×1/keep) for every sample; clear: dropped (×0). */
    private static float[][] masks(float[] rates, int pattern, int batch) {
        float[][] out = new float[rates.length][batch];
        for (int s = 0; s < rates.length; s++) Arrays.fill(out[s], (pattern >> s & 1) == 1 ? 1f / (1f - rates[s]) : 0f);
        return out;
    }

    @Test
    void trainingPassWithTheReferenceStochasticDepthMatchesTimm() {
        SwinTransformer m = load();
        Tensor x = input();
        float[] refLogits = io.get("train_logits").floats();
        m.replayDropPath(recoverDropPathMasks(m, x, refLogits, m.numClasses()));
        m.train(true);
        m.zeroGrad();
        Tensor logits = m.forward(x);
        double dLogits = TimmVerifier.maxDiff(logits.toArray(), refLogits);
        Tensor loss = Norms.crossEntropy(logits, target(), 0f);
        double dLoss = Math.abs(loss.item() - io.get("loss").floats()[0]);
        loss.backward();
        double worst = 0;
        String worstName = "";
        List<String> failures = new ArrayList<>();
        for (var e : m.namedParameters().entrySet()) {
            float[] ref = io.get("grad." + e.getKey()).floats();
            float[] got = e.getValue().grad() == null ? new float[ref.length] : e.getValue().grad().toArray();
            double refMax = TimmVerifier.maxAbs(ref), diff = TimmVerifier.maxDiff(got, ref), rel = diff / Math.max(refMax, 1e-30);
            if (!(diff <= TimmVerifier.GRAD_REL_TOL * refMax + TimmVerifier.GRAD_ABS_TOL)) failures.add(e.getKey() + String.format("(%.3g)", rel));
            if (!(rel <= worst)) {
                worst = rel;
                worstName = e.getKey();
            }
        }
        System.out.printf("swin train logits maxdiff=%.3g loss diff=%.3g grad maxrel=%.3g (%s), %d gradients%n", dLogits, dLoss, worst,
                worstName, m.namedParameters().size());
        assertTrue(dLogits <= TimmVerifier.LOGITS_TOL, "train logits maxdiff " + dLogits);
        assertTrue(dLoss <= TimmVerifier.LOSS_TOL, "loss diff " + dLoss);
        assertTrue(failures.isEmpty(), "gradients off: " + failures);
    }

    /**
     * The verifier's own comparison (training pass with this model's own random stochastic depth). It
     * can only pass on a reference without stochastic depth (drop_path_rate 0 in the kwargs, as the
     * golden README intends); until the reference is regenerated so, this is skipped with the reason.
     */
    @Test
    void timmVerifierPassesOnADeterministicReference() {
        TimmVerifier.Result r = new TimmVerifier(List.of(new SwinProvider())).verifyCase(Golden.dir(), "swin");
        System.out.println(r.line());
        Object rate = kwargs.get("drop_path_rate");
        Assumptions.assumeTrue(rate instanceof Number n && n.doubleValue() == 0,
                "swin.json sets no drop_path_rate = 0, so timm's default 0.1 made the reference's training pass stochastic; "
                        + "the verifier cannot replay torch's draws (see trainingPassWithTheReferenceStochasticDepthMatchesTimm)");
        assertEquals(TimmVerifier.Status.PASS, r.status(), r.line());
    }
}
