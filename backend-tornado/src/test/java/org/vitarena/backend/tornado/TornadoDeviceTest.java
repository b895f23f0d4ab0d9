package org.vitarena.backend.tornado;

import org.junit.jupiter.api.Test;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.BackendProvider;
import org.vitarena.core.backend.Backends;
import org.vitarena.core.backend.Storage;
import org.vitarena.core.testing.Golden;
import org.vitarena.runner.Main;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backend really runs on the TornadoVM device, is found by --device, and passes timm's golden cases. */
class TornadoDeviceTest {
    @Test
    void kernelsRunOnTheDeviceNotOnTheHost() {
        assertEquals("False", System.getProperty("tornado.recover.bailout"), "bailouts must be fatal in tests");
        try (TornadoBackend b = new TornadoBackend(16)) {
            System.out.println("device: " + b.deviceName());
            Storage x = b.upload(new float[] {1, 2, 3, 4, 5});
            Storage y = b.allocate(5);
            b.scale(x, 3f, y);
            b.fill(x, 7f);
            assertArrayEquals(new float[] {3, 6, 9, 12, 15}, b.download(y));
            assertArrayEquals(new float[] {7, 7, 7, 7, 7}, b.download(x));
            // the host copy of the arena never saw these values: the kernels wrote device memory
            for (int i = 0; i < 5; i++) {
                assertEquals(0f, b.hostArenaValue(TornadoBackend.offsetOf(y) + i), "host wrote y[" + i + "]");
                assertEquals(0f, b.hostArenaValue(TornadoBackend.offsetOf(x) + i), "host wrote x[" + i + "]");
            }
            Map<String, Long> launches = b.launches();
            assertTrue(launches.get("memory.scale") >= 1 && launches.get("memory.fill") >= 2, launches.toString());
        }
    }

    @Test
    void providerIsFoundAndRanksAboveTheCpu() {
        BackendProvider tornado = null;
        for (BackendProvider p : Backends.providers()) if (p.name().equals("tornado")) tornado = p;
        assertTrue(tornado != null, "no tornado provider on the class path");
        assertNull(tornado.unavailableReason());
        assertTrue(tornado.rank() > 0);
        assertEquals("tornado", Backends.providers().get(0).name(), "auto must prefer tornado");
    }

    @Test
    void verifyTimmPassesEveryGoldenCaseOnTheDevice() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code;
        Backend before = Backends.current();
        try {
            code = cl.execute("verify-timm", Golden.repository().toString(), "--device", "tornado", "--device-memory", "512", "-v");
        } finally {
            Backend used = Backends.current();
            Backends.use(before);
            if (used instanceof TornadoBackend t) {
                Map<String, Long> launches = t.launches();
                System.out.println("launches: " + launches);
                assertTrue(launches.get("gemm.direct") + launches.get("gemm.tiled") + launches.get("gemm.blocked") > 0, launches.toString());
                assertTrue(launches.get("optim.adamw") > 0, launches.toString());
            } else {
                throw new AssertionError("verify-timm did not run on the tornado backend: " + used.name());
            }
        }
        System.out.println(out);
        System.out.println(err);
        assertEquals(0, code, err.toString());
        List<String> failed = new ArrayList<>();
        for (String line : out.toString().split("\n")) if (line.startsWith("FAIL")) failed.add(line);
        assertTrue(failed.isEmpty(), String.join("\n", failed));
        assertFalse(out.toString().contains(" 0 passed"), out.toString());
    }
}
