package org.vitarena.runner.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.vitarena.engine.Checkpoint;
import org.vitarena.engine.TrainingListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code metrics.jsonl} of a run folder, one JSON object a line: every tenth micro-batch that ends an
 * update (and the last of each epoch) {@code {epoch, batch, update, micro, loss, lr, img_per_s}}, and
 * per epoch {@code {epoch, micro, train_loss, eval_loss, acc1, acc5, seconds}}. A new run starts the file
 * afresh; a resumed run drops the lines written after its checkpoint (they are written again).
 */
public final class MetricsLog implements TrainingListener {
    public static final String FILE = "metrics.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public MetricsLog(Path runDir) {
        this.file = runDir.resolve(FILE);
    }

    @Override
    public void runStarted(RunStart s) {
        try {
            if (s.resumedFrom() == null) Files.deleteIfExists(file);
            else trim(s.micro());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void step(Step s) {
        if (s.updated() && (s.micro() % 10 == 0 || s.batch() == s.batches())) {
            write(Map.of("epoch", s.epoch(), "batch", s.batch(), "update", s.update(), "micro", s.micro(), "loss", s.runningLoss(),
                    "lr", s.lr(), "img_per_s", s.imgPerSec()));
        }
    }

    @Override
    public void epochEnded(Checkpoint.EpochRecord r, long micro) {
        write(Map.of("epoch", r.epoch(), "micro", micro, "train_loss", r.trainLoss(), "eval_loss", nanToText(r.evalLoss()),
                "acc1", nanToText(r.acc1()), "acc5", nanToText(r.acc5()), "seconds", r.seconds()));
    }

    private static Object nanToText(double v) {
        return Double.isNaN(v) ? "NaN" : v;
    }

    private void write(Map<String, Object> m) {
        try {
            Files.writeString(file, JSON.writeValueAsString(new TreeMap<>(m)) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Drops metric lines written after micro-batch {@code micro} (and a torn last line of a crash). */
    private void trim(long micro) throws IOException {
        if (!Files.exists(file)) return;
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            try {
                if (JSON.readTree(line).path("micro").asLong(Long.MAX_VALUE) <= micro) kept.add(line);
            } catch (IOException e) {
                // a torn last line from a crash: drop it
            }
        }
        Files.write(file, kept);
    }
}
