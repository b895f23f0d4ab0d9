package org.vitarena.runner;

import org.vitarena.core.backend.Backends;
import org.vitarena.core.cpu.CpuThreads;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** Options every command shares: device, threads, seed, verbosity. */
public final class CommonOptions {
    @Option(names = "--device", defaultValue = "auto", description = "Backend: cpu or auto (the best available; GPU backends when installed). Default: ${DEFAULT-VALUE}.")
    public String device;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    public Integer threads;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of every random draw (init, data order, augmentation, dropout). Default: ${DEFAULT-VALUE}.")
    public long seed;

    @Option(names = {"-v", "--verbose"}, description = "More log output.")
    public boolean verbose;

    /** Applies threads and selects the backend, logging the choice once (to stderr when verbose). */
    public void apply(PrintWriter err) {
        if (threads != null) CpuThreads.setThreads(threads);
        Backends.select(device, msg -> {
            if (verbose) err.println(msg);
        });
    }
}
