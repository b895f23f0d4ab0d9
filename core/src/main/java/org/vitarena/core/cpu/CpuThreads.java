package org.vitarena.core.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The process-wide thread pool for CPU compute kernels, and cheap parallel loops over it.
 *
 * <p>The thread count defaults to {@link Runtime#availableProcessors()}; {@link #setThreads(int)}
 * changes it at run time (the CPU backend's provider does for {@code BackendOptions.threads()}).
 *
 * <p>{@link #parallelRange} is built for kernels that run many times per training step: the
 * calling thread takes part in the work, the helpers grab chunks from one shared counter
 * (so uneven chunks balance themselves), and when {@code threads() == 1} or the range is a
 * single chunk, the body runs inline with no allocation and no hand-off. Calls may nest: an
 * inner call made from a pool thread still completes, because its caller can do every chunk
 * itself.
 */
public final class CpuThreads {

  /** A body over a half-open range of indices {@code [lo, hi)}. */
  @FunctionalInterface
  public interface RangeBody {
    void accept(int lo, int hi);
  }

  private static volatile int threads = initialThreads();
  private static volatile ForkJoinPool pool;

  private CpuThreads() {}

  private static int initialThreads() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /** Sets the number of threads compute kernels use (the caller counts as one). */
  public static synchronized void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + n);
    }
    if (n == threads) {
      return;
    }
    threads = n;
    ForkJoinPool old = pool;
    pool = null;
    if (old != null) {
      old.shutdown();
    }
  }

  /** The number of threads compute kernels use. */
  public static int threads() {
    return threads;
  }

  /** The compute pool, created on first use with parallelism {@link #threads()}. */
  public static ForkJoinPool pool() {
    ForkJoinPool p = pool;
    if (p == null) {
      synchronized (CpuThreads.class) {
        p = pool;
        if (p == null) {
          p = new ForkJoinPool(threads, CpuThreads::newWorker, null, false);
          pool = p;
        }
      }
    }
    return p;
  }

  private static java.util.concurrent.ForkJoinWorkerThread newWorker(ForkJoinPool p) {
    java.util.concurrent.ForkJoinWorkerThread t =
        ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
    t.setName("vitarena-cpu-" + t.getPoolIndex());
    t.setDaemon(true);
    return t;
  }

  /** Runs {@code body.accept(i)} for every i in [0, n), in parallel when worthwhile. */
  public static void parallelFor(int n, IntConsumer body) {
    parallelRange(n, 1, (lo, hi) -> {
      for (int i = lo; i < hi; i++) {
        body.accept(i);
      }
    });
  }

  /**
   * Splits [0, n) into chunks of at least {@code grain} indices and runs {@code body} on each,
   * in parallel over {@link #threads()} threads; inline when one thread or one chunk suffices.
   */
  public static void parallelRange(int n, int grain, RangeBody body) {
    if (n <= 0) {
      return;
    }
    int g = Math.max(1, grain);
    int t = threads;
    if (t == 1 || n <= g) {
      body.accept(0, n);
      return;
    }
    // About 4 chunks per thread lets fast threads take over the work of slow ones, but never
    // chunks under the grain.
    int maxChunks = (int) Math.min((n + (long) g - 1) / g, 4L * t);
    int chunks = Math.max(2, maxChunks);
    new Job(n, chunks, body).run(Math.min(t, chunks));
  }

  /**
   * Runs {@code body.accept(c)} for every chunk index c in [0, chunks), exactly these chunks,
   * spread over the threads (for callers that size their own balanced chunks).
   */
  public static void parallelChunks(int chunks, IntConsumer body) {
    if (chunks <= 0) {
      return;
    }
    int t = threads;
    if (t == 1 || chunks == 1) {
      for (int c = 0; c < chunks; c++) {
        body.accept(c);
      }
      return;
    }
    new Job(chunks, chunks, (lo, hi) -> {
      for (int c = lo; c < hi; c++) {
        body.accept(c);
      }
    }).run(Math.min(t, chunks));
  }

  /** One parallel loop: chunks handed out by a counter, completion counted, caller woken. */
  private static final class Job implements Runnable {
    private final int n;
    private final int chunks;
    private final RangeBody body;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private final Thread caller = Thread.currentThread();
    private volatile Throwable failure;

    Job(int n, int chunks, RangeBody body) {
      this.n = n;
      this.chunks = chunks;
      this.body = body;
    }

    void run(int participants) {
      ForkJoinPool p = pool();
      for (int i = 1; i < participants; i++) {
        p.execute(this);
      }
      work();
      // wait for chunks that helpers are still running: spin briefly, then park
      int spins = 0;
      while (done.get() < chunks) {
        if (spins < 2000) {
          spins++;
          Thread.onSpinWait();
        } else {
          LockSupport.parkNanos(this, 50_000L);
        }
      }
      Throwable f = failure;
      if (f != null) {
        if (f instanceof RuntimeException re) {
          throw re;
        }
        if (f instanceof Error e) {
          throw e;
        }
        throw new RuntimeException(f);
      }
    }

    @Override
    public void run() {
      work();
    }

    private void work() {
      int c;
      while ((c = next.getAndIncrement()) < chunks) {
        int lo = (int) ((long) c * n / chunks);
        int hi = (int) ((long) (c + 1) * n / chunks);
        try {
          if (failure == null) {
            body.accept(lo, hi);
          }
        } catch (Throwable e) {
          if (failure == null) {
            failure = e;
          }
        } finally {
          if (done.incrementAndGet() == chunks && Thread.currentThread() != caller) {
            LockSupport.unpark(caller);
          }
        }
      }
    }
  }
}
