package org.vitarena.backend.cuda;

import org.junit.jupiter.api.Test;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.BackendOptions;
import org.vitarena.core.backend.BackendProvider;
import org.vitarena.core.backend.Backends;
import org.vitarena.core.backend.Precision;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CudaProviderTest {
    @Test
    void discoveredThroughServiceLoaderBetweenTornadoAndCpu() {
        BackendProvider p = Backends.providers().stream().filter(x -> x.name().equals("cuda")).findFirst().orElseThrow();
        assertEquals(5, p.rank());
        assertTrue(p.rank() > 0 && p.rank() < 10);
    }

    @Test
    void withoutADriverItSaysWhyAndAutoFallsBack() {
        assumeTrue(NativeLibs.driverMissing() != null, "an NVIDIA driver is installed: the no-GPU path is not testable here");
        CudaProvider p = new CudaProvider();
        assertEquals("no NVIDIA driver (libcuda.so.1 not found)", p.unavailableReason());
        var e = assertThrows(IllegalArgumentException.class, () -> Backends.select("cuda", m -> {}));
        assertTrue(e.getMessage().contains("libcuda.so.1 not found"), e.getMessage());
        List<String> log = new ArrayList<>();
        try {
            assertEquals("cpu", Backends.select("auto", log::add).name());
        } finally {
            Backends.select("cpu", m -> {});
        }
        assertTrue(log.getFirst().contains("skipped cuda: no NVIDIA driver"), log.toString());
    }

    @Test
    void precisionComesFromTheOptions() {
        CudaProvider p = new CudaProvider();
        assumeTrue(p.unavailableReason() == null, "no usable CUDA device: " + p.unavailableReason());
        Backend before = Backends.current();
        List<String> log = new ArrayList<>();
        try {
            Backend b = Backends.select("cuda", BackendOptions.defaults().withPrecision(Precision.TF32), log::add);
            assertEquals(Precision.TF32, ((CudaBackend) b).precision());
            assertEquals(Precision.FP32, ((CudaBackend) p.create(BackendOptions.defaults())).precision());
        } finally {
            Backends.use(before);
        }
    }
}
