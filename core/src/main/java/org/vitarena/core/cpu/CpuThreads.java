package org.vitarena.core.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/** The compute thread pool of the CPU backend (placeholder until the tuned kernels land). */
public final class CpuThreads {
    private static volatile int threads = Integer.getInteger("vitarena.threads", Runtime.getRuntime().availableProcessors());
    private static volatile ForkJoinPool pool = new ForkJoinPool(threads);

    private CpuThreads() {}

    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        ForkJoinPool old = pool;
        threads = n;
        pool = new ForkJoinPool(n);
        old.shutdown();
    }

    public static int threads() {
        return threads;
    }

    public static ForkJoinPool pool() {
        return pool;
    }

    /** Runs body(lo, hi) over [0, n) in chunks of at least {@code grain}, in parallel when worthwhile. */
    public static void parallelRange(int n, int grain, RangeBody body) {
        int t = threads;
        if (t == 1 || n <= grain || (Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == pool)) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(t * 4, (n + grain - 1) / grain);
        int step = (n + chunks - 1) / chunks;
        pool.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                RecursiveAction[] tasks = new RecursiveAction[chunks];
                int c = 0;
                for (int lo = 0; lo < n; lo += step) {
                    int l = lo, h = Math.min(n, lo + step);
                    tasks[c++] = new RecursiveAction() {
                        @Override
                        protected void compute() {
                            body.run(l, h);
                        }
                    };
                }
                invokeAll(java.util.Arrays.copyOf(tasks, c));
            }
        });
    }

    public static void parallelFor(int n, IntConsumer body) {
        parallelRange(n, 1, (lo, hi) -> {
            for (int i = lo; i < hi; i++) body.accept(i);
        });
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int lo, int hi);
    }
}
