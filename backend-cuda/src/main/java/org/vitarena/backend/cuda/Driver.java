package org.vitarena.backend.cuda;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One GPU through JCuda's driver API: the device's primary context (the one cuBLAS's runtime
 * shares), one stream every kernel, copy and cuBLAS call is queued on, and the PTX modules.
 * Return codes are checked here rather than through JCuda's exceptions, so an allocation failure
 * can be told apart and retried.
 */
final class Driver {
    /** A device pointer whose address can be read (JCuda keeps it protected). */
    static final class DevicePtr extends CUdeviceptr {
        long address() {
            return getNativePointer();
        }
    }

    /** A stream whose handle can be given to cuBLAS. */
    static final class Stream extends CUstream {
        long handle() {
            return getNativePointer();
        }
    }

    final CUdevice device = new CUdevice();
    final CUcontext context = new CUcontext();
    final Stream stream = new Stream();
    final String deviceName;
    final int ccMajor, ccMinor, arch;
    final long totalMemory;
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);

    Driver(int ordinal, Consumer<String> log) {
        JCudaDriver.setExceptionsEnabled(false);
        check(JCudaDriver.cuInit(0), "cuInit");
        check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet");
        byte[] name = new byte[256];
        check(JCudaDriver.cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        deviceName = new String(name, 0, len, StandardCharsets.UTF_8);
        int[] major = new int[1], minor = new int[1];
        check(JCudaDriver.cuDeviceComputeCapability(major, minor, device), "cuDeviceComputeCapability");
        ccMajor = major[0];
        ccMinor = minor[0];
        long[] mem = new long[1];
        check(JCudaDriver.cuDeviceTotalMem(mem, device), "cuDeviceTotalMem");
        totalMemory = mem[0];
        arch = PtxResources.archFor(ccMajor, ccMinor);
        if (arch < 0) throw new IllegalStateException("GPU " + deviceName + " has compute capability " + ccMajor + "."
                + ccMinor + "; the PTX needs " + PtxResources.ARCHS.getLast() / 10 + "." + PtxResources.ARCHS.getLast() % 10);
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        makeCurrent();
        check(JCudaDriver.cuStreamCreate(stream, 0), "cuStreamCreate");
        keepPoolMemory(ordinal, log);
        for (String module : PtxResources.MODULES) loadModule(module);
        log.accept("cuda: " + deviceName + " (compute " + ccMajor + "." + ccMinor + ", "
                + (totalMemory >> 20) + " MiB), PTX compute_" + arch);
    }

    /** Makes the primary context current on the calling thread (once per thread). */
    void makeCurrent() {
        if (!current.get()) {
            check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            current.set(true);
        }
    }

    private void loadModule(String module) {
        byte[] ptx = PtxResources.load(module, arch).getBytes(StandardCharsets.US_ASCII);
        byte[] z = new byte[ptx.length + 1]; // the driver reads PTX as a C string
        System.arraycopy(ptx, 0, z, 0, ptx.length);
        CUmodule m = new CUmodule();
        check(JCudaDriver.cuModuleLoadData(m, z), "cuModuleLoadData(" + module + ".compute_" + arch + ")");
        for (String fn : KERNELS.getOrDefault(module, new String[0])) {
            CUfunction f = new CUfunction();
            check(JCudaDriver.cuModuleGetFunction(f, m, fn), "cuModuleGetFunction(" + fn + ")");
            functions.put(fn, f);
        }
    }

    /** The kernels of each module, by their extern "C" names. */
    private static final Map<String, String[]> KERNELS = Map.of(
            "elementwise", new String[]{"copy_blocks", "axpy", "scale", "sum_squares_partial", "add_row_vector",
                    "col_sum_partial", "col_sum_finish", "binary_dense", "binary_strided", "sum_to_thread",
                    "sum_to_block", "unary", "unary_backward", "permute", "gather_rows", "scatter_add_rows", "adamw",
                    "sgd"},
            "norm", new String[]{"layer_norm", "layer_norm_backward_dx", "layer_norm_backward_dwdb", "softmax",
                    "softmax_backward", "cross_entropy_rows", "cross_entropy_mean", "cross_entropy_backward"});

    /**
     * The stream-ordered allocator's pool gives memory back to the driver at every synchronisation
     * unless its release threshold is raised. JCuda 12.6 has no binding for the two calls, so they
     * go through FFM to libcuda; failing that, allocation still works, only slower.
     */
    private static void keepPoolMemory(int ordinal, Consumer<String> log) {
        try {
            var lib = NativeLibs.find(NativeLibs.LIBCUDA).orElseThrow();
            Linker linker = Linker.nativeLinker();
            var getPool = linker.downcallHandle(lib.find("cuDeviceGetDefaultMemPool").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            var setAttr = linker.downcallHandle(lib.find("cuMemPoolSetAttribute").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
            try (Arena a = Arena.ofConfined()) {
                MemorySegment slot = a.allocate(ADDRESS);
                int rc = (int) getPool.invokeExact(slot, ordinal);
                if (rc != 0) throw new IllegalStateException("cuDeviceGetDefaultMemPool: " + rc);
                MemorySegment threshold = a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_LONG, -1L); // UINT64_MAX
                int attrReleaseThreshold = 4; // CU_MEMPOOL_ATTR_RELEASE_THRESHOLD
                rc = (int) setAttr.invokeExact(slot.get(ADDRESS, 0), attrReleaseThreshold, threshold);
                if (rc != 0) throw new IllegalStateException("cuMemPoolSetAttribute: " + rc);
            }
        } catch (Throwable t) {
            log.accept("cuda: memory pool keeps its default release threshold (" + t.getMessage() + ")");
        }
    }

    CUfunction function(String name) {
        CUfunction f = functions.get(name);
        if (f == null) throw new IllegalArgumentException("no kernel " + name);
        return f;
    }

    /** Queues a kernel on the stream; {@code params} are the kernel's arguments in order. */
    void launch(String kernel, Launch l, NativePointerObject... params) {
        check(JCudaDriver.cuLaunchKernel(function(kernel), l.gridX(), l.gridY(), 1, l.blockX(), l.blockY(), 1, 0,
                stream, Pointer.to(params), null), "cuLaunchKernel(" + kernel + ")");
    }

    void synchronize() {
        check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    static final int OUT_OF_MEMORY = 2;

    static void check(int rc, String what) {
        if (rc != 0) throw new CudaError(what, rc);
    }

    /** A failed driver call with its CUresult. */
    static final class CudaError extends RuntimeException {
        final int code;

        CudaError(String what, int code) {
            super(what + " failed: " + errorName(code));
            this.code = code;
        }
    }

    static String errorName(int rc) {
        String[] s = new String[1];
        try {
            if (JCudaDriver.cuGetErrorName(rc, s) == 0 && s[0] != null) return s[0] + " (" + rc + ")";
        } catch (Throwable ignored) {
            // fall through
        }
        return "CUresult " + rc;
    }
}
