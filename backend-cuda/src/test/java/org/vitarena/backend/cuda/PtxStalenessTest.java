package org.vitarena.backend.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The committed PTX must come from the current .cu sources: rebuild with src/main/cuda/build-ptx.sh. */
class PtxStalenessTest {
    private static final Path SOURCES = Path.of("src/main/cuda");
    private static final Path NVCC = Path.of("/usr/local/cuda/bin/nvcc");

    @Test
    void everyModuleIsListedAndEverySourceIsAModule() throws IOException {
        List<String> cu = new ArrayList<>();
        try (Stream<Path> s = Files.list(SOURCES)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu"))
                    .forEach(n -> cu.add(n.substring(0, n.length() - 3)));
        }
        cu.sort(null);
        List<String> listed = new ArrayList<>(PtxResources.MODULES);
        listed.sort(null);
        assertEquals(cu, listed, "PtxResources.MODULES must name every src/main/cuda/*.cu");
    }

    @Test
    void committedPtxRecordsTheHashOfItsSources() {
        for (String module : PtxResources.MODULES) {
            String want = PtxResources.sourceHash(SOURCES, module);
            for (int arch : PtxResources.ARCHS) {
                String ptx = PtxResources.load(module, arch);
                assertEquals(want, PtxResources.recordedHash(ptx), module + ".compute_" + arch
                        + ".ptx is stale: run `bash backend-cuda/src/main/cuda/build-ptx.sh` and commit the PTX");
                assertNotNull(PtxResources.recordedNvcc(ptx));
                assertTrue(ptx.contains(".target sm_" + arch), module + ".compute_" + arch + " targets another arch");
            }
        }
    }

    /** With nvcc here, recompiling must give the committed PTX (when the nvcc release is the same). */
    @Test
    void recompilingGivesTheCommittedPtx() throws Exception {
        assumeTrue(Files.isExecutable(NVCC), "nvcc not installed at " + NVCC + ": recompilation check skipped");
        Path out = Files.createTempDirectory("ptx");
        try {
            for (String module : List.of(PtxResources.MODULES.getFirst())) {
                int arch = PtxResources.ARCHS.getFirst();
                Path ptx = out.resolve(module + ".ptx");
                Process p = new ProcessBuilder(NVCC.toString(), "-ptx", "-O3", "-fmad=false", "-prec-div=true",
                        "-prec-sqrt=true", "-std=c++17", "-arch=compute_" + arch, "-o", ptx.toString(),
                        SOURCES.resolve(module + ".cu").toString()).inheritIO().start();
                assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "nvcc failed");
                String committed = PtxResources.load(module, arch);
                String fresh = Files.readString(ptx);
                String committedBody = committed.lines().skip(2).reduce("", (a, b) -> a + b + "\n");
                String freshBody = fresh.lines().reduce("", (a, b) -> a + b + "\n");
                assertEquals(freshBody, committedBody, module + ".compute_" + arch + ".ptx differs from a fresh nvcc build:"
                        + " run build-ptx.sh with FORCE=1 (was it built by another nvcc release or other flags?)");
            }
        } finally {
            try (Stream<Path> s = Files.list(out)) {
                s.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(out);
        }
    }
}
