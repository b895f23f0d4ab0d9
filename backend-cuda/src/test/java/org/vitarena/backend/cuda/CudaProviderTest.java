package org.vitarena.backend.cuda;

import org.junit.jupiter.api.Test;
import org.vitarena.core.backend.BackendProvider;
import org.vitarena.core.backend.Backends;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
    void precisionParsesTheThreeNames() {
        assertEquals(Precision.TF32, Precision.parse("tf32"));
        assertEquals(Precision.BF16, Precision.parse(" BF16 "));
        assertEquals(Precision.FP32, Precision.parse("fp32"));
        var e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp16"));
        assertTrue(e.getMessage().contains("fp32, tf32, bf16"));
        assertNotNull(Precision.configured());
    }
}
