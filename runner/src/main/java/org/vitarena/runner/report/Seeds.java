package org.vitarena.runner.report;

import org.apache.commons.math3.stat.inference.TTest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several seeds of one model as one row: means of every measured figure over the finished seeds,
 * their spread ({@link ModelResult.Spread}), and each model compared with the best by Welch's t-test
 * (Apache Commons Math {@link TTest#tTest(double[], double[])}: unequal variances, two-sided).
 */
public final class Seeds {
    private Seeds() {}

    /** The row of one model from its runs, one per seed (in the order of {@code seeds}). A model none of whose seeds finished is a failed row. */
    public static ModelResult aggregate(List<Long> seeds, List<ModelResult> runs) {
        List<ModelResult> ok = new ArrayList<>();
        List<Long> okSeeds = new ArrayList<>();
        Map<Long, String> failed = new LinkedHashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).isOk()) {
                ok.add(runs.get(i));
                okSeeds.add(seeds.get(i));
            } else {
                failed.put(seeds.get(i), runs.get(i).error());
            }
        }
        ModelResult first = runs.get(0);
        if (ok.isEmpty()) {
            String why = failed.entrySet().stream().map(e -> "seed " + e.getKey() + ": " + Report.shortError(e.getValue())).reduce((a, b) -> a + "; " + b).orElse("");
            return ModelResult.failed(first.model(), first.family(), first.params(), first.gmacs(), why, first.history())
                    .withSpread(new ModelResult.Spread(List.of(), new double[0], new double[0], Double.NaN, Double.NaN, new double[0], Double.NaN, failed));
        }
        double[] acc1 = ok.stream().mapToDouble(ModelResult::acc1).toArray(), acc5 = ok.stream().mapToDouble(ModelResult::acc5).toArray();
        // the per-epoch curve: the mean (and spread) over the seeds at each epoch all of them reached
        int epochs = ok.stream().mapToInt(r -> r.history().size()).min().orElse(0);
        List<EpochPoint> hist = new ArrayList<>();
        double[] epochStd = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            final int k = e;
            double[] a1 = ok.stream().mapToDouble(r -> r.history().get(k).acc1()).toArray();
            hist.add(new EpochPoint(ok.get(0).history().get(e).epoch(), mean(ok.stream().mapToDouble(r -> r.history().get(k).trainLoss()).toArray()),
                    mean(ok.stream().mapToDouble(r -> r.history().get(k).evalLoss()).toArray()), mean(a1),
                    mean(ok.stream().mapToDouble(r -> r.history().get(k).acc5()).toArray()),
                    mean(ok.stream().mapToDouble(r -> r.history().get(k).seconds()).toArray())));
            epochStd[e] = std(a1);
        }
        ModelResult m = ok.get(0);
        return new ModelResult(m.model(), m.family(), m.params(), m.gmacs(),
                (long) mean(ok.stream().mapToDouble(ModelResult::peakMemoryBytes).toArray()), mean(ok.stream().mapToDouble(ModelResult::epochSeconds).toArray()),
                mean(ok.stream().mapToDouble(ModelResult::trainImgPerS).toArray()), mean(ok.stream().mapToDouble(ModelResult::evalImgPerS).toArray()),
                mean(acc1), mean(acc5), ModelResult.OK, null, hist,
                new ModelResult.Spread(List.copyOf(okSeeds), acc1, acc5, std(acc1), std(acc5), epochStd, Double.NaN, failed));
    }

    /** The rows with {@code pVsBest} filled in: each model's acc@1 over its seeds against the best mean's. */
    public static List<ModelResult> compareWithBest(List<ModelResult> rows) {
        ModelResult best = null;
        for (ModelResult r : rows) {
            if (r.isOk() && r.spread() != null && Double.isFinite(r.acc1()) && (best == null || r.acc1() > best.acc1())) best = r;
        }
        List<ModelResult> out = new ArrayList<>();
        for (ModelResult r : rows) {
            if (r == best) {
                out.add(r.withSpread(r.spread().withP(Double.NaN)));
                continue;
            }
            if (best == null || r.spread() == null || !r.isOk()) {
                out.add(r);
                continue;
            }
            out.add(r.withSpread(r.spread().withP(welchP(r.spread().acc1PerSeed(), best.spread().acc1PerSeed()))));
        }
        return out;
    }

    /** Two-sided p of Welch's t-test; NaN with fewer than two values on a side; 1 or 0 when neither side varies. */
    public static double welchP(double[] a, double[] b) {
        if (a.length < 2 || b.length < 2) return Double.NaN;
        if (std(a) == 0 && std(b) == 0) return mean(a) == mean(b) ? 1.0 : 0.0;
        return new TTest().tTest(a, b);
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /** The sample standard deviation (n - 1); 0 for one value. */
    static double std(double[] v) {
        if (v.length < 2) return 0;
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }
}
