package org.vitarena.backend.cuda;

import jcuda.driver.JCudaDriver;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.BackendOptions;
import org.vitarena.core.backend.BackendProvider;

/**
 * The "cuda" backend for {@code --device cuda} and {@code auto}: rank 5, below TornadoVM (10)
 * and above the CPU (0). {@link #unavailableReason} probes without side effects beyond loading
 * libraries: libcuda by name first (so a machine without a driver never loads JCuda), then JCuda's
 * {@code cuInit} and a device count, then cuBLAS. The probe runs once per JVM.
 */
public final class CudaProvider implements BackendProvider {
    public static final int RANK = 5;

    @Override public String name() { return "cuda"; }

    @Override public int rank() { return RANK; }

    @Override public String unavailableReason() {
        return Probe.REASON;
    }

    @Override public Backend create(BackendOptions options) {
        String why = unavailableReason();
        if (why != null) throw new IllegalStateException("cuda is not available: " + why);
        return CudaBackend.open(options, msg -> System.err.println(msg));
    }

    /** The probe, run on first use. */
    private static final class Probe {
        static final String REASON = probe();

        private static String probe() {
            String why = NativeLibs.driverMissing();
            if (why != null) return why;
            try {
                JCudaDriver.setExceptionsEnabled(false);
                int rc = JCudaDriver.cuInit(0);
                if (rc != 0) return "cuInit failed: " + Driver.errorName(rc) + " (no usable NVIDIA GPU or driver)";
                int[] count = new int[1];
                rc = JCudaDriver.cuDeviceGetCount(count);
                if (rc != 0) return "cuDeviceGetCount failed: " + Driver.errorName(rc);
                if (count[0] == 0) return "no CUDA device";
            } catch (Throwable t) {
                return "JCuda's native library does not load: " + t;
            }
            return NativeLibs.cublasMissing();
        }
    }
}
