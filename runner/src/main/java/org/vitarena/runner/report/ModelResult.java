package org.vitarena.runner.report;

import java.util.List;

/**
 * One row of the comparison: a model's size, cost, speed and accuracy (percent) after its run.
 * {@code status} is {@code "ok"} or {@code "failed"}; {@code error} is the reason when failed and
 * {@code null} when ok. Quantities that were never measured (a model that failed before training)
 * are {@code NaN} (doubles) or {@code 0} (longs); they are written to JSON as {@code null} and read
 * back as {@code NaN}. {@code history} is never null (a null argument becomes an empty list).
 */
public record ModelResult(String model, String family, long params, double gmacs, long peakMemoryBytes,
                          double epochSeconds, double trainImgPerS, double evalImgPerS, double acc1, double acc5,
                          String status /* "ok" | "failed" */, String error /* null when ok */, List<EpochPoint> history,
                          Spread spread /* null: one run */) {
    public static final String OK = "ok";
    public static final String FAILED = "failed";

    public ModelResult {
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** One run (one seed). */
    public ModelResult(String model, String family, long params, double gmacs, long peakMemoryBytes, double epochSeconds,
                       double trainImgPerS, double evalImgPerS, double acc1, double acc5, String status, String error,
                       List<EpochPoint> history) {
        this(model, family, params, gmacs, peakMemoryBytes, epochSeconds, trainImgPerS, evalImgPerS, acc1, acc5, status, error, history, null);
    }

    /**
     * A model run with several seeds: the row's numbers are means over the finished seeds, and this is
     * their spread. Standard deviations are the sample ones (n - 1).
     *
     * @param seeds         the seeds that finished
     * @param acc1PerSeed   acc@1 of each, in the order of {@code seeds}
     * @param acc5PerSeed   acc@5 of each
     * @param acc1StdPerEpoch the standard deviation of acc@1 at each point of {@code history} (error bars)
     * @param pVsBest       two-sided p of Welch's t-test of acc@1 against the model with the best mean acc@1
     *                      (NaN for the best itself, or with fewer than two seeds on a side)
     * @param failedSeeds   seeds whose run failed, with the reason
     */
    public record Spread(List<Long> seeds, double[] acc1PerSeed, double[] acc5PerSeed, double acc1Std, double acc5Std,
                         double[] acc1StdPerEpoch, double pVsBest, java.util.Map<Long, String> failedSeeds) {
        public Spread withP(double p) {
            return new Spread(seeds, acc1PerSeed, acc5PerSeed, acc1Std, acc5Std, acc1StdPerEpoch, p, failedSeeds);
        }
    }

    public ModelResult withSpread(Spread s) {
        return new ModelResult(model, family, params, gmacs, peakMemoryBytes, epochSeconds, trainImgPerS, evalImgPerS, acc1, acc5, status,
                error, history, s);
    }

    /** A model that trained and evaluated. */
    public static ModelResult ok(String model, String family, long params, double gmacs, long peakMemoryBytes,
                                 double epochSeconds, double trainImgPerS, double evalImgPerS,
                                 double acc1, double acc5, List<EpochPoint> history) {
        return new ModelResult(model, family, params, gmacs, peakMemoryBytes, epochSeconds, trainImgPerS,
                evalImgPerS, acc1, acc5, OK, null, history);
    }

    /**
     * A model that trained and evaluated, from its recorded history: seconds and training images per
     * second are the means over the epochs, acc@1 / acc@5 and the evaluation speed those given.
     */
    public static ModelResult ok(String model, String family, long params, double gmacs, long peakMemoryBytes,
                                 List<org.vitarena.engine.Checkpoint.EpochRecord> history, double evalImgPerS, double acc1, double acc5) {
        double secs = 0, ips = 0;
        for (var h : history) {
            secs += h.seconds();
            ips += h.trainImgPerS();
        }
        int n = Math.max(1, history.size());
        return ok(model, family, params, gmacs, peakMemoryBytes, secs / n, ips / n, evalImgPerS, acc1, acc5, EpochPoint.of(history));
    }

    /**
     * A model that failed: what is known of it (params and GMACs when it could be built, else 0 and NaN),
     * the reason, and the epochs it finished before failing.
     */
    public static ModelResult failed(String model, String family, long params, double gmacs, String error,
                                     List<EpochPoint> history) {
        return new ModelResult(model, family, params, gmacs, 0L, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, FAILED, error == null ? "unknown error" : error, history);
    }

    public boolean isOk() {
        return OK.equals(status);
    }
}
