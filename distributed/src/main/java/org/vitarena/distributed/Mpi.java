package org.vitarena.distributed;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The seven MPI calls data-parallel training needs, bound to Open MPI's {@code libmpi.so.40} through
 * the FFM API (no JNI, no Java MPI library): {@code MPI_Init}, {@code MPI_Comm_rank},
 * {@code MPI_Comm_size}, {@code MPI_Allreduce} (in place, sum), {@code MPI_Barrier}, {@code MPI_Abort},
 * {@code MPI_Finalize}, all on {@code MPI_COMM_WORLD}.
 *
 * <p>Open MPI's handles are the addresses of exported objects: {@code MPI_COMM_WORLD} is
 * {@code &ompi_mpi_comm_world}, {@code MPI_FLOAT} {@code &ompi_mpi_float}, {@code MPI_DOUBLE}
 * {@code &ompi_mpi_double}, {@code MPI_SUM} {@code &ompi_mpi_op_sum}; {@code MPI_IN_PLACE} is
 * {@code (void *) 1} (mpi.h). Other MPI implementations (MPICH: integer handles) are not bound.
 * The library is looked up only when {@link #init} is called; {@code $VITARENA_LIBMPI} names another file.
 * Every call is made from one thread (MPI_THREAD_SINGLE semantics: the training thread).
 */
public final class Mpi {
    /** The library's file name: Debian's openmpi-bin / libopenmpi3 (Open MPI 4.x). */
    public static final String LIBRARY = "libmpi.so.40";
    /** What to install where the library is missing (Debian, Ubuntu). */
    public static final String PACKAGES = "openmpi-bin libopenmpi-dev (apt-get install -y openmpi-bin libopenmpi-dev)";

    private static Mpi instance;

    private final MethodHandle commRank, commSize, allreduce, barrier, abort, finalizeCall;
    private final MemorySegment world, mpiFloat, mpiDouble, opSum;
    private final int rank, size;
    private boolean finalized;

    private Mpi(SymbolLookup lib) throws Throwable {
        Linker linker = Linker.nativeLinker();
        var I = ValueLayout.JAVA_INT;
        var P = ValueLayout.ADDRESS;
        MethodHandle init = linker.downcallHandle(find(lib, "MPI_Init"), FunctionDescriptor.of(I, P, P));
        commRank = linker.downcallHandle(find(lib, "MPI_Comm_rank"), FunctionDescriptor.of(I, P, P));
        commSize = linker.downcallHandle(find(lib, "MPI_Comm_size"), FunctionDescriptor.of(I, P, P));
        allreduce = linker.downcallHandle(find(lib, "MPI_Allreduce"), FunctionDescriptor.of(I, P, P, I, P, P, P));
        barrier = linker.downcallHandle(find(lib, "MPI_Barrier"), FunctionDescriptor.of(I, P));
        abort = linker.downcallHandle(find(lib, "MPI_Abort"), FunctionDescriptor.of(I, P, I));
        finalizeCall = linker.downcallHandle(find(lib, "MPI_Finalize"), FunctionDescriptor.of(I));
        world = find(lib, "ompi_mpi_comm_world");
        mpiFloat = find(lib, "ompi_mpi_float");
        mpiDouble = find(lib, "ompi_mpi_double");
        opSum = find(lib, "ompi_mpi_op_sum");
        check("MPI_Init", (int) init.invokeExact(MemorySegment.NULL, MemorySegment.NULL));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT);
            check("MPI_Comm_rank", (int) commRank.invokeExact(world, out));
            rank = out.get(ValueLayout.JAVA_INT, 0);
            check("MPI_Comm_size", (int) commSize.invokeExact(world, out));
            size = out.get(ValueLayout.JAVA_INT, 0);
        }
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException(LIBRARY + " has no symbol " + name
                + ": Open MPI 4.x is needed (" + PACKAGES + ")"));
    }

    private static void check(String call, int rc) {
        if (rc != 0) throw new IllegalStateException(call + " failed with MPI error " + rc);
    }

    /** Whether this process was started by mpirun (Open MPI's or a PMI launcher's environment). */
    public static boolean launched() {
        return envInt("OMPI_COMM_WORLD_SIZE") > 0 || envInt("PMIX_SIZE") > 0 || envInt("PMI_SIZE") > 0;
    }

    /** The rank count the launcher announced (before MPI_Init), or 0 when not launched by MPI. */
    public static int launchedSize() {
        return Math.max(envInt("OMPI_COMM_WORLD_SIZE"), Math.max(envInt("PMI_SIZE"), envInt("PMIX_SIZE")));
    }

    private static int envInt(String key) {
        String v = System.getenv(key);
        if (v == null || v.isBlank()) return 0;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether libmpi can be found here (without initialising MPI). */
    public static boolean available() {
        try (Arena a = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(libraryName(), a);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String libraryName() {
        String env = System.getenv("VITARENA_LIBMPI");
        return env != null && !env.isBlank() ? env : LIBRARY;
    }

    /**
     * MPI_Init (once per process) and the world's rank and size.
     *
     * @throws IllegalStateException naming the packages to install when libmpi is missing
     */
    public static synchronized Mpi init() {
        if (instance != null) return instance;
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(libraryName(), Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load " + libraryName() + " (Open MPI): install " + PACKAGES, e);
        }
        try {
            instance = new Mpi(lib);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return instance;
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    /** MPI_Allreduce(MPI_IN_PLACE, buf, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD): {@code count} floats of native memory. */
    public void allreduceSumFloats(MemorySegment buf, int count) {
        allreduce(buf, count, mpiFloat);
    }

    /** The same for {@code count} doubles. */
    public void allreduceSumDoubles(MemorySegment buf, int count) {
        allreduce(buf, count, mpiDouble);
    }

    private void allreduce(MemorySegment buf, int count, MemorySegment type) {
        try {
            check("MPI_Allreduce", (int) allreduce.invokeExact(MemorySegment.ofAddress(1), buf, count, type, opSum, world));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public void barrier() {
        try {
            check("MPI_Barrier", (int) barrier.invokeExact(world));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** MPI_Abort: ends every rank of the job (mpirun reports the code); does not return normally. */
    public void abort(int code) {
        try {
            int ignored = (int) abort.invokeExact(world, code);
        } catch (Throwable t) {
            // nothing left to do: the process exits below
        }
        Runtime.getRuntime().halt(code);
    }

    /** MPI_Finalize, once; every rank calls it at the end of a successful run. */
    public synchronized void finish() {
        if (finalized) return;
        finalized = true;
        try {
            check("MPI_Finalize", (int) finalizeCall.invokeExact());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
