package org.vitarena.backend.cuda;

import org.vitarena.core.backend.Precision;

import java.util.function.Consumer;

/**
 * The few cuBLAS calls the backend needs: a handle bound to the backend's stream and the
 * (strided-batched) single-precision product in three precisions. Two implementations, chosen
 * once by {@link #open}: {@link JCublasBlas} where CUDA 12's {@code libcublas.so.12} loads
 * (JCublas 12.6 is linked against it), else {@link FfmCublas}, a Foreign Function &amp; Memory
 * binding to CUDA 13's {@code libcublas.so.13}.
 */
interface Blas extends AutoCloseable {
    /** For logs: which binding and library. */
    String describe();

    /** Runs the product on the stream given to {@link #open}, asynchronously. */
    void gemm(ColumnMajorGemm g, Precision precision);

    @Override
    void close();

    /** cublasComputeType_t and cudaDataType_t values used by both bindings. */
    int COMPUTE_32F = 68, COMPUTE_32F_FAST_16BF = 75, COMPUTE_32F_FAST_TF32 = 77;
    int CUDA_R_32F = 0;
    int GEMM_DEFAULT = -1;
    int DEFAULT_MATH = 0, TF32_TENSOR_OP_MATH = 3;

    /**
     * Opens the cuBLAS binding for this machine and binds it to {@code stream} (a CUstream handle;
     * {@code jcudaStream} is the same stream as a JCuda object). The choice and its reason go to {@code log}.
     */
    static Blas open(long stream, jcuda.driver.CUstream jcudaStream, Consumer<String> log) {
        String jcublasWhy = NativeLibs.cublas12Missing();
        if (jcublasWhy == null) {
            try {
                Blas b = new JCublasBlas(jcudaStream);
                log.accept("cuBLAS: " + b.describe() + " (libcublas.so.12 loads)");
                return b;
            } catch (Throwable t) {
                jcublasWhy = "JCublas failed to start: " + t;
            }
        }
        Blas b = new FfmCublas(stream);
        log.accept("cuBLAS: " + b.describe() + " (JCublas not used: " + jcublasWhy + ")");
        return b;
    }
}
