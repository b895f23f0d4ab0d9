package org.vitarena.backend.cuda;

/**
 * One cuBLAS (column-major) strided-batched product: for each b in [0, batch),
 * C_b = op(A_b)·op(B_b) + beta·C_b with op(A_b) m×k, op(B_b) k×n, C_b m×n, all column-major:
 * element (i, j) of a stored matrix X is at {@code x + j·ldx + i} (+ b·strideX).
 *
 * <p>Addresses are opaque: device byte addresses on the GPU, element indices into one array in
 * the host reference used by the tests. Leading dimensions and strides are in elements.
 *
 * <p>The backend contract is row-major. A row-major R×C matrix with leading dimension ld is, read
 * column-major, its C×R transpose with the same ld. So C = op(A)·op(B) in row-major is
 * Cᵀ = op(B)ᵀ·op(A)ᵀ in column-major: swap the operands, swap m and n, keep each operand's
 * transpose flag and leading dimension. No data moves. {@link #fromRowMajor} does exactly this.
 */
public record ColumnMajorGemm(boolean transA, boolean transB, int m, int n, int k,
                              long a, int lda, long strideA,
                              long b, int ldb, long strideB,
                              long c, int ldc, long strideC,
                              int batch, float beta) {

    /**
     * Maps the row-major call of {@link org.vitarena.core.backend.Backend#gemm} to cuBLAS:
     * row-major op(A) [m×k] at {@code a}, op(B) [k×n] at {@code b}, C [m×n] at {@code c}.
     */
    public static ColumnMajorGemm fromRowMajor(int batch, boolean transA, boolean transB, int m, int n, int k,
                                               long a, int lda, long strideA,
                                               long b, int ldb, long strideB,
                                               long c, int ldc, long strideC, boolean accumulate) {
        return new ColumnMajorGemm(transB, transA, n, m, k,
                b, ldb, strideB,
                a, lda, strideA,
                c, ldc, strideC,
                batch, accumulate ? 1f : 0f);
    }

    /** cublasOperation_t of A: CUBLAS_OP_N = 0, CUBLAS_OP_T = 1. */
    public int opA() {
        return transA ? 1 : 0;
    }

    public int opB() {
        return transB ? 1 : 0;
    }
}
