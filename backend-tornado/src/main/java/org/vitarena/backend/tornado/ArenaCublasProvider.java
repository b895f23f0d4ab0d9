package org.vitarena.backend.tornado;

import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.runtime.common.TornadoXPUDevice;
import uk.ac.manchester.tornado.runtime.library.LibraryRegistry;
import uk.ac.manchester.tornado.runtime.library.spi.LibraryContext;
import uk.ac.manchester.tornado.runtime.library.spi.LibraryInvocation;
import uk.ac.manchester.tornado.runtime.library.spi.TornadoLibraryProvider;
import uk.ac.manchester.tornado.runtime.library.spi.TornadoNativeStreamSupport;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * TornadoVM library provider for {@link ArenaCublas}: a cuBLAS handle per (device, plan) bound to
 * TornadoVM's CUDA stream, and {@code cublasSgemmStridedBatched} through Java's Foreign Function
 * &amp; Memory API ({@code libcublas.so.13}, else {@code .so.12}). Registered with
 * {@link java.util.ServiceLoader} (META-INF/services), as TornadoVM's own providers are.
 *
 * <p>Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: the call swaps the operands
 * and passes the row-major leading dimensions unchanged.
 */
public final class ArenaCublasProvider implements TornadoLibraryProvider {
    private static final String[] SONAMES = {"libcublas.so.13", "libcublas.so.12"};
    private static final String[] FOLDERS = {"/usr/local/cuda/targets/x86_64-linux/lib", "/usr/local/cuda/lib64"};
    private static final int OP_N = 0, OP_T = 1;

    /** cuBLAS, once found. */
    private static final class Lib {
        static final Optional<SymbolLookup> LOOKUP = find();

        private static Optional<SymbolLookup> find() {
            for (String so : SONAMES) {
                try {
                    return Optional.of(SymbolLookup.libraryLookup(so, Arena.global()));
                } catch (IllegalArgumentException notOnPath) {
                    for (String folder : FOLDERS) {
                        Path p = Path.of(folder, so);
                        if (Files.exists(p)) return Optional.of(SymbolLookup.libraryLookup(p, Arena.global()));
                    }
                }
            }
            return Optional.empty();
        }
    }

    /** One cuBLAS handle on one stream, with its bound functions. */
    private static final class Context implements LibraryContext {
        final Arena arena = Arena.ofShared();
        final MemorySegment handle, one, zero;
        final MethodHandle gemm, destroy;

        Context(SymbolLookup lib, long stream) {
            Linker linker = Linker.nativeLinker();
            MethodHandle create = linker.downcallHandle(symbol(lib, "cublasCreate_v2"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            MethodHandle setStream = linker.downcallHandle(symbol(lib, "cublasSetStream_v2"),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            destroy = linker.downcallHandle(symbol(lib, "cublasDestroy_v2"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            // (handle, opA, opB, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batch)
            gemm = linker.downcallHandle(symbol(lib, "cublasSgemmStridedBatched"), FunctionDescriptor.of(JAVA_INT, ADDRESS,
                    JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS,
                    JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
            one = arena.allocateFrom(JAVA_FLOAT, 1f);
            zero = arena.allocateFrom(JAVA_FLOAT, 0f);
            MemorySegment slot = arena.allocate(ADDRESS);
            check(invoke(create, slot), "cublasCreate_v2");
            handle = slot.get(ADDRESS, 0);
            check(invoke(setStream, handle, MemorySegment.ofAddress(stream)), "cublasSetStream_v2");
        }
    }

    private static MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("cuBLAS has no " + name));
    }

    private static int invoke(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void check(int status, String what) {
        if (status != 0) throw new IllegalStateException("tornado: " + what + " failed: cublasStatus " + status);
    }

    /**
     * Null when {@code device} runs {@link ArenaCublas} library tasks (TornadoVM's CUDA backend and
     * a loadable cuBLAS), else why not, in words.
     */
    static String unsupportedReason(TornadoDevice device) {
        if (!(device instanceof TornadoXPUDevice xpu)) return "device " + device + " is not a TornadoVM runtime device";
        if (!(xpu instanceof TornadoNativeStreamSupport)) {
            return xpu.getDeviceName() + " is on TornadoVM's " + xpu.getTornadoVMBackend()
                    + " backend: library tasks need its CUDA backend (bin/compile --backend cuda)";
        }
        if (Lib.LOOKUP.isEmpty()) return "no cuBLAS (libcublas.so.13 or .so.12) on LD_LIBRARY_PATH";
        if (LibraryRegistry.findProvider(ArenaCublas.LIBRARY, xpu) == null) {
            return "TornadoVM's library registry does not list " + ArenaCublas.LIBRARY
                    + " (META-INF/services of the backend jar not on the class path?)";
        }
        return null;
    }

    @Override
    public String libraryName() {
        return ArenaCublas.LIBRARY;
    }

    @Override
    public boolean canHandle(TornadoXPUDevice device) {
        return device instanceof TornadoNativeStreamSupport && Lib.LOOKUP.isPresent();
    }

    @Override
    public LibraryContext createContext(TornadoXPUDevice device, long executionPlanId) {
        long stream = ((TornadoNativeStreamSupport) device).getNativeStream(executionPlanId);
        return new Context(Lib.LOOKUP.orElseThrow(), stream);
    }

    @Override
    public void dispatch(String functionName, LibraryInvocation call) {
        if (!"sgemmStridedBatched".equals(functionName)) {
            throw new IllegalArgumentException("tornado: " + ArenaCublas.LIBRARY + " has no function " + functionName);
        }
        Context c = (Context) call.getContext();
        long mem = call.getDevicePointer(0);
        IntArray p = (IntArray) call.getArg(1);
        boolean ta = p.get(ArenaCublas.TRANS_A) == 1, tb = p.get(ArenaCublas.TRANS_B) == 1;
        int m = p.get(ArenaCublas.M), n = p.get(ArenaCublas.N), k = p.get(ArenaCublas.K);
        MemorySegment a = MemorySegment.ofAddress(mem + 4L * p.get(ArenaCublas.A_OFF));
        MemorySegment b = MemorySegment.ofAddress(mem + 4L * p.get(ArenaCublas.B_OFF));
        MemorySegment out = MemorySegment.ofAddress(mem + 4L * p.get(ArenaCublas.C_OFF));
        MemorySegment beta = p.get(ArenaCublas.ACCUMULATE) == 1 ? c.one : c.zero;
        // column-major: C^T (n x m) = op(B)^T (n x k) · op(A)^T (k x m)
        check(invoke(c.gemm, c.handle, tb ? OP_T : OP_N, ta ? OP_T : OP_N, n, m, k, c.one,
                b, p.get(ArenaCublas.LDB), (long) p.get(ArenaCublas.STRIDE_B),
                a, p.get(ArenaCublas.LDA), (long) p.get(ArenaCublas.STRIDE_A), beta,
                out, p.get(ArenaCublas.LDC), (long) p.get(ArenaCublas.STRIDE_C), p.get(ArenaCublas.BATCH)),
                "cublasSgemmStridedBatched");
    }

    @Override
    public void destroyContext(LibraryContext context) {
        Context c = (Context) context;
        invoke(c.destroy, c.handle);
        c.arena.close();
    }
}
