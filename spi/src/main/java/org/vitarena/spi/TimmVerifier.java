package org.vitarena.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checks that models compute what timm computes, from reference files in the format of
 * {@code shared/golden/README.md}: for each case {@code NAME.json} + {@code NAME.weights.safetensors}
 * + {@code NAME.io.safetensors}, build the model from timm's constructor arguments through the
 * provider that knows the class, load the weights strictly, and compare eval logits, training
 * logits, the loss and every gradient; replay an optimiser trace ({@code NAME.init.safetensors} +
 * {@code NAME.after3.safetensors}); compare the resampling references ({@code resample.safetensors}).
 *
 * <p>The training pass is compared without stochastic depth. When the reference's training logits
 * do not match that and the model has drop-path sites of rate &gt; 0 (a reference made with a
 * drop_path_rate default left on, as timm's SwinTransformer has), the per-sample keep/drop decisions
 * are recovered by trying all 2^K patterns of the K sites (K ≤ {@link #MAX_REPLAY_SITES}) through
 * {@link Stochastic.DropPathReplay} and replayed for the loss and gradients; the detail then names
 * the dropped sites of each sample.
 *
 * <p>Tolerances (the golden README's): logits max|Δ| ≤ 1e-4, loss |Δ| ≤ 1e-5, each gradient max|Δ| ≤
 * 1e-3·max|ref| + 1e-6, weights after the optimiser trace max|Δ| ≤ 1e-5.
 */
public final class TimmVerifier {
    public static final double LOGITS_TOL = 1e-4, LOSS_TOL = 1e-5, GRAD_REL_TOL = 1e-3, GRAD_ABS_TOL = 1e-6, WEIGHT_TOL = 1e-5;
    /** A gradient element counts as rounding noise below 100 × Adam's eps and 1e-5 × its tensor's max. */
    public static final double NOISE_GRAD = 1e-6, NOISE_REL = 1e-5;
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Status { PASS, FAIL, SKIP }

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

    /** Every case in {@code dir}, sorted by name. */
    public List<Result> verifyAll(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("reference folder " + dir + " does not exist");
        List<Result> out = new ArrayList<>();
        List<Path> jsons;
        try (Stream<Path> s = Files.list(dir)) {
            jsons = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        for (Path json : jsons) {
            String name = json.getFileName().toString().replaceFirst("\\.json$", "");
            out.add(verifyCase(dir, name));
        }
        if (Files.exists(dir.resolve("resample.safetensors"))) out.add(verifyResample(dir.resolve("resample.safetensors")));
        return out;
    }

    /** One case by name ({@code vit}, {@code vit_adamw}, ...). */
    public Result verifyCase(Path dir, String name) {
        try {
            JsonNode spec = JSON.readTree(dir.resolve(name + ".json").toFile());
            if (spec.has("optimizer")) return verifyOptimizerTrace(dir, name, spec);
            String cls = spec.get("class").asText();
            ModelProvider p = providerFor(cls);
            if (p == null) return new Result(name, familyGuess(cls), Status.SKIP, Double.NaN, Double.NaN, Double.NaN, "no provider for " + cls + " on the class path");
            @SuppressWarnings("unchecked")
            Map<String, Object> kwargs = JSON.convertValue(spec.get("kwargs"), Map.class);
            VisionModel model = p.createFromTimm(cls, kwargs, 0L);
            StateDict.load(model, Safetensors.read(dir.resolve(name + ".weights.safetensors")), true, name + ".weights.safetensors");
            Map<String, Safetensors.Entry> io = Safetensors.read(dir.resolve(name + ".io.safetensors"));
            return compare(name, p.family(), model, io);
        } catch (Exception e) {
            return new Result(name, "?", Status.FAIL, Double.NaN, Double.NaN, Double.NaN, "error: " + e);
        }
    }

    private ModelProvider providerFor(String timmClass) {
        for (ModelProvider p : providers) if (p.timmClasses().contains(timmClass)) return p;
        return null;
    }

    private static String familyGuess(String cls) {
        String[] parts = cls.split("\\.");
        return parts.length >= 3 ? parts[parts.length - 2] : cls;
    }

    private static Tensor tensor(Safetensors.Entry e) {
        return Tensor.of(e.floats(), e.shape());
    }

    private static int[] ints(Safetensors.Entry e) {
        return Arrays.stream(e.longs()).mapToInt(v -> (int) v).toArray();
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

    private Result compare(String name, String family, VisionModel model, Map<String, Safetensors.Entry> io) {
        Tensor input = tensor(io.get("input"));
        int[] target = ints(io.get("target"));
        int[] targetDist = io.containsKey("target_dist") ? ints(io.get("target_dist")) : target;
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
        MemoryPool.Scope step = new MemoryPool(input.backend()).open();
        try {
            List<float[]> refTrain = io.containsKey("train_logits") ? List.of(io.get("train_logits").floats())
                    : io.containsKey("train_logits_cls") ? List.of(io.get("train_logits_cls").floats(), io.get("train_logits_dist").floats())
                    : List.of();
            // The training pass without stochastic depth, counting the drop-path sites on the way.
            List<Tensor> outs;
            Stochastic.DropPathReplay counted;
            try (var c = Stochastic.DropPathReplay.counting()) {
                outs = model.forwardTrain(input);
                counted = c;
            }
            String replayed = "";
            if (outs.size() != refTrain.size()) {
                failures.add("model gave " + outs.size() + " training outputs, reference has " + refTrain.size());
            } else {
                double plain = trainDiff(outs, refTrain);
                if (!(plain <= LOGITS_TOL) && counted.sites() > 0) {
                    // The reference's training pass had stochastic depth (e.g. a drop_path_rate default
                    // the kwargs do not override): recover its per-sample keep/drop decisions.
                    DropPathSearch found = searchDropPath(model, input, refTrain, counted);
                    if (found.error != null) {
                        failures.add(found.error);
                    } else {
                        replayed = found.describe();
                        model.zeroGrad();
                        try (var ignored = Stochastic.DropPathReplay.replaying(found.keep)) {
                            outs = model.forwardTrain(input);
                        }
                    }
                }
                if (outs.size() == refTrain.size()) logits = Math.max(logits, trainDiff(outs, refTrain));
            }
            if (!(logits <= LOGITS_TOL)) failures.add("logits");
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
            if (!replayed.isEmpty()) detail += "; " + replayed;
            return new Result(name, family, failures.isEmpty() ? Status.PASS : Status.FAIL, logits, lossDiff, worstRel, detail);
        } finally {
            step.close();
        }
    }

    /** Most drop-path sites whose 2^K keep/drop patterns {@link #searchDropPath} tries per sample. */
    public static final int MAX_REPLAY_SITES = 12;

    /** max |Δ| over every training output against the reference's. */
    private static double trainDiff(List<Tensor> outs, List<float[]> ref) {
        double d = 0;
        for (int o = 0; o < outs.size(); o++) d = Math.max(d, maxDiff(outs.get(o).toArray(), ref.get(o)));
        return d;
    }

    /** The outcome of {@link #searchDropPath}: {@code keep[site][sample]}, or an error. */
    private record DropPathSearch(boolean[][] keep, float[] rates, double[] best, double[] second, String error) {
        String describe() {
            StringBuilder b = new StringBuilder("drop-path replayed (").append(rates.length).append(" sites, rates");
            for (float r : rates) b.append(String.format(" %.3g", r));
            b.append("):");
            int batch = best.length;
            for (int i = 0; i < batch; i++) {
                List<String> dropped = new ArrayList<>();
                for (int s = 0; s < rates.length; s++) if (!keep[s][i]) dropped.add(Integer.toString(s));
                b.append(i == 0 ? " " : "; ").append("sample ").append(i).append(" dropped ")
                        .append(dropped.isEmpty() ? "none" : (dropped.size() == 1 ? "site " : "sites ") + String.join(",", dropped))
                        .append(String.format(" (fit %.3g, next %.3g%s)", best[i], second[i], second[i] <= LOGITS_TOL ? ", ambiguous" : ""));
            }
            return b.toString();
        }
    }

    /**
     * Recovers the per-sample stochastic-depth decisions of a reference training pass: every one of
     * the 2^K keep/drop patterns of the K sites is run for the whole batch (no gradients), and for
     * each sample the pattern whose output rows match the reference's best is taken. Samples do not
     * interact in these models, so a pattern's rows for one sample do not depend on the others'.
     */
    private static DropPathSearch searchDropPath(VisionModel model, Tensor input, List<float[]> ref, Stochastic.DropPathReplay counted) {
        int k = counted.sites(), batch = input.dim(0);
        float[] rates = counted.rates();
        if (k > MAX_REPLAY_SITES) {
            return new DropPathSearch(null, rates, null, null, "training logits differ from a pass without drop-path and the model has " + k
                    + " drop-path sites; replaying them would try 2^" + k + " patterns per sample (at most " + MAX_REPLAY_SITES
                    + " sites are searched): regenerate the reference with drop_path_rate=0");
        }
        for (int s = 0; s < k; s++) {
            if (counted.batch(s) != batch) {
                return new DropPathSearch(null, rates, null, null, "drop-path site " + s + " sees a batch of " + counted.batch(s)
                        + ", the input has " + batch + ": cannot replay per sample");
            }
        }
        double[] best = new double[batch], second = new double[batch];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        Arrays.fill(second, Double.POSITIVE_INFINITY);
        int[] bestPattern = new int[batch];
        for (int pattern = 0; pattern < 1 << k; pattern++) {
            final int pat = pattern;
            List<Tensor> outs;
            try (var ignored = NoGrad.scope(); var r = Stochastic.DropPathReplay.replaying((site, sample) -> (pat >> site & 1) == 0)) {
                outs = model.forwardTrain(input);
                if (r.sites() != k) {
                    return new DropPathSearch(null, rates, null, null, "the model's drop-path sites changed between passes (" + k + " then " + r.sites() + ")");
                }
            }
            for (int i = 0; i < batch; i++) {
                double d = 0;
                for (int o = 0; o < outs.size(); o++) {
                    float[] got = outs.get(o).toArray(), want = ref.get(o);
                    int per = want.length / batch;
                    d = Math.max(d, maxDiff(Arrays.copyOfRange(got, i * per, (i + 1) * per), Arrays.copyOfRange(want, i * per, (i + 1) * per)));
                }
                if (d < best[i]) {
                    second[i] = best[i];
                    best[i] = d;
                    bestPattern[i] = pattern;
                } else if (d < second[i]) {
                    second[i] = d;
                }
            }
        }
        boolean[][] keep = new boolean[k][batch];
        for (int s = 0; s < k; s++) for (int i = 0; i < batch; i++) keep[s][i] = (bestPattern[i] >> s & 1) == 0;
        return new DropPathSearch(keep, rates, best, second, null);
    }

    /** Replays the AdamW trace: losses at each step and the weights after the last. */
    private Result verifyOptimizerTrace(Path dir, String name, JsonNode spec) throws IOException {
        ModelProvider p = providerFor(VitTimm.CLASS);
        if (p == null) return new Result(name, "vit", Status.SKIP, Double.NaN, Double.NaN, Double.NaN, "no provider for " + VitTimm.CLASS);
        @SuppressWarnings("unchecked")
        Map<String, Object> kwargs = JSON.convertValue(spec.get("model"), Map.class);
        VisionModel model = p.createFromTimm(VitTimm.CLASS, kwargs, 0L);
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

    /** The timm class the optimiser trace uses. */
    private static final class VitTimm {
        static final String CLASS = "timm.models.vision_transformer.VisionTransformer";
    }
}
