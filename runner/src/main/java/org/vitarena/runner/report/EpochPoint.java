package org.vitarena.runner.report;

import org.vitarena.engine.Checkpoint;

import java.util.List;

/**
 * One epoch of one model's run: mean training loss, validation loss and accuracies (in percent),
 * and the epoch's wall-clock seconds (training and evaluation).
 */
public record EpochPoint(int epoch, double trainLoss, double evalLoss, double acc1, double acc5, double seconds) {
    /** The points of a run's recorded history (a trainer's outcome, or a checkpoint read back). */
    public static List<EpochPoint> of(List<Checkpoint.EpochRecord> history) {
        return history.stream().map(h -> new EpochPoint(h.epoch(), h.trainLoss(), h.evalLoss(), h.acc1(), h.acc5(), h.seconds())).toList();
    }
}
