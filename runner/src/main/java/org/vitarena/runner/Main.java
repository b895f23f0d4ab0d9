package org.vitarena.runner;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code runner}: train and compare vision transformers. Without a subcommand, {@code --all} trains
 * and compares every model on the class path and in the plugins folder.
 */
@Command(name = "runner", mixinStandardHelpOptions = true, version = "ViT Arena 0.1.0",
        description = "Train and compare vision transformers on the JVM.",
        subcommands = {ListCommand.class, InfoCommand.class, VerifyTimmCommand.class, TrainCommand.class, EvalCommand.class,
                ExportCommand.class, MakeSyntheticCommand.class, BenchCommand.class, ReportCommand.class},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:success", "1:a check failed (verify-timm FAIL, training diverged)", "2:bad usage or input"})
public final class Main implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--all", description = "Train and compare every model (the embedded synthetic dataset unless --data).")
    boolean all;

    @Mixin TrainOptions train;

    @Option(names = "--models", split = ",", description = "With --all: these variants instead of each family's *_demo.")
    java.util.List<String> models;

    @Option(names = "--preset", description = "With --all: 'paper' = the paper's four models at 384 px, frozen backbone, paper recipe, 30 epochs.")
    String preset;

    @Option(names = "--pretrained-dir", description = "With --preset paper: folder holding MODEL.safetensors for each model.")
    java.nio.file.Path pretrainedDir;

    @Option(names = "--seeds", split = ",", paramLabel = "S", description = "With --all: one run per model and seed (OUT/MODEL/seed-S); "
            + "the table shows acc@1/acc@5 as mean ± std and Welch's t-test against the best model.")
    java.util.List<Long> seeds;

    @Option(names = "--out", defaultValue = "runs/all", description = "With --all: output folder. Default: ${DEFAULT-VALUE}.")
    java.nio.file.Path out;

    @Override
    public Integer call() {
        if (!all) {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 0;
        }
        common.apply(spec.commandLine().getErr());
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("runner"));
        cmd.addAll(spec.commandLine().getParseResult().originalArgs());
        try {
            if (seeds != null && common.seed != null) throw new IllegalArgumentException("give --seed or --seeds, not both");
            java.util.List<Long> runSeeds = seeds == null || seeds.isEmpty() ? java.util.List.of(common.seed()) : java.util.List.copyOf(seeds);
            if (new java.util.HashSet<>(runSeeds).size() != runSeeds.size()) throw new IllegalArgumentException("--seeds lists a seed twice: " + seeds);
            return AllCommand.run(common.registry(spec.commandLine().getErr()), train, models, preset, pretrainedDir, out, runSeeds, cmd,
                    spec.commandLine().getOut(), spec.commandLine().getErr());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (ex instanceof org.vitarena.engine.RunConflictException rc) {
                cmd.getErr().println(switch (rc.kind()) {
                    case BUSY -> "       (choose another --out, or wait for the other process)";
                    case EXISTS -> "       (--resume continues it, --restart discards it, or choose another --out)";
                    case RECIPE_CHANGED -> "       (give the run's original settings with --resume, add --restart to discard it, or choose another --out)";
                });
                return 2;
            }
            if (System.getenv("VITARENA_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            boolean badInput = ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof java.io.UncheckedIOException || ex instanceof org.vitarena.data.DataException;
            return badInput ? 2 : 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
