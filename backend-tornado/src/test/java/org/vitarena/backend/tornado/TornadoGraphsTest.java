package org.vitarena.backend.tornado;

import org.junit.jupiter.api.Test;
import org.vitarena.core.MemoryPool;
import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.BackendOptions;
import org.vitarena.core.backend.Backends;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Linalg;
import org.vitarena.core.ops.Norms;
import org.vitarena.core.optim.AdamW;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.Access;
import uk.ac.manchester.tornado.api.common.LibraryTaskDescriptor;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.runtime.common.TornadoXPUDevice;
import uk.ac.manchester.tornado.runtime.library.spi.TornadoLibraryProvider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recorded and replayed task graphs compute what eager launches compute, and the cuBLAS library
 * task path is chosen only where the device runs it (never on OpenCL, where these tests run).
 */
class TornadoGraphsTest {
    static final int STEPS = 8, BATCH = 8, IN = 16, HIDDEN = 24, CLASSES = 10;

    /** A two-layer GELU MLP fitting one batch with AdamW and label smoothing; the loss of every step. */
    static float[] train(TornadoBackend b) {
        Backend before = Backends.current();
        Backends.use(b);
        try {
            SplittableRandom r = new SplittableRandom(7);
            Tensor w1 = Tensor.parameter(gaussian(r, HIDDEN * IN, 0.3), HIDDEN, IN);
            Tensor b1 = Tensor.parameter(new float[HIDDEN], HIDDEN);
            Tensor w2 = Tensor.parameter(gaussian(r, CLASSES * HIDDEN, 0.3), CLASSES, HIDDEN);
            Tensor b2 = Tensor.parameter(new float[CLASSES], CLASSES);
            Map<String, Tensor> params = new LinkedHashMap<>();
            params.put("fc1.weight", w1);
            params.put("fc1.bias", b1);
            params.put("fc2.weight", w2);
            params.put("fc2.bias", b2);
            AdamW opt = new AdamW(params, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.05f);
            MemoryPool pool = new MemoryPool(b);
            float[] losses = new float[STEPS];
            float[] x = gaussian(r, BATCH * IN, 1);
            int[] labels = new int[BATCH];
            for (int i = 0; i < BATCH; i++) labels[i] = r.nextInt(CLASSES);
            for (int step = 0; step < STEPS; step++) {
                try (MemoryPool.Scope ignored = pool.open()) {
                    Tensor h = Arith.gelu(Linalg.linear(Tensor.input(x, BATCH, IN), w1, b1));
                    Tensor loss = Norms.crossEntropy(Linalg.linear(h, w2, b2), labels, 0.1f);
                    losses[step] = loss.item();
                    loss.backward();
                }
                opt.step();
                opt.zeroGrad();
            }
            return losses;
        } finally {
            Backends.use(before);
        }
    }

    static float[] gaussian(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble(1e-12, 1), v = r.nextDouble();
            a[i] = (float) (scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
        }
        return a;
    }

    @Test
    void replayedStepsGiveTheSameLossesAsEagerLaunches() {
        float[] eager, replayed;
        KernelGraphs.Stats eagerStats, replayStats;
        try (TornadoBackend b = new TornadoBackend(32, BackendOptions.GemmKernel.AUTO, false)) {
            eager = train(b);
            eagerStats = b.stats();
        }
        try (TornadoBackend b = new TornadoBackend(32, BackendOptions.GemmKernel.AUTO, true)) {
            replayed = train(b);
            replayStats = b.stats();
            System.out.println("replay: " + b.executionSummary());
        }
        System.out.println("eager: " + eagerStats);
        System.out.println("losses " + java.util.Arrays.toString(replayed));
        assertEquals(0, eagerStats.replayedTasks(), "replay off must launch everything eagerly");
        assertTrue(replayStats.compiledSegments() > 0 && replayStats.replayedTasks() > 0,
                "steps repeat, so their launches must have been compiled and replayed: " + replayStats);
        assertTrue(replayStats.graphExecutions() < replayStats.replayedTasks(), "several tasks per graph: " + replayStats);
        // the same kernels on the same data in the same order: bit for bit the same losses
        assertArrayEquals(eager, replayed);
        assertTrue(replayed[STEPS - 1] < replayed[0], "the MLP must learn: " + java.util.Arrays.toString(replayed));
    }

    /**
     * gemm=auto takes cuBLAS library tasks exactly where the device runs them. On OpenCL (PoCL here)
     * that is the fallback: the reason names the backend, no library task is defined, and asking for
     * cublas is refused with that reason. On TornadoVM's CUDA backend (the GPU check) cuBLAS is chosen.
     */
    @Test
    void cublasLibraryTasksAreChosenOnlyWhereTheDeviceRunsThem() {
        String why = ArenaCublasProvider.unsupportedReason(TornadoExecutionPlan.DEFAULT_DEVICE);
        try (TornadoBackend b = new TornadoBackend(16)) {
            if (why == null) {
                assertTrue(b.gemmChoice().startsWith("matrix products by gemm.cublas"), b.gemmChoice()); // the CUDA backend
                assertTrue(b.launches().containsKey("gemm.cublas"));
                return;
            }
            assertTrue(b.gemmChoice().startsWith("matrix products by gemm.blocked") || b.gemmChoice().startsWith("matrix products by gemm.tiled"),
                    b.gemmChoice());
            assertTrue(b.gemmChoice().contains("unavailable: " + why), b.gemmChoice());
            assertFalse(b.launches().containsKey("gemm.cublas"), "no library task is defined where it cannot run");
        }
        assertTrue(why.contains("CUDA backend") || why.contains("cuBLAS"), why);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TornadoBackend(16, BackendOptions.GemmKernel.CUBLAS));
        assertTrue(e.getMessage().contains("not available here") && e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void theProviderIsRegisteredAndAcceptsOnlyCudaDevices() {
        ArenaCublasProvider found = null;
        for (TornadoLibraryProvider p : ServiceLoader.load(TornadoLibraryProvider.class, TornadoLibraryProvider.class.getClassLoader())) {
            if (p instanceof ArenaCublasProvider a) found = a;
        }
        assertNotNull(found, "META-INF/services must list ArenaCublasProvider for TornadoVM's library registry");
        assertEquals(ArenaCublas.LIBRARY, found.libraryName());
        TornadoXPUDevice device = (TornadoXPUDevice) TornadoExecutionPlan.DEFAULT_DEVICE;
        assertEquals(device instanceof uk.ac.manchester.tornado.runtime.library.spi.TornadoNativeStreamSupport
                && ArenaCublasProvider.unsupportedReason(device) == null, found.canHandle(device), device.getDeviceName());
        LibraryTaskDescriptor d = ArenaCublas.sgemm(new FloatArray(4), new IntArray(16));
        assertEquals(ArenaCublas.LIBRARY, d.getLibraryName());
        assertArrayEquals(new Access[] {Access.READ_WRITE, Access.READ_ONLY}, d.getAccess());
    }
}
