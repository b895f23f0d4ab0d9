package org.vitarena.core.backend;

import org.junit.jupiter.api.Test;
import org.vitarena.core.cpu.CpuBackend;
import org.vitarena.core.cpu.CpuThreads;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendOptionsTest {
    @Test
    void defaultsAreNeutral() {
        BackendOptions o = BackendOptions.defaults();
        assertEquals(Precision.FP32, o.precision());
        assertEquals(0, o.deviceMemoryBytes());
        assertEquals(0, o.threads());
        assertEquals(BackendOptions.GemmKernel.AUTO, o.gemmKernel());
        assertEquals(2048, o.deviceMemoryMiB(2048));
    }

    @Test
    void withersChangeOneSetting() {
        BackendOptions o = BackendOptions.defaults().withPrecision(Precision.BF16).withThreads(3)
                .withDeviceMemoryMiB(512).withGemmKernel(BackendOptions.GemmKernel.TILED);
        assertEquals(new BackendOptions(Precision.BF16, 512L << 20, 3, BackendOptions.GemmKernel.TILED), o);
        assertEquals(512, o.deviceMemoryMiB(2048));
        assertEquals(2, o.withDeviceMemoryBytes((1L << 20) + 1).deviceMemoryMiB(2048), "partial MiB rounds up");
    }

    @Test
    void badValuesFailWithTheirName() {
        var threads = assertThrows(IllegalArgumentException.class, () -> BackendOptions.defaults().withThreads(-1));
        assertTrue(threads.getMessage().contains("threads") && threads.getMessage().contains("-1"), threads.getMessage());
        var memory = assertThrows(IllegalArgumentException.class, () -> BackendOptions.defaults().withDeviceMemoryMiB(-5));
        assertTrue(memory.getMessage().contains("device memory") && memory.getMessage().contains("-5 MiB"), memory.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BackendOptions.defaults().withDeviceMemoryBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> BackendOptions.defaults().withDeviceMemoryMiB(Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> BackendOptions.defaults().withThreads(BackendOptions.MAX_THREADS + 1));
        var precision = assertThrows(IllegalArgumentException.class, () -> BackendOptions.defaults().withPrecision(null));
        assertTrue(precision.getMessage().contains("fp32, tf32 or bf16"), precision.getMessage());
    }

    @Test
    void namesParse() {
        assertEquals(Precision.TF32, Precision.parse("tf32"));
        assertEquals(Precision.BF16, Precision.parse(" BF16 "));
        assertEquals(Precision.FP32, Precision.parse("fp32"));
        var e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp16"));
        assertTrue(e.getMessage().contains("'fp16'") && e.getMessage().contains("fp32, tf32, bf16"), e.getMessage());
        assertEquals("bf16", Precision.BF16.label());
        assertEquals(BackendOptions.GemmKernel.DIRECT, BackendOptions.GemmKernel.parse("Direct"));
        var g = assertThrows(IllegalArgumentException.class, () -> BackendOptions.GemmKernel.parse("fast"));
        assertTrue(g.getMessage().contains("auto, tiled, direct"), g.getMessage());
    }

    @Test
    void theCpuIsCurrentUntilSomethingIsSelected() {
        assertSame(CpuBackend.INSTANCE, Backends.current());
    }

    @Test
    void selectingTheCpuAppliesItsThreads() {
        int before = CpuThreads.threads();
        Backend previous = Backends.current();
        List<String> log = new ArrayList<>();
        try {
            assertSame(CpuBackend.INSTANCE, Backends.select("cpu", BackendOptions.defaults().withThreads(3), log::add));
            assertEquals(3, CpuThreads.threads());
            Backends.select("cpu", BackendOptions.defaults(), log::add);
            assertEquals(3, CpuThreads.threads(), "0 threads keeps the count");
            assertEquals("device cpu: using cpu", log.getFirst());
        } finally {
            CpuThreads.setThreads(before);
            Backends.use(previous);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Backends.select("tpu", BackendOptions.defaults(), m -> {}));
        assertTrue(e.getMessage().contains("known: auto, ") && e.getMessage().contains("cpu"), e.getMessage());
    }
}
