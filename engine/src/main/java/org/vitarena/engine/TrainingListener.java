package org.vitarena.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * What a {@link Trainer} reports while it runs. Every method has an empty default, so a listener
 * implements only what it shows; the engine itself prints nothing. The runner implements it twice:
 * progress bars and log lines on the console, and {@code metrics.jsonl} in the run folder.
 *
 * <p>Calls come from the training thread, in this order: {@link #runStarted}, then per epoch
 * {@link #epochStarted}, {@link #step} per micro-batch, {@link #epochTrained}, {@link #evaluated} (when
 * the epoch is evaluated), {@link #epochEnded}, {@link #checkpointSaved}. Epochs are counted from 1.
 * A listener that throws stops the run with that exception.
 */
public interface TrainingListener {
    /** Nobody listening. */
    TrainingListener NONE = new TrainingListener() {};

    /** A line of information (a resumed run, a dataset being cached, images skipped). */
    default void message(String line) {}

    /**
     * The run is set up.
     *
     * @param resumedFrom the checkpoint it continues, or null for a new run
     * @param micro       micro-batches already done (0 for a new run)
     */
    record RunStart(TrainConfig config, Path out, Path resumedFrom, int epoch, int batch, long update, long micro,
                    int batchesPerEpoch, long params) {}

    default void runStarted(RunStart start) {}

    /** Epoch {@code epoch} of {@code epochs} starts at batch {@code fromBatch} (0 unless resumed mid-epoch) of {@code batches}. */
    default void epochStarted(int epoch, int epochs, int fromBatch, int batches) {}

    /**
     * One micro-batch is done.
     *
     * @param batch       batches of this epoch done (1-based)
     * @param runningLoss mean training loss of this epoch so far
     * @param updated     whether this micro-batch ended an optimiser update (then {@code lr} is the rate it used)
     */
    record Step(int epoch, int batch, int batches, long micro, long update, double runningLoss, double imgPerSec, boolean updated,
                float lr) {}

    default void step(Step step) {}

    /** The training pass of an epoch is over (also when it ends by an exception). */
    default void epochTrained(int epoch) {}

    default void evaluated(int epoch, Evaluator.Result result) {}

    /** An epoch's figures; {@code acc1}, {@code acc5} and {@code evalLoss} are NaN when it was not evaluated. */
    default void epochEnded(Checkpoint.EpochRecord record, long micro) {}

    default void checkpointSaved(Path file) {}

    /** Several listeners as one, called in order. */
    static TrainingListener all(List<TrainingListener> listeners) {
        List<TrainingListener> ls = List.copyOf(listeners);
        return new TrainingListener() {
            @Override public void message(String line) { ls.forEach(l -> l.message(line)); }
            @Override public void runStarted(RunStart s) { ls.forEach(l -> l.runStarted(s)); }
            @Override public void epochStarted(int e, int n, int from, int b) { ls.forEach(l -> l.epochStarted(e, n, from, b)); }
            @Override public void step(Step s) { ls.forEach(l -> l.step(s)); }
            @Override public void epochTrained(int e) { ls.forEach(l -> l.epochTrained(e)); }
            @Override public void evaluated(int e, Evaluator.Result r) { ls.forEach(l -> l.evaluated(e, r)); }
            @Override public void epochEnded(Checkpoint.EpochRecord r, long micro) { ls.forEach(l -> l.epochEnded(r, micro)); }
            @Override public void checkpointSaved(Path f) { ls.forEach(l -> l.checkpointSaved(f)); }
        };
    }
}
