package org.vitarena.verify;

import com.fasterxml.jackson.databind.JsonNode;
import org.vitarena.core.MemoryPool;
import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.image.Bicubic;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.io.StateDict;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Norms;
import org.vitarena.core.ops.Stochastic;
import org.vitarena.core.optim.AdamW;
import org.vitarena.spi.ModelProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Checks that models compute what timm computes, from reference cases in the format of
 * {@code reference/README.md} (made by {@code verify/generator/make_reference.py}): for each case
 * {@code NAME.json} + {@code NAME.weights.safetensors} + {@code NAME.io.safetensors}, build the model
 * from timm's constructor arguments through the one provider that accepts the class and kwargs
 * ({@link ModelProvider#acceptsTimm}), load the weights strictly, and compare eval logits, training
 * logits, the loss and every gradient; replay an optimiser trace ({@code NAME.init.safetensors} +
 * {@code NAME.after3.safetensors}); compare the resampling references ({@code resample.safetensors}).
 *
 * <p>References are deterministic: the training pass has no dropout and no stochastic depth. The
 * Java training pass runs with drop-path switched off too, so a case whose kwargs ask for stochastic
 * depth fails with a message saying to regenerate it with {@code drop_path_rate=0}.
 *
 * <p>Tolerances (the reference README's): logits max|Δ| ≤ 1e-4, loss |Δ| ≤ 1e-5, each gradient max|Δ| ≤
 * 1e-3·max|ref| + 1e-6, weights after the optimiser trace max|Δ| ≤ 1e-5.
 */
public final class TimmVerifier {
    public static final double LOGITS_TOL = 1e-4, LOSS_TOL = 1e-5, GRAD_REL_TOL = 1e-3, GRAD_ABS_TOL = 1e-6, WEIGHT_TOL = 1e-5;
    /** A gradient element counts as rounding noise below 100 × Adam's eps and 1e-5 × its tensor's max. */
    public static final double NOISE_GRAD = 1e-6, NOISE_REL = 1e-5;

    public enum Status { PASS, FAIL }

    /**
     * One case's outcome. NaN where a measure does not apply. {@code gradMaxrel} is the max over
     * tensors of max|Δ| / (max|ref| + 1e-3): the gradient tolerance holds exactly when it is ≤ 1e-3.
     */
    public record Result(String caseName, String family, Status status, double logitsMaxdiff, double lossDiff,
                         double gradMaxrel, String detail) {
        public String line() {
            return String.format("%s %s %s logits_maxdiff=%.3g loss_diff=%.3g grad_maxrel=%.3g%s", status, caseName, family,
                    logitsMaxdiff, lossDiff, gradMaxrel, detail.isEmpty() ? "" : " " + detail);
        }
    }

    private final List<ModelProvider> providers;

    public TimmVerifier(List<ModelProvider> providers) {
        this.providers = providers;
    }

    /** Every case in {@code dir}, sorted by name, then {@code resample.safetensors} if there. */
    public List<Result> verifyAll(Path dir) throws IOException {
        List<Result> out = new ArrayList<>();
        for (String name : ReferenceCase.names(dir)) out.add(verifyCase(dir, name));
        if (Files.exists(dir.resolve("resample.safetensors"))) out.add(verifyResample(dir.resolve("resample.safetensors")));
        return out;
    }

    /** One case by name ({@code vit}, {@code vit_adamw}, ...). */
    public Result verifyCase(Path dir, String name) {
        String family = "?";
        try {
            JsonNode spec = ReferenceCase.spec(dir, name);
            if (spec.has("optimizer")) return verifyOptimizerTrace(dir, name, spec);
            String cls = spec.get("class").asText();
            Map<String, Object> kwargs = ReferenceCase.kwargs(spec.get("kwargs"));
            family = familyGuess(cls);
            ModelProvider p = providerFor(name, cls, kwargs, providers);
            family = p.family();
            ReferenceCase c = ReferenceCase.read(dir, name);
            VisionModel model = p.createFromTimm(cls, kwargs, 0L);
            StateDict.load(model, c.weights(), true, name + ".weights.safetensors");
            return compare(c, p.family(), model);
        } catch (NoProviderException e) {
            return new Result(name, family, Status.FAIL, Double.NaN, Double.NaN, Double.NaN, e.getMessage());
        } catch (Exception e) {
            return new Result(name, family, Status.FAIL, Double.NaN, Double.NaN, Double.NaN, "error: " + e);
        }
    }

    /** No provider, or more than one, accepts a case's timm class and kwargs. */
    public static final class NoProviderException extends IllegalArgumentException {
        public NoProviderException(String message) {
            super(message);
        }
    }

    /**
     * The one provider that accepts {@code timmClass} with {@code kwargs} ({@link ModelProvider#acceptsTimm}).
     * Several providers may claim one timm class (timm's {@code MlpMixer} serves the Mixer, ResMLP and
     * gMLP families), so the kwargs decide.
     *
     * @throws NoProviderException when none accepts, or several do, naming the case and the candidates
     */
    public static ModelProvider providerFor(String caseName, String timmClass, Map<String, Object> kwargs, List<ModelProvider> providers) {
        List<ModelProvider> accepting = providers.stream().filter(p -> p.acceptsTimm(timmClass, kwargs)).toList();
        if (accepting.size() == 1) return accepting.get(0);
        if (accepting.size() > 1) {
            throw new NoProviderException("case '" + caseName + "': " + accepting.size() + " providers accept timm class " + timmClass
                    + " with kwargs " + kwargs + ": " + describe(accepting) + "; make acceptsTimm of all but one reject these kwargs");
        }
        List<ModelProvider> claiming = providers.stream().filter(p -> p.timmClasses().contains(timmClass)).toList();
        throw new NoProviderException("case '" + caseName + "': no provider accepts timm class " + timmClass + " with kwargs " + kwargs
                + (claiming.isEmpty() ? "; none on the class path claims that class (providers: " + describe(providers) + ")"
                        : "; providers claiming the class but refusing these kwargs: " + describe(claiming)));
    }

    private static String describe(List<ModelProvider> ps) {
        if (ps.isEmpty()) return "none";
        List<String> out = new ArrayList<>();
        for (ModelProvider p : ps) out.add(p.family() + " (" + p.getClass().getName() + ")");
        return String.join(", ", out);
    }

    private static String familyGuess(String cls) {
        String[] parts = cls.split("\\.");
        return parts.length >= 3 ? parts[parts.length - 2] : cls;
    }

    /** max |a − b|. */
    public static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) return Double.POSITIVE_INFINITY;
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) return Double.NaN;
            m = Math.max(m, d);
        }
        return m;
    }

    public static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** The loss timm's reference used: CE, or 0.5·CE(cls) + 0.5·CE(dist, target_dist) for two heads. */
    public static Tensor loss(List<Tensor> outputs, int[] target, int[] targetDist, float smoothing) {
        if (outputs.size() == 1) return Norms.crossEntropy(outputs.get(0), target, smoothing);
        Tensor a = Norms.crossEntropy(outputs.get(0), target, smoothing);
        Tensor b = Norms.crossEntropy(outputs.get(1), targetDist, smoothing);
        return Arith.scale(Arith.add(a, b), 0.5f);
    }

    private Result compare(ReferenceCase c, String family, VisionModel model) {
        Map<String, Safetensors.Entry> io = c.io();
        Tensor input = c.input();
        int[] target = c.ints("target");
        int[] targetDist = io.containsKey("target_dist") ? c.ints("target_dist") : target;
        List<String> failures = new ArrayList<>();

        model.train(false);
        float[] eval;
        try (var ignored = NoGrad.scope()) {
            eval = model.forward(input).toArray();
        }
        double logits = maxDiff(eval, io.get("eval_logits").floats());

        model.train(true);
        model.zeroGrad();
        // The training pass runs on pooled memory, as in training, so early release is checked against timm too.
        try (MemoryPool.Scope ignored = new MemoryPool(input.backend()).open()) {
            List<float[]> refTrain = c.trainLogits();
            // The training pass without stochastic depth (as the reference's), counting the drop-path sites.
            List<Tensor> outs;
            int sites;
            try (var counted = Stochastic.DropPathReplay.counting()) {
                outs = model.forwardTrain(input);
                sites = counted.sites();
            }
            if (outs.size() != refTrain.size()) {
                failures.add("model gave " + outs.size() + " training outputs, reference has " + refTrain.size());
            } else {
                logits = Math.max(logits, trainDiff(outs, refTrain));
            }
            if (!(logits <= LOGITS_TOL)) {
                failures.add(sites == 0 ? "logits" : "logits (the kwargs give " + sites + " drop-path sites of rate > 0; "
                        + "references must be made without stochastic depth: regenerate with drop_path_rate=0)");
            }
            Tensor loss = loss(outs, target, targetDist, 0f);
            double lossDiff = Math.abs(loss.item() - io.get("loss").floats()[0]);
            if (!(lossDiff <= LOSS_TOL)) failures.add("loss");
            loss.backward();

            double worstRel = 0;
            String worst = "";
            for (var e : model.namedParameters().entrySet()) {
                Safetensors.Entry ref = io.get("grad." + e.getKey());
                if (ref == null) {
                    failures.add("no reference gradient for " + e.getKey());
                    continue;
                }
                Tensor g = e.getValue().grad();
                float[] got = g == null ? new float[ref.floats().length] : g.toArray();
                double refMax = maxAbs(ref.floats());
                double diff = maxDiff(got, ref.floats());
                // relative to max|ref|, with the floor the absolute tolerance implies, so a tensor whose
                // true gradient is zero (rounding noise in both implementations) does not dominate
                double rel = diff / (refMax + GRAD_ABS_TOL / GRAD_REL_TOL);
                if (!(diff <= GRAD_REL_TOL * refMax + GRAD_ABS_TOL)) failures.add("grad." + e.getKey() + String.format("(%.3g)", rel));
                if (!(rel <= worstRel)) {
                    worstRel = rel;
                    worst = e.getKey();
                }
            }
            model.zeroGrad();
            String detail = failures.isEmpty() ? "worst_grad=" + worst : "failed: " + String.join(", ", failures);
            return new Result(c.name(), family, failures.isEmpty() ? Status.PASS : Status.FAIL, logits, lossDiff, worstRel, detail);
        }
    }

    /** max |Δ| over every training output against the reference's. */
    private static double trainDiff(List<Tensor> outs, List<float[]> ref) {
        double d = 0;
        for (int o = 0; o < outs.size(); o++) d = Math.max(d, maxDiff(outs.get(o).toArray(), ref.get(o)));
        return d;
    }

    /** Replays the AdamW trace: losses at each step and the weights after the last. */
    private Result verifyOptimizerTrace(Path dir, String name, JsonNode spec) throws IOException {
        String cls = spec.path("class").asText(VIT_CLASS);
        Map<String, Object> kwargs = ReferenceCase.kwargs(spec.get("model"));
        ModelProvider p = providerFor(name, cls, kwargs, providers);
        VisionModel model = p.createFromTimm(cls, kwargs, 0L);
        StateDict.load(model, Safetensors.read(dir.resolve(name + ".init.safetensors")), true, name + ".init.safetensors");
        Map<String, Safetensors.Entry> after = Safetensors.read(dir.resolve(name + ".after3.safetensors"));
        Safetensors.Entry inputs = after.get("inputs");
        int steps = inputs.shape()[0];
        int per = inputs.floats().length / steps;
        int[] perShape = Arrays.copyOfRange(inputs.shape(), 1, inputs.shape().length);
        long[] targets = after.get("targets").longs();
        int bs = targets.length / steps;
        float smoothing = spec.path("loss").asText().contains("label_smoothing=0.1") ? 0.1f : 0f;
        AdamW opt = new AdamW(model.namedParameters(), 1e-3f, 0.9f, 0.999f, 1e-8f, 0.05f);
        model.train(true);
        double lossDiff = 0;
        // An element whose gradient at some step is at the rounding-noise floor of its tensor
        // (mathematically ~0, like the key bias under softmax) AND near Adam's eps gets an update of
        // g/(|g|+eps) that amplifies that noise to a sizeable fraction of lr, so no two float32
        // implementations agree on it; such elements are counted and reported apart.
        Map<String, boolean[]> noiseMask = new java.util.HashMap<>();
        MemoryPool pool = new MemoryPool(org.vitarena.core.backend.Backends.current());
        for (int s = 0; s < steps; s++) {
            Tensor x = Tensor.of(Arrays.copyOfRange(inputs.floats(), s * per, (s + 1) * per), perShape);
            int[] t = new int[bs];
            for (int i = 0; i < bs; i++) t[i] = (int) targets[s * bs + i];
            opt.zeroGrad();
            try (var step = pool.open()) {
                Tensor loss = loss(model.forwardTrain(x), t, t, smoothing);
                lossDiff = Math.max(lossDiff, Math.abs(loss.item() - after.get("losses").floats()[s]));
                loss.backward();
            }
            for (var e : model.namedParameters().entrySet()) {
                float[] g = e.getValue().grad().toArray();
                boolean[] noise = noiseMask.computeIfAbsent(e.getKey(), k -> new boolean[g.length]);
                double floor = NOISE_REL * maxAbs(g);
                for (int i = 0; i < g.length; i++) {
                    float a = Math.abs(g[i]);
                    if (a < floor && a < NOISE_GRAD) noise[i] = true;
                }
            }
            opt.step();
        }
        double w = 0, wNoise = 0;
        int noisy = 0;
        String worst = "";
        for (var e : model.namedParameters().entrySet()) {
            float[] got = e.getValue().toArray(), ref = after.get(e.getKey()).floats();
            boolean[] noise = noiseMask.get(e.getKey());
            for (int i = 0; i < got.length; i++) {
                double d = Math.abs((double) got[i] - ref[i]);
                if (noise[i]) {
                    noisy++;
                    wNoise = Math.max(wNoise, d);
                } else if (!(d <= w)) {
                    w = d;
                    worst = e.getKey();
                }
            }
        }
        boolean ok = lossDiff <= LOSS_TOL && w <= WEIGHT_TOL;
        return new Result(name, p.family(), ok ? Status.PASS : Status.FAIL, Double.NaN, lossDiff, Double.NaN,
                String.format("weights_maxdiff=%.3g (%s); %d elements with rounding-noise gradients excluded, their maxdiff=%.3g",
                        w, worst, noisy, wNoise));
    }

    /** The resampling references: position-embedding resampling and bicubic image resizing. */
    public Result verifyResample(Path file) {
        try {
            Map<String, Safetensors.Entry> r = Safetensors.read(file);
            Safetensors.Entry pe = r.get("posemb");
            int d = pe.shape()[2];
            float[] pe6 = Bicubic.resamplePosEmbed(pe.floats(), 1, d, 4, 4, 6, 6);
            double dPos = maxDiff(pe6, r.get("posemb_6x6").floats());
            Safetensors.Entry img = r.get("image");
            float[] up = Bicubic.resize(img.floats(), 3, 64, 64, 96, 96, false);
            float[] down = Bicubic.resize(img.floats(), 3, 64, 64, 40, 40, true);
            double dUp = maxDiff(up, r.get("bicubic_96").floats());
            double dDown = maxDiff(down, r.get("bicubic_aa_40").floats());
            // images hold 0..255: the logits tolerance scaled to that range
            boolean ok = dPos <= LOGITS_TOL && dUp <= 255 * LOGITS_TOL && dDown <= 255 * LOGITS_TOL;
            return new Result("resample", "core", ok ? Status.PASS : Status.FAIL, Double.NaN, Double.NaN, Double.NaN,
                    String.format("posemb_maxdiff=%.3g bicubic_maxdiff=%.3g bicubic_aa_maxdiff=%.3g", dPos, dUp, dDown));
        } catch (Exception e) {
            return new Result("resample", "core", Status.FAIL, Double.NaN, Double.NaN, Double.NaN, "error: " + e);
        }
    }

    /** The timm class of an optimiser trace whose JSON names none. */
    private static final String VIT_CLASS = "timm.models.vision_transformer.VisionTransformer";
}
