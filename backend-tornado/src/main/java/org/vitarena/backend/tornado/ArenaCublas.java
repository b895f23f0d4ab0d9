package org.vitarena.backend.tornado;

import uk.ac.manchester.tornado.api.common.Access;
import uk.ac.manchester.tornado.api.common.LibraryTaskDescriptor;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The matrix product of the backend as a TornadoVM <em>library task</em>: cuBLAS's
 * {@code cublasSgemmStridedBatched} on the arena's own device buffer, on TornadoVM's CUDA stream,
 * inside the same task graphs as the JIT kernels (TornadoVM 5.2's hybrid API). TornadoVM's own
 * {@code CuBlas} factories take whole arrays; every tensor here is a slice of one arena, so this
 * factory passes the arena and an argument array and {@link ArenaCublasProvider} adds the offsets to
 * the arena's device address.
 *
 * <p>Library tasks run only on TornadoVM's CUDA backend (on OpenCL and PTX TornadoVM reports them
 * unsupported); {@link ArenaCublasProvider#unsupportedReason} says whether this device can, and the
 * backend falls back to its own kernels where it cannot.
 *
 * <p>Legend: M N K the product sizes of the row-major product C = op(A)·op(B), B the batch.
 */
public final class ArenaCublas {
    /** The provider id matched by TornadoVM's library registry. */
    public static final String LIBRARY = "vitarena/arena-cublas";
    /** Slots of the argument array, in order. */
    static final int TRANS_A = 0, TRANS_B = 1, M = 2, N = 3, K = 4, A_OFF = 5, LDA = 6, STRIDE_A = 7, B_OFF = 8, LDB = 9,
            STRIDE_B = 10, C_OFF = 11, LDC = 12, STRIDE_C = 13, BATCH = 14, ACCUMULATE = 15;

    private ArenaCublas() {}

    /**
     * C_b = op(A_b)·op(B_b) (+ C_b when accumulating) for every batch b, all in {@code mem}, with the
     * sizes, element offsets, leading dimensions and strides in {@code p} (slots above). Read when
     * the task runs: the same graph serves every call.
     */
    public static LibraryTaskDescriptor sgemm(FloatArray mem, IntArray p) {
        return new LibraryTaskDescriptor()
                .withLibrary(LIBRARY)
                .withFunction("sgemmStridedBatched")
                .withParameters(new Object[] {mem, p})
                .withAccess(new Access[] {Access.READ_WRITE, Access.READ_ONLY});
    }
}
