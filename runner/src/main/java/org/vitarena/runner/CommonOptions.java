package org.vitarena.runner;

import org.vitarena.core.backend.Backends;
import org.vitarena.core.cpu.CpuThreads;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Options every command shares: device, threads, seed, verbosity, plugins folder. They may be given
 * before the subcommand ({@code runner --plugins DIR list}) or after it; {@link #inherit} merges the two.
 */
public final class CommonOptions {
    @Option(names = "--device", description = "Backend: cpu or auto (the best available; GPU backends when installed). Default: auto.")
    String device;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--seed", description = "Seed of every random draw (init, data order, augmentation, dropout). Default: 0.")
    Long seed;

    @Option(names = {"-v", "--verbose"}, description = "More log output.")
    boolean verbose;

    @Option(names = "--plugins", description = "Folder of plugin jars (default: $VITARENA_PLUGINS, else plugins/ in the working directory).")
    Path plugins;

    /** Fills what was not given here from the options given before the subcommand. Returns this. */
    public CommonOptions inherit(CommonOptions parent) {
        if (parent == null) return this;
        if (device == null) device = parent.device;
        if (threads == null) threads = parent.threads;
        if (seed == null) seed = parent.seed;
        if (plugins == null) plugins = parent.plugins;
        verbose |= parent.verbose;
        return this;
    }

    public long seed() {
        return seed == null ? 0L : seed;
    }

    /** Applies threads and selects the backend, logging the choice once (to stderr when verbose). */
    public void apply(PrintWriter err) {
        if (threads != null) CpuThreads.setThreads(threads);
        Backends.select(device == null ? "auto" : device, msg -> {
            if (verbose) err.println(msg);
        });
    }

    /** The plugins folder: --plugins, else $VITARENA_PLUGINS, else ./plugins. */
    public Path pluginsDir() {
        if (plugins != null) return plugins;
        String env = System.getenv("VITARENA_PLUGINS");
        return Path.of(env != null && !env.isBlank() ? env : "plugins");
    }

    /** Every model: the class path and the plugins folder. Problems are printed as warnings. */
    public ModelRegistry registry(PrintWriter err) {
        ModelRegistry r = ModelRegistry.withPlugins(pluginsDir());
        r.problems().forEach(p -> err.println("warning: " + p));
        return r;
    }
}
