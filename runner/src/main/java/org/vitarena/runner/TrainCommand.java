package org.vitarena.runner;

import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.Backends;
import org.vitarena.engine.ModelRegistry;
import org.vitarena.engine.TrainConfig;
import org.vitarena.engine.Trainer;
import org.vitarena.engine.TrainingListener;
import org.vitarena.runner.report.ConsoleListener;
import org.vitarena.runner.report.MetricsLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code runner train}: one model, checkpointed after every epoch, resumable. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train one model; checkpoints go to --out after every epoch.")
public final class TrainCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.ParentCommand Main parent;
    @Mixin CommonOptions common;
    @Mixin TrainOptions train;

    @Option(names = "--model", required = true, description = "Model name (see `runner list`).")
    String model;

    @Option(names = "--out", description = "Output folder (default: runs/<model>).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its newest valid checkpoint (the recipe must be the same).")
    boolean resume;

    @Option(names = "--nproc", defaultValue = "1", description = "Data-parallel over N processes: starts `mpirun -np N` running this "
            + "command (Open MPI). --batch stays the global micro-batch and must divide by N. Default: ${DEFAULT-VALUE}.")
    int nproc;

    @Option(names = "--mpirun-arg", description = "With --nproc: an argument for mpirun (repeatable), e.g. --mpirun-arg=--hostfile --mpirun-arg=hosts.")
    List<String> mpirunArgs = new ArrayList<>();

    /** The engine's trainer reporting to the console and to {@code metrics.jsonl} in the run folder. */
    static Trainer trainer(ModelRegistry reg, TrainConfig cfg, Path dir, boolean resume, boolean restart, PrintStream log) {
        return new Trainer(reg, cfg, dir).resume(resume).restart(restart)
                .listener(TrainingListener.all(List.of(new ConsoleListener(log), new MetricsLog(dir))));
    }

    @Override
    public Integer call() throws Exception {
        if (nproc < 1) throw new IllegalArgumentException("--nproc must be >= 1, got " + nproc);
        int batch = train.batch == null ? TrainOptions.Defaults.TRAIN.batch() : train.batch;
        if (nproc > 1 && batch % nproc != 0) {
            throw new IllegalArgumentException("--batch must divide by the number of processes (" + nproc + "): each takes batch/" + nproc
                    + " images of every micro-batch; got " + batch);
        }
        if (nproc > 1 && !org.vitarena.distributed.Mpi.launched()) return DataParallel.launch(nproc, mpirunArgs, topLevelArgs(), spec.commandLine().getErr());
        if (org.vitarena.distributed.Mpi.launchedSize() > 1) return DataParallel.runRank(this);
        return trainHere(null);
    }

    /** The whole command line (options before {@code train} included), as given. */
    List<String> topLevelArgs() {
        var pr = parent != null ? parent.spec.commandLine().getParseResult() : spec.commandLine().getParseResult();
        return new ArrayList<>(pr.originalArgs());
    }

    /** Trains in this process; {@code rank} is null for a single-process run, else this rank of a data-parallel one. */
    Integer trainHere(DataParallel.Rank rank) throws Exception {
        common.inherit(parent == null ? null : parent.common).apply(spec.commandLine().getErr());
        ModelRegistry reg = common.inherit(parent == null ? null : parent.common).registry(spec.commandLine().getErr());
        reg.entry(model);
        List<String> cmd = new ArrayList<>(List.of("runner", "train"));
        cmd.addAll(spec.commandLine().getParseResult().originalArgs());
        var cfg = train.config(model, TrainOptions.Defaults.TRAIN, common.seed(), cmd);
        int ranks = rank != null ? rank.reducer().size() : nproc;
        if (cfg.batch() % ranks != 0) {
            throw new IllegalArgumentException("--batch must divide by the number of processes (" + ranks + "): each takes batch/" + ranks
                    + " images of every micro-batch; got " + cfg.batch());
        }
        Path dir = out != null ? out : Path.of("runs", model);
        PrintStream log = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true);
        try {
            Trainer t = rank == null || rank.reducer().rank() == 0 ? trainer(reg, cfg, dir, resume, train.restart, log)
                    : new Trainer(reg, cfg, dir).resume(resume).restart(train.restart); // silent: rank 0 reports and writes
            if (rank != null) t.reducer(rank.reducer());
            String crashAfter = System.getProperty("vitarena.test.stopAfterUpdates"); // tests: end as a crash would, after N updates
            if (crashAfter != null) t.stopAfterUpdates(Long.parseLong(crashAfter));
            var o = t.run();
            if (rank != null && rank.reducer().rank() != 0) return 0;
            if (rank != null) spec.commandLine().getOut().println(rank.summary());
            if (o == null) {
                spec.commandLine().getOut().printf("%s: stopped on request; the state is in %s (--resume continues)%n", model, dir);
                return 0;
            }
            spec.commandLine().getOut().printf("%s: acc@1 %.2f%%, acc@5 %.2f%% on %d validation images; checkpoints in %s%n", model,
                    o.lastEval().acc1(), o.lastEval().acc5(), o.lastEval().images(), dir);
            Backend used = Backends.current();
            String how = used.executionSummary(); // a GPU backend's launches and graphs; null on the CPU
            if (how != null) spec.commandLine().getErr().println(used.name() + ": " + how);
            return 0;
        } catch (Trainer.DivergedException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 1;
        }
    }
}
