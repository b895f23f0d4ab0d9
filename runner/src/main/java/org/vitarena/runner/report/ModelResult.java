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
                          String status /* "ok" | "failed" */, String error /* null when ok */, List<EpochPoint> history) {
    public static final String OK = "ok";
    public static final String FAILED = "failed";

    public ModelResult {
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** A model that trained and evaluated. */
    public static ModelResult ok(String model, String family, long params, double gmacs, long peakMemoryBytes,
                                 double epochSeconds, double trainImgPerS, double evalImgPerS,
                                 double acc1, double acc5, List<EpochPoint> history) {
        return new ModelResult(model, family, params, gmacs, peakMemoryBytes, epochSeconds, trainImgPerS,
                evalImgPerS, acc1, acc5, OK, null, history);
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
