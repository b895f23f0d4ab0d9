package org.vitarena.runner;

import org.vitarena.distributed.Mpi;
import org.vitarena.distributed.MpiGradientReducer;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code runner train} as one rank of a data-parallel run (started by {@code mpirun}), and
 * {@code runner train --nproc N}, which starts {@code mpirun -np N} on this same command.
 *
 * <p>A rank that fails prints its error naming its rank and calls {@code MPI_Abort}, which ends every
 * rank of the job with that exit code (the others would otherwise wait in the next allreduce).
 */
final class DataParallel {
    private DataParallel() {}

    /** This process's part in a data-parallel run. */
    record Rank(Mpi mpi, MpiGradientReducer reducer, long startNanos) {
        /** What the run spent in MPI_Allreduce, for scaling figures. */
        String summary() {
            double total = (System.nanoTime() - startNanos) / 1e9, ar = reducer.allreduceNanos() / 1e9, red = reducer.reduceNanos() / 1e9;
            return String.format("data-parallel: %d ranks; rank 0 spent %.2f s of %.2f s in MPI_Allreduce (%.1f%%), %.2f s in the "
                    + "gradient reduction with its copies (%.1f%%), over %d updates", reducer.size(), ar, total, 100 * ar / total, red,
                    100 * red / total, reducer.reductions());
        }
    }

    /** Runs {@code cmd} as this rank; a failure on any rank ends the job. */
    static int runRank(TrainCommand cmd) {
        Mpi mpi;
        try {
            mpi = Mpi.init();
        } catch (RuntimeException | LinkageError e) {
            cmd.spec.commandLine().getErr().println("error: " + e.getMessage());
            return 2;
        }
        Rank rank = new Rank(mpi, new MpiGradientReducer(mpi), System.nanoTime());
        int code;
        try {
            if (String.valueOf(mpi.rank()).equals(System.getProperty("vitarena.test.failRank"))) { // tests: one rank fails
                throw new IllegalStateException("failing on purpose (vitarena.test.failRank)");
            }
            code = cmd.trainHere(rank);
        } catch (Throwable e) {
            PrintWriter err = cmd.spec.commandLine().getErr();
            err.println("error: rank " + mpi.rank() + " of " + mpi.size() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (System.getenv("VITARENA_DEBUG") != null) e.printStackTrace(err);
            err.flush();
            System.out.flush();
            boolean badInput = e instanceof IllegalArgumentException || e instanceof IOException || e instanceof java.io.UncheckedIOException
                    || e instanceof org.vitarena.engine.RunConflictException;
            code = badInput ? 2 : 1;
            mpi.abort(code); // ends every rank; does not return
            return code;
        }
        cmd.spec.commandLine().getOut().flush();
        if (code != 0) {
            mpi.abort(code);
            return code;
        }
        mpi.barrier();
        mpi.finish();
        return 0;
    }

    /**
     * Starts {@code mpirun -np N java ... runner <args without --nproc>} and waits for it; its exit code is
     * returned. As root, Open MPI needs {@code OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1}, set here.
     */
    static int launch(int n, List<String> mpirunArgs, List<String> args, PrintWriter err) throws IOException, InterruptedException {
        List<String> command = command(n, mpirunArgs, args);
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        if ("root".equals(System.getProperty("user.name"))) {
            pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
            pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot start mpirun (" + e.getMessage() + "): --nproc needs Open MPI: install " + Mpi.PACKAGES, e);
        }
        err.flush();
        return p.waitFor();
    }

    /** The mpirun command line that runs this JVM's class path and options on {@code args} minus {@code --nproc N}. */
    static List<String> command(int n, List<String> mpirunArgs, List<String> args) {
        List<String> c = new ArrayList<>(List.of(System.getenv().getOrDefault("VITARENA_MPIRUN", "mpirun"), "-np", String.valueOf(n),
                "--bind-to", "none"));
        c.addAll(mpirunArgs);
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-agentlib:jdwp") || a.startsWith("-javaagent")) continue;
            c.add(a);
        }
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        c.add(Main.class.getName());
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--nproc") || a.equals("--mpirun-arg")) { i++; continue; }
            if (a.startsWith("--nproc=") || a.startsWith("--mpirun-arg=")) continue;
            c.add(a);
        }
        return c;
    }
}
