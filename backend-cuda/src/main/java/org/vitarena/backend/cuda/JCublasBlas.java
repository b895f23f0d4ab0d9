package org.vitarena.backend.cuda;

import org.vitarena.core.backend.Precision;
import jcuda.Pointer;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.runtime.cudaStream_t;

/** cuBLAS through JCublas 12.6 ({@code libJCublas2}, which needs CUDA 12's {@code libcublas.so.12}). */
final class JCublasBlas implements Blas {
    private final cublasHandle handle = new cublasHandle();
    private final Pointer one = Pointer.to(new float[]{1f});
    private final Pointer zero = Pointer.to(new float[]{0f});
    private int mathMode = -1;

    /** A device address as a JCuda pointer (JCuda only builds these from its own calls otherwise). */
    private static final class Address extends Pointer {
        Address(long address) {
            super(address);
        }
    }

    JCublasBlas(CUstream stream) {
        JCublas2.setExceptionsEnabled(true);
        JCublas2.cublasCreate(handle);
        JCublas2.cublasSetStream(handle, new cudaStream_t(stream));
    }

    @Override public String describe() {
        return "JCublas 12.6 (libcublas.so.12)";
    }

    private void mathMode(int mode) {
        if (mode != mathMode) {
            JCublas2.cublasSetMathMode(handle, mode);
            mathMode = mode;
        }
    }

    @Override public synchronized void gemm(ColumnMajorGemm g, Precision p) {
        Pointer beta = g.beta() == 0f ? zero : one;
        Pointer a = new Address(g.a()), b = new Address(g.b()), c = new Address(g.c());
        if (p == Precision.BF16) {
            mathMode(DEFAULT_MATH);
            if (g.batch() == 1) {
                JCublas2.cublasGemmEx(handle, g.opA(), g.opB(), g.m(), g.n(), g.k(), one, a, CUDA_R_32F, g.lda(),
                        b, CUDA_R_32F, g.ldb(), beta, c, CUDA_R_32F, g.ldc(), COMPUTE_32F_FAST_16BF, GEMM_DEFAULT);
            } else {
                JCublas2.cublasGemmStridedBatchedEx(handle, g.opA(), g.opB(), g.m(), g.n(), g.k(), one,
                        a, CUDA_R_32F, g.lda(), g.strideA(), b, CUDA_R_32F, g.ldb(), g.strideB(), beta,
                        c, CUDA_R_32F, g.ldc(), g.strideC(), g.batch(), COMPUTE_32F_FAST_16BF, GEMM_DEFAULT);
            }
            return;
        }
        mathMode(p == Precision.TF32 ? TF32_TENSOR_OP_MATH : DEFAULT_MATH);
        if (g.batch() == 1) {
            JCublas2.cublasSgemm(handle, g.opA(), g.opB(), g.m(), g.n(), g.k(), one, a, g.lda(), b, g.ldb(),
                    beta, c, g.ldc());
        } else {
            JCublas2.cublasSgemmStridedBatched(handle, g.opA(), g.opB(), g.m(), g.n(), g.k(), one,
                    a, g.lda(), g.strideA(), b, g.ldb(), g.strideB(), beta, c, g.ldc(), g.strideC(), g.batch());
        }
    }

    @Override public void close() {
        JCublas2.cublasDestroy(handle);
    }
}
