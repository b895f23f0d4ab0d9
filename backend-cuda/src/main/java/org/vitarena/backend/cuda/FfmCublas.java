package org.vitarena.backend.cuda;

import org.vitarena.core.backend.Precision;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * cuBLAS 13 through Java's Foreign Function &amp; Memory API: the six functions the backend calls,
 * bound by name from {@code libcublas.so.13}. Scalars (alpha, beta) live in host memory
 * (CUBLAS_POINTER_MODE_HOST, the default); matrices are device addresses.
 */
final class FfmCublas implements Blas {
    private static final Linker LINKER = Linker.nativeLinker();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle;
    private final MemorySegment one, zero;
    private final MethodHandle setMathMode, sgemm, sgemmBatched, gemmEx, gemmBatchedEx, destroy;
    private int mathMode = -1;

    FfmCublas(long stream) {
        SymbolLookup lib = NativeLibs.find(NativeLibs.CUBLAS_13)
                .orElseThrow(() -> new IllegalStateException(NativeLibs.CUBLAS_13 + " not found"));
        MethodHandle create = bind(lib, "cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle setStream = bind(lib, "cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        destroy = bind(lib, "cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        setMathMode = bind(lib, "cublasSetMathMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        // (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc)
        sgemm = bind(lib, "cublasSgemm_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        // (..., alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batch)
        sgemmBatched = bind(lib, "cublasSgemmStridedBatched", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT,
                JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
        // (..., alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc, computeType, algo)
        gemmEx = bind(lib, "cublasGemmEx", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS,
                ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        // (..., alpha, A, Atype, lda, strideA, B, Btype, ldb, strideB, beta, C, Ctype, ldc, strideC, batch, computeType, algo)
        gemmBatchedEx = bind(lib, "cublasGemmStridedBatchedEx", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS,
                JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT,
                JAVA_INT));
        one = arena.allocateFrom(JAVA_FLOAT, 1f);
        zero = arena.allocateFrom(JAVA_FLOAT, 0f);
        MemorySegment slot = arena.allocate(ADDRESS);
        check(call(create, slot), "cublasCreate_v2");
        handle = slot.get(ADDRESS, 0);
        check(call(setStream, handle, MemorySegment.ofAddress(stream)), "cublasSetStream_v2");
    }

    private static MethodHandle bind(SymbolLookup lib, String name, FunctionDescriptor fd) {
        MemorySegment fn = lib.find(name).orElseThrow(
                () -> new IllegalStateException(NativeLibs.CUBLAS_13 + " has no " + name));
        return LINKER.downcallHandle(fn, fd);
    }

    private static int call(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** cublasStatus_t: 0 is success. */
    static void check(int status, String what) {
        if (status != 0) throw new IllegalStateException(what + " failed: cublasStatus " + status + " (" + statusName(status) + ")");
    }

    static String statusName(int s) {
        return switch (s) {
            case 1 -> "NOT_INITIALIZED";
            case 3 -> "ALLOC_FAILED";
            case 7 -> "INVALID_VALUE";
            case 8 -> "ARCH_MISMATCH";
            case 11 -> "MAPPING_ERROR";
            case 13 -> "EXECUTION_FAILED";
            case 14 -> "INTERNAL_ERROR";
            case 15 -> "NOT_SUPPORTED";
            case 16 -> "LICENSE_ERROR";
            default -> "unknown";
        };
    }

    @Override public String describe() {
        return "FFM binding to " + NativeLibs.CUBLAS_13;
    }

    private void mathMode(int mode) {
        if (mode != mathMode) {
            check(call(setMathMode, handle, mode), "cublasSetMathMode");
            mathMode = mode;
        }
    }

    @Override public synchronized void gemm(ColumnMajorGemm g, Precision p) {
        MemorySegment beta = g.beta() == 0f ? zero : one;
        MemorySegment a = MemorySegment.ofAddress(g.a()), b = MemorySegment.ofAddress(g.b()),
                c = MemorySegment.ofAddress(g.c());
        int status;
        try {
            if (p == Precision.BF16) {
                mathMode(DEFAULT_MATH);
                status = g.batch() == 1
                        ? (int) gemmEx.invokeExact(handle, g.opA(), g.opB(), g.m(), g.n(), g.k(), one, a, CUDA_R_32F,
                                g.lda(), b, CUDA_R_32F, g.ldb(), beta, c, CUDA_R_32F, g.ldc(), COMPUTE_32F_FAST_16BF,
                                GEMM_DEFAULT)
                        : (int) gemmBatchedEx.invokeExact(handle, g.opA(), g.opB(), g.m(), g.n(), g.k(), one, a,
                                CUDA_R_32F, g.lda(), g.strideA(), b, CUDA_R_32F, g.ldb(), g.strideB(), beta, c,
                                CUDA_R_32F, g.ldc(), g.strideC(), g.batch(), COMPUTE_32F_FAST_16BF, GEMM_DEFAULT);
            } else {
                mathMode(p == Precision.TF32 ? TF32_TENSOR_OP_MATH : DEFAULT_MATH);
                status = g.batch() == 1
                        ? (int) sgemm.invokeExact(handle, g.opA(), g.opB(), g.m(), g.n(), g.k(), one, a, g.lda(), b,
                                g.ldb(), beta, c, g.ldc())
                        : (int) sgemmBatched.invokeExact(handle, g.opA(), g.opB(), g.m(), g.n(), g.k(), one, a,
                                g.lda(), g.strideA(), b, g.ldb(), g.strideB(), beta, c, g.ldc(), g.strideC(),
                                g.batch());
            }
        } catch (Throwable t) {
            throw new IllegalStateException("cuBLAS call failed", t);
        }
        check(status, "cuBLAS " + p.label() + " gemm " + g);
    }

    @Override public void close() {
        call(destroy, handle);
        arena.close();
    }

}
