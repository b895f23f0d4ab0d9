package org.vitarena.core.backend;

import java.util.Locale;

/**
 * How a backend is opened, passed to {@link BackendProvider#create(BackendOptions)} by
 * {@link Backends#select(String, BackendOptions, java.util.function.Consumer)}. Every setting has a
 * neutral default ({@link #defaults()}), and a backend ignores the settings that do not apply to it:
 * the CPU has no device memory, a GPU backend no compute threads of its own.
 *
 * <pre>{@code
 * BackendOptions opts = BackendOptions.defaults().withPrecision(Precision.TF32).withDeviceMemoryMiB(8192);
 * Backends.select("auto", opts, System.err::println);
 * }</pre>
 *
 * @param precision         arithmetic of the matrix products on a GPU backend (the CPU is always fp32)
 * @param deviceMemoryBytes device memory the backend may reserve up front; 0 is the backend's default
 *                          (tornado: a 2 GiB arena; cuda allocates as it goes and ignores it)
 * @param threads           compute threads of the CPU backend, the caller included; 0 is the default,
 *                          all cores (or the count an earlier {@code CpuThreads.setThreads} chose)
 * @param gemmKernel        the matrix-product kernel of a backend that has several (tornado: the tiled
 *                          local-memory kernel, the direct one, the register-blocked one or cuBLAS
 *                          library tasks); {@link GemmKernel#AUTO} lets the
 *                          backend choose by device
 */
public record BackendOptions(Precision precision, long deviceMemoryBytes, int threads, GemmKernel gemmKernel) {
    /** The most threads a compute pool takes (the limit of {@link java.util.concurrent.ForkJoinPool}, which CPU kernels once ran on). */
    public static final int MAX_THREADS = 0x7fff;

    private static final long MIB = 1L << 20;
    private static final BackendOptions DEFAULTS = new BackendOptions(Precision.FP32, 0, 0, GemmKernel.AUTO);

    /** The matrix-product kernel of a backend with several; see {@link #gemmKernel()}. */
    public enum GemmKernel {
        /** The backend's choice for its device (tornado: cuBLAS library tasks where the device runs them, else blocked on CPU devices and tiled elsewhere). */
        AUTO,
        /** Tiles staged in local (shared) memory. */
        TILED,
        /** One work item per output element, no local memory. */
        DIRECT,
        /** One work item per column and eight rows of the output, accumulators in registers (CPU devices). */
        BLOCKED,
        /** cuBLAS inside the task graphs (TornadoVM's CUDA backend only). */
        CUBLAS;

        /** "auto", "tiled", "direct", "blocked" or "cublas" (any case, surrounding blanks ignored). */
        public static GemmKernel parse(String s) {
            if (s != null) {
                for (GemmKernel g : values()) if (g.label().equals(s.trim().toLowerCase(Locale.ROOT))) return g;
            }
            throw new IllegalArgumentException("unknown gemm kernel '" + s + "'; known: auto, tiled, direct, blocked, cublas");
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public BackendOptions {
        if (precision == null) throw new IllegalArgumentException("precision must be given (fp32, tf32 or bf16)");
        if (gemmKernel == null) throw new IllegalArgumentException("gemmKernel must be given (auto, tiled, direct, blocked or cublas)");
        if (deviceMemoryBytes < 0) {
            throw new IllegalArgumentException("device memory must be 0 (the backend's default) or a positive size, got "
                    + deviceMemoryBytes + " bytes");
        }
        if (threads < 0 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be 0 (all cores) or a count from 1 to " + MAX_THREADS + ", got " + threads);
        }
    }

    /** fp32, the backend's default memory, all cores, the backend's own gemm choice. */
    public static BackendOptions defaults() {
        return DEFAULTS;
    }

    public BackendOptions withPrecision(Precision p) {
        return new BackendOptions(p, deviceMemoryBytes, threads, gemmKernel);
    }

    public BackendOptions withDeviceMemoryBytes(long bytes) {
        return new BackendOptions(precision, bytes, threads, gemmKernel);
    }

    /** Device memory in MiB (2^20 bytes); 0 is the backend's default. */
    public BackendOptions withDeviceMemoryMiB(long mib) {
        if (mib < 0 || mib > Long.MAX_VALUE / MIB) {
            throw new IllegalArgumentException("device memory must be 0 (the backend's default) or a positive size, got " + mib + " MiB");
        }
        return withDeviceMemoryBytes(mib * MIB);
    }

    public BackendOptions withThreads(int n) {
        return new BackendOptions(precision, deviceMemoryBytes, n, gemmKernel);
    }

    public BackendOptions withGemmKernel(GemmKernel g) {
        return new BackendOptions(precision, deviceMemoryBytes, threads, g);
    }

    /** Device memory in whole MiB, rounded up; {@code defaultMiB} when the option is 0. */
    public long deviceMemoryMiB(long defaultMiB) {
        return deviceMemoryBytes == 0 ? defaultMiB : deviceMemoryBytes / MIB + (deviceMemoryBytes % MIB == 0 ? 0 : 1);
    }
}
