package org.vitarena.backend.tornado;

import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.BackendOptions;
import org.vitarena.core.backend.BackendProvider;

/**
 * ServiceLoader entry for {@code --device tornado}: rank 10, above the CPU. Available when the JVM
 * was started with TornadoVM's {@code tornado-argfile} (runner/bin/runner adds it when
 * {@code TORNADOVM_HOME} is set); checking that initialises nothing. Of the options, the device
 * arena's size is {@link BackendOptions#deviceMemoryBytes()} rounded up to whole MiB (default
 * {@value #DEFAULT_MEMORY_MIB} MiB, at most 8 GiB) and {@link BackendOptions#gemmKernel()} picks the
 * matrix-product kernel; precision and threads do not apply (the kernels are float32).
 */
public final class TornadoProvider implements BackendProvider {
    static final String RUNTIME_PROPERTY = "tornado.load.runtime.implementation";
    /** The device arena's size when the options leave it at 0. */
    public static final int DEFAULT_MEMORY_MIB = 2048;

    @Override public String name() { return "tornado"; }

    @Override public int rank() { return 10; }

    @Override
    public String unavailableReason() {
        if (System.getProperty(RUNTIME_PROPERTY) == null) {
            return "TornadoVM is not initialised (start the JVM with @$TORNADOVM_HOME/tornado-argfile; "
                    + "runner/bin/runner does when TORNADOVM_HOME is set)";
        }
        try {
            Class.forName("uk.ac.manchester.tornado.api.TornadoExecutionPlan", false, TornadoProvider.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "TornadoVM's API is not on the module path (" + e + ")";
        }
        return null;
    }

    @Override
    public Backend create(BackendOptions options) {
        return new TornadoBackend(options.deviceMemoryMiB(DEFAULT_MEMORY_MIB), options.gemmKernel());
    }
}
