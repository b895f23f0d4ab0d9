package org.vitarena.runner.report;

import org.vitarena.engine.Checkpoint;
import org.vitarena.engine.CheckpointStore;
import org.vitarena.engine.ModelRegistry;
import org.vitarena.engine.RunFolder;
import org.vitarena.engine.TrainConfig;
import org.vitarena.spi.ModelInfo;
import org.vitarena.spi.ModelOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The results a comparison folder holds, read back from its run folders alone: {@code OUT/MODEL}
 * (one seed) or {@code OUT/MODEL/seed-S} (several), each with its {@code run.json} and checkpoints.
 * A row's figures come from the newest valid checkpoint's history: acc@1/acc@5 of the last epoch, the
 * mean seconds and images per second of the epochs. The peak memory of the process is not recorded
 * in a run folder and stays unknown. A folder whose run did not finish is a failed row saying how far
 * it got; a {@code slurm-state} file beside the run (written by {@code --executor slurm}) names why.
 */
public final class RunFolders {
    /** Written into a run folder when the scheduler ended its task: the state (TIMEOUT, CANCELLED ...) and the log's path. */
    public static final String SLURM_STATE = "slurm-state";

    private RunFolders() {}

    /** One run read back: its row and the configuration it trained with (null when no checkpoint could be read). */
    public record Run(ModelResult result, TrainConfig config) {}

    /** The seed of a {@code seed-S} folder, or empty. */
    public static Optional<Long> seedOf(Path dir) {
        String n = dir.getFileName().toString();
        if (!n.startsWith("seed-")) return Optional.empty();
        try {
            return Optional.of(Long.parseLong(n.substring(5)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code dir} is a run folder (a recipe, a checkpoint or a scheduler's verdict). */
    public static boolean isRun(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return false;
        if (Files.exists(dir.resolve(RunFolder.RECIPE_FILE)) || Files.exists(dir.resolve(SLURM_STATE))) return true;
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".ckpt"));
        }
    }

    /** The {@code seed-S} run folders under a model folder, by seed. */
    public static List<Path> seedFolders(Path modelDir) throws IOException {
        if (!Files.isDirectory(modelDir)) return List.of();
        try (Stream<Path> s = Files.list(modelDir)) {
            return s.filter(p -> seedOf(p).isPresent()).sorted((a, b) -> Long.compare(seedOf(a).get(), seedOf(b).get())).toList();
        }
    }

    /** The row of one run folder of {@code model}; {@code registry} measures parameters and GMACs (null: from the checkpoint, GMACs unknown). */
    public static Run read(Path dir, String model, ModelRegistry registry) throws IOException {
        String slurm = Files.exists(dir.resolve(SLURM_STATE)) ? Files.readString(dir.resolve(SLURM_STATE)).strip() : null;
        var found = new CheckpointStore(dir, 1).resumePoint(m -> {});
        if (found.isEmpty()) {
            return new Run(ModelResult.failed(model, family(registry, model), 0, Double.NaN,
                    slurm != null ? slurm : "no checkpoint in " + dir, List.of()), null);
        }
        Checkpoint.State st = found.get().loaded().state();
        TrainConfig cfg = st.config();
        long params = 0;
        double gmacs = Double.NaN;
        try {
            var entry = registry == null ? null : registry.entry(st.model());
            if (entry != null) {
                var info = ModelInfo.measure(() -> entry.provider().create(st.model(), new ModelOptions(st.numClasses(), cfg.imgSize(), 0f, 0L)));
                params = info.params();
                gmacs = info.gmacs();
            }
        } catch (RuntimeException e) {
            // a model no longer on the class path: its size from the checkpoint below
        }
        if (params == 0) for (var t : found.get().loaded().model().values()) if (t.floats() != null) params += t.floats().length;
        if (st.epoch() < cfg.epochs() || st.history().isEmpty()) {
            String why = "unfinished: " + st.epoch() + " of " + cfg.epochs() + " epochs";
            return new Run(ModelResult.failed(st.model(), st.family(), params, gmacs, slurm != null ? slurm + " (" + why + ")" : why,
                    EpochPoint.of(st.history())), cfg);
        }
        var last = st.history().get(st.history().size() - 1);
        return new Run(ModelResult.ok(st.model(), st.family(), params, gmacs, 0L, st.history(), last.evalImgPerS(), last.acc1(), last.acc5()), cfg);
    }

    private static String family(ModelRegistry registry, String model) {
        try {
            return registry == null ? "?" : registry.entry(model).family();
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
