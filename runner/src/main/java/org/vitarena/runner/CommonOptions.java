package org.vitarena.runner;

import org.vitarena.engine.ModelRegistry;
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
    @Option(names = "--device", description = "Backend: cpu, cuda, or auto (the best available: tornado, then cuda, then cpu). Default: auto.")
    String device;

    @Option(names = "--precision", description = "Matrix products on a GPU backend: fp32 (default, matches the CPU), tf32 or bf16 "
            + "(tensor cores, float32 accumulation). Sets the system property vitarena.precision.")
    String precision;

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
        if (precision == null) precision = parent.precision;
        if (threads == null) threads = parent.threads;
        if (seed == null) seed = parent.seed;
        if (plugins == null) plugins = parent.plugins;
        verbose |= parent.verbose;
        return this;
    }

    public long seed() {
        return seed == null ? 0L : seed;
    }

    /**
     * Applies threads and precision and selects the backend, logging the choice and why once to stderr
     * (with -v, or whenever auto passed over a backend that is installed but cannot run here).
     */
    public void apply(PrintWriter err) {
        if (threads != null) CpuThreads.setThreads(threads);
        if (precision != null) {
            String p = precision.trim().toLowerCase(java.util.Locale.ROOT);
            if (!java.util.Set.of("fp32", "tf32", "bf16").contains(p))
                throw new IllegalArgumentException("unknown precision '" + precision + "'; known: fp32, tf32, bf16");
            System.setProperty("vitarena.precision", p);
        }
        Backends.select(device == null ? "auto" : device, msg -> {
            if (verbose || msg.contains("skipped")) err.println(msg);
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
        ModelRegistry r = ModelRegistry.withPlugins(pluginsDir(), plugins != null); // a folder named with --plugins must exist
        r.problems().forEach(p -> err.println("warning: " + p));
        return r;
    }
}
