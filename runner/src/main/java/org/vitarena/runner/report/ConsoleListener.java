package org.vitarena.runner.report;

import org.vitarena.engine.Checkpoint;
import org.vitarena.engine.TrainingListener;

import java.io.PrintStream;

/**
 * A training run on the console: the engine's messages, "resuming" lines, a {@link Progress} bar per
 * epoch (images/s, running loss, ETA) and one line per evaluated epoch.
 */
public final class ConsoleListener implements TrainingListener {
    private final PrintStream log;
    private String model = "";
    private int epochs;
    private Progress bar;
    private int lastBatch;

    public ConsoleListener(PrintStream log) {
        this.log = log;
    }

    @Override
    public void message(String line) {
        log.println(line);
    }

    @Override
    public void runStarted(RunStart s) {
        model = s.config().model();
        epochs = s.config().epochs();
        if (s.resumedFrom() != null) {
            log.printf("resuming %s from %s: epoch %d, batch %d, update %d%n", model, s.resumedFrom(), s.epoch(), s.batch(), s.update());
        }
    }

    @Override
    public void epochStarted(int epoch, int epochs, int fromBatch, int batches) {
        lastBatch = fromBatch;
        bar = Progress.start(String.format("%s epoch %d/%d", model, epoch, epochs), batches - fromBatch, log);
    }

    @Override
    public void step(Step s) {
        if (bar == null) return;
        bar.step(s.batch() - lastBatch, s.runningLoss(), s.imgPerSec());
        lastBatch = s.batch();
    }

    @Override
    public void epochTrained(int epoch) {
        if (bar != null) bar.close();
        bar = null;
    }

    @Override
    public void epochEnded(Checkpoint.EpochRecord r, long micro) {
        if (Double.isNaN(r.acc1())) return;
        log.printf("%s epoch %d/%d: train loss %.4f, %.1f s, %.1f img/s; val acc@1 %.2f%% acc@5 %.2f%% loss %.4f%n", model, r.epoch(),
                epochs, r.trainLoss(), r.seconds(), r.trainImgPerS(), r.acc1(), r.acc5(), r.evalLoss());
    }
}
