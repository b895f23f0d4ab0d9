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
        subcommands = {ListCommand.class, InfoCommand.class, VerifyTimmCommand.class, TrainCommand.class, EvalCommand.class, PredictCommand.class,
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

    @Option(names = "--executor", defaultValue = "local", description = "With --all: local (default: one model after another here) or slurm "
            + "(one sbatch job array, a task per model x seed, then a report job).")
    String executor;

    @Option(names = "--partition", description = "With --executor slurm: the partition.") String partition;
    @Option(names = "--time", description = "With --executor slurm: each task's time limit (Slurm's format, e.g. 2:00:00).") String time;
    @Option(names = "--cpus-per-task", description = "With --executor slurm: CPUs of each task.") Integer cpusPerTask;
    @Option(names = "--mem", description = "With --executor slurm: memory of each task (e.g. 16G).") String mem;
    @Option(names = "--gres", description = "With --executor slurm: generic resources of each task (e.g. gpu:1).") String gres;
    @Option(names = "--sbatch-arg", description = "With --executor slurm: another sbatch option (repeatable), e.g. --sbatch-arg=--account=X.")
    java.util.List<String> sbatchArgs = new java.util.ArrayList<>();
    @Option(names = "--requeue", description = "With --executor slurm: on SIGUSR1 (--signal-secs before the time limit, or preemption) a task "
            + "checkpoints at its next step and is requeued; it resumes from the checkpoint.") boolean requeue;
    @Option(names = "--signal-secs", defaultValue = "120", description = "With --requeue: seconds before the time limit Slurm signals. Default: ${DEFAULT-VALUE}.")
    int signalSecs;
    @Option(names = "--wait", description = "With --executor slurm: follow the array to its end, then print the table.") boolean waitForEnd;
    @Option(names = "--array-task", hidden = true, description = "Internal: train the (model, seed) of $SLURM_ARRAY_TASK_ID only.")
    boolean arrayTask;

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
            var reg = common.registry(spec.commandLine().getErr());
            var outW = spec.commandLine().getOut();
            var errW = spec.commandLine().getErr();
            if (arrayTask) {
                String id = System.getenv("SLURM_ARRAY_TASK_ID");
                if (id == null) throw new IllegalArgumentException("--array-task runs inside a Slurm array task ($SLURM_ARRAY_TASK_ID is not set)");
                var task = SlurmExecutor.tasks(AllCommand.chosen(reg, models, preset), runSeeds, out).get(Integer.parseInt(id.trim()));
                AllCommand.stopOnUsr1(errW);
                errW.println("array task " + id + ": " + task.model() + " seed " + task.seed() + " into " + task.dir());
                return AllCommand.run(reg, train, java.util.List.of(task.model()), preset, pretrainedDir, out, java.util.List.of(task.seed()),
                        runSeeds.size() > 1, false, cmd, outW, errW);
            }
            switch (executor) {
                case "local" -> {
                    return AllCommand.run(reg, train, models, preset, pretrainedDir, out, runSeeds, cmd, outW, errW);
                }
                case "slurm" -> {
                    var o = new SlurmExecutor.Options(partition, time, cpusPerTask, mem, gres, sbatchArgs, requeue, signalSecs, waitForEnd);
                    return SlurmExecutor.submit(reg, AllCommand.chosen(reg, models, preset), runSeeds, out, o,
                            spec.commandLine().getParseResult().originalArgs(), outW, errW);
                }
                default -> throw new IllegalArgumentException("--executor must be local or slurm, got " + executor);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
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
