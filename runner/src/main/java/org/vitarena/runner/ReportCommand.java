package org.vitarena.runner;

import org.vitarena.engine.ModelRegistry;
import org.vitarena.engine.TrainConfig;
import org.vitarena.runner.report.DatasetInfo;
import org.vitarena.runner.report.ModelResult;
import org.vitarena.runner.report.Report;
import org.vitarena.runner.report.RunFolders;
import org.vitarena.runner.report.Seeds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code runner report DIR}: the comparison table, results.{json,md,csv} and plots rebuilt from the run
 * folders DIR holds ({@code DIR/MODEL} or {@code DIR/MODEL/seed-S}), whoever trained them: a local
 * {@code --all}, Slurm array tasks, runs copied together from several machines.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rebuild the comparison table, results.{json,md,csv} and plots from the finished runs a folder holds.")
public final class ReportCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.ParentCommand Main parent;
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "DIR", description = "A comparison folder (the --out of runner --all).")
    Path dir;

    @picocli.CommandLine.Option(names = "--slurm-array", paramLabel = "ID", description = "First record, in each run folder, how Slurm ended "
            + "the tasks of this array that did not complete (the report job of --executor slurm does this).")
    String slurmArray;

    /** The comparison of one folder: its rows and what to write beside them. */
    record Comparison(List<ModelResult> rows, DatasetInfo dataset, Map<String, Object> recipe) {}

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": no such folder");
        if (slurmArray != null) SlurmExecutor.recordStates(dir.toAbsolutePath(), slurmArray);
        ModelRegistry reg = common.inherit(parent == null ? null : parent.common).registry(spec.commandLine().getErr());
        Comparison c = build(dir, reg, List.of());
        if (c.rows().isEmpty()) throw new IllegalArgumentException(dir + " holds no run folders (MODEL/ or MODEL/seed-S/ with run.json or checkpoints)");
        Report.write(dir, c.dataset(), c.recipe(), c.rows());
        spec.commandLine().getOut().println(Report.table(c.rows()));
        spec.commandLine().getOut().println("results: " + dir.resolve(Report.RESULTS_JSON) + ", " + dir.resolve(Report.RESULTS_MD) + ", plots in " + dir);
        return c.rows().stream().allMatch(ModelResult::isOk) ? 0 : 1;
    }

    /**
     * The rows of {@code dir}: the models of {@code order} first (then those of an earlier results.json, then
     * the rest by name), one row each; with several seeds anywhere, every row is the mean over its seeds.
     */
    static Comparison build(Path dir, ModelRegistry reg, List<String> order) throws IOException {
        Set<String> models = new LinkedHashSet<>(order);
        Path tasks = dir.resolve("slurm").resolve(SlurmExecutor.TASKS);
        if (Files.exists(tasks)) Files.readAllLines(tasks).stream().skip(1).map(l -> l.split("\t")).filter(f -> f.length == 4).forEach(f -> models.add(f[1]));
        Path json = dir.resolve(Report.RESULTS_JSON);
        if (Files.exists(json)) {
            try {
                Report.readJson(json).forEach(r -> models.add(r.model()));
            } catch (IOException ignored) {
                // rebuilt below from the run folders
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(Files::isDirectory).sorted().toList()) {
                if (RunFolders.isRun(p) || !RunFolders.seedFolders(p).isEmpty()) models.add(p.getFileName().toString());
            }
        }
        boolean multi = false;
        for (String m : models) multi |= !RunFolders.seedFolders(dir.resolve(m)).isEmpty();
        List<ModelResult> rows = new ArrayList<>();
        TrainConfig first = null;
        int trainImages = 0, valImages = 0;
        Set<Long> allSeeds = new LinkedHashSet<>();
        for (String m : models) {
            Path md = dir.resolve(m);
            List<Path> runs = RunFolders.seedFolders(md);
            if (runs.isEmpty()) runs = List.of(md);
            List<Long> seeds = new ArrayList<>();
            List<ModelResult> perSeed = new ArrayList<>();
            for (Path r : runs) {
                RunFolders.Run run = Files.isDirectory(r) ? RunFolders.read(r, m, reg)
                        : new RunFolders.Run(ModelResult.failed(m, "?", 0, Double.NaN, "no run folder " + r, List.of()), null);
                perSeed.add(run.result());
                seeds.add(RunFolders.seedOf(r).orElse(run.config() == null ? 0L : run.config().seed()));
                allSeeds.add(seeds.get(seeds.size() - 1));
                if (first == null && run.config() != null) first = run.config();
            }
            rows.add(multi ? Seeds.aggregate(seeds, perSeed) : perSeed.get(0));
        }
        if (multi) rows = Seeds.compareWithBest(rows);
        DatasetInfo ds = first == null ? new DatasetInfo("?", 0, trainImages, valImages) : AllCommand.datasetInfo(first);
        Map<String, Object> recipe = first == null ? Map.of() : AllCommand.recipe(first);
        if (multi && first != null) recipe.put("seed", allSeeds.stream().sorted().toList());
        return new Comparison(rows, ds, recipe);
    }
}
