package org.vitarena.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finding the NVIDIA libraries without loading JCuda: {@code dlopen} by soname (which honours
 * LD_LIBRARY_PATH), then the usual CUDA install folders. Lookups live in the global arena: a
 * library, once found, stays loaded for the life of the JVM.
 */
final class NativeLibs {
    static final String LIBCUDA = "libcuda.so.1";
    static final String CUBLAS_12 = "libcublas.so.12";
    static final String CUBLAS_13 = "libcublas.so.13";
    private static final List<String> FOLDERS = List.of(
            "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/local/cuda/lib64", "/usr/local/nvidia/lib64",
            "/usr/lib/x86_64-linux-gnu", "/usr/lib64");

    private NativeLibs() {}

    /** The library by soname or from a known folder, or empty. */
    static Optional<SymbolLookup> find(String soname) {
        try {
            return Optional.of(SymbolLookup.libraryLookup(soname, Arena.global()));
        } catch (IllegalArgumentException notOnPath) {
            for (String folder : FOLDERS) {
                Path p = Path.of(folder, soname);
                if (!Files.exists(p)) continue;
                try {
                    return Optional.of(SymbolLookup.libraryLookup(p, Arena.global()));
                } catch (IllegalArgumentException broken) {
                    // try the next folder
                }
            }
            return Optional.empty();
        }
    }

    /** Null when libcuda.so.1 loads, else why not. */
    static String driverMissing() {
        return find(LIBCUDA).isPresent() ? null : "no NVIDIA driver (" + LIBCUDA + " not found)";
    }

    /** Null when libcublas.so.12 (for JCublas) loads. */
    static String cublas12Missing() {
        return find(CUBLAS_12).isPresent() ? null : CUBLAS_12 + " not found";
    }

    /** Null when either cuBLAS the backend can use loads. */
    static String cublasMissing() {
        if (find(CUBLAS_12).isPresent() || find(CUBLAS_13).isPresent()) return null;
        return "no cuBLAS (neither " + CUBLAS_12 + " nor " + CUBLAS_13
                + " found; add CUDA's lib folder to LD_LIBRARY_PATH)";
    }
}
