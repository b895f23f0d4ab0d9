package org.vitarena.runner;

import org.vitarena.core.backend.BackendOptions;
import org.vitarena.engine.ModelRegistry;
import org.vitarena.core.backend.Backends;
import org.vitarena.core.cpu.JitFlags;
import org.vitarena.core.backend.Precision;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Options every command shares: device and its options, seed, verbosity, plugins folder. They may be given
 * before the subcommand ({@code runner --plugins DIR list}) or after it; {@link #inherit} merges the two.
 */
public final class CommonOptions {
    @Option(names = "--device", description = "Backend: cpu, cuda, or auto (the best available: tornado, then cuda, then cpu). Default: auto.")
    String device;

    @Option(names = "--precision", description = "Matrix products on a GPU backend: fp32 (default, matches the CPU), tf32 or bf16 "
            + "(tensor cores, float32 accumulation). Default: $VITARENA_PRECISION, else fp32.")
    String precision;

    @Option(names = "--threads", description = "Compute threads of the CPU backend (default: all cores).")
    Integer threads;

    @Option(names = "--device-memory", paramLabel = "MiB", description = "Device memory a GPU backend reserves, in MiB "
            + "(tornado's arena; default 2048). Default: the backend's own.")
    Long deviceMemoryMiB;

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
        if (deviceMemoryMiB == null) deviceMemoryMiB = parent.deviceMemoryMiB;
        if (seed == null) seed = parent.seed;
        if (plugins == null) plugins = parent.plugins;
        verbose |= parent.verbose;
        return this;
    }

    public long seed() {
        return seed == null ? 0L : seed;
    }

    /**
     * The backend options of --precision (else $VITARENA_PRECISION), --threads and --device-memory.
     *
     * @throws IllegalArgumentException naming the option whose value is wrong
     */
    public BackendOptions backendOptions() {
        return backendOptions(System.getenv("VITARENA_PRECISION"));
    }

    BackendOptions backendOptions(String precisionEnv) {
        BackendOptions o = BackendOptions.defaults();
        String p = precision != null ? precision : precisionEnv;
        if (p != null && !p.isBlank()) {
            try {
                o = o.withPrecision(Precision.parse(p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException((precision != null ? "--precision: " : "VITARENA_PRECISION: ") + e.getMessage());
            }
        }
        if (threads != null) {
            if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
            o = o.withThreads(threads);
        }
        if (deviceMemoryMiB != null) {
            if (deviceMemoryMiB < 1) throw new IllegalArgumentException("--device-memory must be at least 1 MiB, got " + deviceMemoryMiB);
            o = o.withDeviceMemoryMiB(deviceMemoryMiB);
        }
        return o;
    }

    /**
     * Selects the backend with {@link #backendOptions()}, logging the choice and why once to stderr
     * (with -v, or whenever auto passed over a backend that is installed but cannot run here).
     */
    public void apply(PrintWriter err) {
        Backends.select(device == null ? "auto" : device, backendOptions(), msg -> {
            if (verbose || msg.contains("skipped")) err.println(msg);
        });
        if ("cpu".equals(Backends.current().name())) {
            for (String slow : JitFlags.warnings()) err.println("warning: " + slow);
        }
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
