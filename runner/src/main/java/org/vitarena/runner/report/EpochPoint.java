package org.vitarena.runner.report;

/**
 * One epoch of one model's run: mean training loss, validation loss and accuracies (in percent),
 * and the epoch's wall-clock seconds (training and evaluation).
 */
public record EpochPoint(int epoch, double trainLoss, double evalLoss, double acc1, double acc5, double seconds) {}
