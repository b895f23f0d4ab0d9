package org.vitarena.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.vitarena.core.Tensor;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.spi.ModelProvider;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a provider's freshly built model with the statistics of timm's initialisation of the
 * same configuration, written by {@code verify/generator/init_stats.py} ({@code reference/init/NAME.json}:
 * timm class, kwargs, seed count, and per parameter its shape, mean, std and mean absolute deviation
 * averaged over the seeds, min, max, and the value of a constant tensor).
 *
 * <p>The model is built with {@link ModelProvider#createFromTimm} from the file's class and kwargs
 * for as many seeds, and per tensor of N values, over S seeds, with σ timm's std:
 * <ul>
 *   <li>a constant tensor in timm (LayerNorm weight 1, zero biases, LayerScale gammas) must hold
 *       exactly that value in every element of every seed;</li>
 *   <li>mean: |Δ| ≤ 5·√2·σ/√(N·S) + 1e-7 (five standard errors of the difference of two means);</li>
 *   <li>std: |Δ| ≤ 5·√2·σ/√(2·N·S) + 1e-7 (the standard error of a normal sample's std is σ/√(2n));</li>
 *   <li>shape: the ratio mean|v − mean| / std (0.798 for a normal, 0.866 for a uniform) within
 *       5·√2·0.6/√(N·S) + 0.005 of timm's (0.6 ≈ the std of |z − mean| / σ for a normal z); this tells
 *       a uniform initialiser from a normal one of the same std once a tensor has a few thousand values.</li>
 * </ul>
 */
public final class InitReference {
    public static final double SE_MULTIPLE = 5, FLOOR = 1e-7, SHAPE_FLOOR = 0.005;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tensor's comparison; {@code ok} false names what differs in {@code detail}. */
    public record Row(String name, boolean ok, String detail) {
        public String line() {
            return (ok ? "ok   " : "FAIL ") + name + " " + detail;
        }
    }

    /** Every tensor's row; {@code failures()} those that differ from timm. */
    public record Report(String file, String timmClass, int seeds, List<Row> rows) {
        public List<Row> failures() {
            return rows.stream().filter(r -> !r.ok()).toList();
        }

        public String summary() {
            return file + " (" + timmClass + ", " + seeds + " seeds): " + (rows.size() - failures().size()) + "/" + rows.size()
                    + " tensors match timm's initialisation";
        }
    }

    private final JsonNode spec;
    private final String file;

    private InitReference(String file, JsonNode spec) {
        this.file = file;
        this.spec = spec;
    }

    public static InitReference read(Path json) throws IOException {
        return new InitReference(json.getFileName().toString(), JSON.readTree(json.toFile()));
    }

    /**
     * The whole check a family's init test makes: the statistics in {@code json} were made for exactly the
     * timm class and kwargs {@code variant} maps to (10 classes), and every tensor of the provider's model
     * matches them. Prints one line per tensor and a summary.
     *
     * @throws AssertionError naming the mismatch or listing the differing tensors
     */
    public static void assertMatches(ModelProvider provider, String variant, Path json) throws IOException {
        InitReference ref = read(json);
        var spec = provider.timmSpec(variant, new org.vitarena.spi.ModelOptions(10, 0, 0f, 0))
                .orElseThrow(() -> new AssertionError(variant + " has no timm spec"));
        if (!spec.timmClass().equals(ref.timmClass()) || !ref.sameKwargs(spec.kwargs())) {
            throw new AssertionError(json + " was made for " + ref.timmClass() + " " + ref.kwargs() + ", the variant is " + spec.classCall());
        }
        Report r = ref.check(provider);
        r.rows().forEach(row -> System.out.println(row.line()));
        System.out.println(r.summary());
        if (!r.failures().isEmpty()) {
            throw new AssertionError(r.summary() + "; differing:\n"
                    + r.failures().stream().map(Row::line).collect(java.util.stream.Collectors.joining("\n")));
        }
    }

    public String timmClass() {
        return spec.get("class").asText();
    }

    /** The timm constructor kwargs the statistics were made with, as {@code createFromTimm} takes them. */
    public Map<String, Object> kwargs() {
        return ReferenceCase.kwargs(spec.get("kwargs"));
    }

    /** Whether {@code kwargs} (e.g. a variant's {@code TimmSpec.kwargs()}) are the file's, compared as JSON values. */
    public boolean sameKwargs(Map<String, Object> kwargs) {
        try {
            return JSON.readTree(JSON.writeValueAsString(kwargs)).equals(spec.get("kwargs"));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Builds the model with {@code provider} for seeds 0..S−1 and compares every tensor. */
    public Report check(ModelProvider provider) {
        int seeds = spec.get("seeds").asInt();
        JsonNode ref = spec.get("params");
        Map<String, double[]> sums = new LinkedHashMap<>(); // name → {Σ mean, Σ std, Σ mean|v − mean|, constant holds (1/0)}
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (int s = 0; s < seeds; s++) {
            VisionModel m = provider.createFromTimm(timmClass(), kwargs(), s);
            for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
                float[] v = e.getValue().toArray();
                double[] acc = sums.computeIfAbsent(e.getKey(), k -> new double[]{0, 0, 0, 1});
                shapes.put(e.getKey(), e.getValue().shape());
                double mean = 0;
                for (float x : v) mean += x;
                mean /= v.length;
                double var = 0;
                for (float x : v) var += (x - mean) * (x - mean);
                acc[0] += mean;
                acc[1] += Math.sqrt(var / v.length);
                double dev = 0;
                for (float x : v) dev += Math.abs(x - mean);
                acc[2] += dev / v.length;
                JsonNode r = ref.get(e.getKey());
                boolean constant = r != null && !r.get("constant").isNull();
                for (float x : v) {
                    if (constant && x != (float) r.get("constant").asDouble()) acc[3] = 0;
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        for (var it = ref.fields(); it.hasNext(); ) {
            var e = it.next();
            String name = e.getKey();
            JsonNode r = e.getValue();
            double[] acc = sums.get(name);
            if (acc == null) {
                rows.add(new Row(name, false, "missing here (timm has " + r.get("shape") + ")"));
                continue;
            }
            int[] want = JSON.convertValue(r.get("shape"), int[].class);
            if (!Arrays.equals(want, shapes.get(name))) {
                rows.add(new Row(name, false, "shape " + Arrays.toString(shapes.get(name)) + ", timm " + Arrays.toString(want)));
                continue;
            }
            double mean = acc[0] / seeds, std = acc[1] / seeds, shape = std == 0 ? 0 : acc[2] / seeds / std;
            if (!r.get("constant").isNull()) {
                double c = r.get("constant").asDouble();
                rows.add(new Row(name, acc[3] == 1, acc[3] == 1 ? "constant " + c
                        : String.format("timm: constant %s; here mean %.6g std %.6g", c, mean, std)));
                continue;
            }
            double n = r.get("numel").asDouble() * seeds, sigma = r.get("std").asDouble();
            double refMean = r.get("mean").asDouble(), refShape = sigma == 0 ? 0 : r.get("abs_dev").asDouble() / sigma;
            double tolMean = SE_MULTIPLE * Math.sqrt(2) * sigma / Math.sqrt(n) + FLOOR;
            double tolStd = SE_MULTIPLE * Math.sqrt(2) * sigma / Math.sqrt(2 * n) + FLOOR;
            boolean meanOk = Math.abs(mean - refMean) <= tolMean, stdOk = Math.abs(std - sigma) <= tolStd;
            double tolShape = SE_MULTIPLE * Math.sqrt(2) * 0.6 / Math.sqrt(n) + SHAPE_FLOOR;
            boolean shapeOk = Math.abs(shape - refShape) <= tolShape;
            String detail = String.format("mean %.3g (timm %.3g, tol %.2g) std %.4g (timm %.4g, tol %.2g) mad/std %.3f (timm %.3f, tol %.3f)%s",
                    mean, refMean, tolMean, std, sigma, tolStd, shape, refShape, tolShape,
                    (meanOk ? "" : " MEAN") + (stdOk ? "" : " STD") + (shapeOk ? "" : " SHAPE"));
            rows.add(new Row(name, meanOk && stdOk && shapeOk, detail));
        }
        for (String name : sums.keySet()) {
            if (!ref.has(name)) rows.add(new Row(name, false, "not in timm's model"));
        }
        return new Report(file, timmClass(), seeds, rows);
    }
}
