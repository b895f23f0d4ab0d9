package org.vitarena.core.backend;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wraps any backend and times every kernel call by kind (gemm, layerNorm, softmax, ...), so the next
 * optimisation is chosen from data ({@code runner bench --profile}). Storages it hands out are
 * wrapped so that every operation on them comes back through the profiler.
 */
public final class ProfilingBackend {
    private ProfilingBackend() {}

    /** Time and calls per kernel name. */
    public static final class Profile {
        private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>(), calls = new ConcurrentHashMap<>();
        private volatile boolean gemmShapes;

        /** Split matrix products by shape: {@code gemm B×[M×N×K] NT} (op(A), op(B) transposed or not). */
        public Profile gemmShapes(boolean on) {
            this.gemmShapes = on;
            return this;
        }

        void add(String kernel, long ns) {
            nanos.computeIfAbsent(kernel, k -> new LongAdder()).add(ns);
            calls.computeIfAbsent(kernel, k -> new LongAdder()).increment();
        }

        public void reset() {
            nanos.clear();
            calls.clear();
        }

        /** kernel → {nanoseconds, calls}, sorted by name. */
        public Map<String, long[]> snapshot() {
            Map<String, long[]> out = new TreeMap<>();
            nanos.forEach((k, v) -> out.put(k, new long[]{v.sum(), calls.get(k).sum()}));
            return out;
        }
    }

    private record Wrapped(Storage inner, Backend backend) implements Storage {
        @Override public int size() { return inner.size(); }
    }

    /** A backend that runs {@code delegate}'s kernels and records their time in {@code profile}. */
    public static Backend wrap(Backend delegate, Profile profile) {
        Backend[] self = new Backend[1];
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) return method.invoke(delegate, args);
            Object[] a = args == null ? null : args.clone();
            if (a != null) for (int i = 0; i < a.length; i++) if (a[i] instanceof Wrapped w) a[i] = w.inner();
            long t0 = System.nanoTime();
            Object r;
            try {
                r = method.invoke(delegate, a);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (!isMemory(method)) profile.add(kernelName(method, a, profile.gemmShapes), System.nanoTime() - t0);
            if (method.getName().equals("name")) return "profile(" + r + ")";
            return r instanceof Storage s ? new Wrapped(s, self[0]) : r;
        };
        self[0] = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, h);
        return self[0];
    }

    private static String kernelName(Method m, Object[] a, boolean gemmShapes) {
        if (!gemmShapes) return m.getName();
        if (m.getName().equals("linear")) {
            // linear(x, w, bias, rows, in, out, gelu, y): as the product [rows x out x in] it runs
            return "linear [" + a[3] + "x" + a[5] + "x" + a[4] + "]" + (a[2] != null ? " +bias" : "")
                    + ((Boolean) a[6] ? " +gelu" : "");
        }
        if (!m.getName().equals("gemm")) return m.getName();
        return "gemm " + a[0] + "x[" + a[3] + "x" + a[4] + "x" + a[5] + "] "
                + ((Boolean) a[1] ? "T" : "N") + ((Boolean) a[2] ? "T" : "N");
    }

    private static boolean isMemory(Method m) {
        return switch (m.getName()) {
            case "name", "holdsValues", "allocate", "upload", "write", "download" -> true;
            default -> false;
        };
    }
}
