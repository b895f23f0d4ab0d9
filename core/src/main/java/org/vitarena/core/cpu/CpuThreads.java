package org.vitarena.core.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The process-wide helper threads for CPU compute kernels, and cheap parallel loops over them.
 *
 * <p>The thread count defaults to {@link Runtime#availableProcessors()}; {@link #setThreads(int)}
 * changes it at run time (the CPU backend's provider does for {@code BackendOptions.threads()}).
 *
 * <p>{@link #parallelRange} is built for kernels that run hundreds of times per training step,
 * many of them for only tens of microseconds: the calling thread takes part in the work, the
 * helpers grab chunks from one shared counter (so uneven chunks balance themselves), and when
 * {@code threads() == 1} or the range is a single chunk, the body runs inline with no
 * allocation and no hand-off. After a loop the helpers spin for {@link #SPIN_NANOS} before they
 * park, so that the next loop, a few microseconds later, finds them awake: waking a parked thread
 * takes tens of microseconds, as long as a small kernel's whole run.
 *
 * <p>One loop runs on the helpers at a time. A loop started while another one runs (a nested call
 * from a body, or a second thread) runs on its caller alone, over the same chunks, so its results
 * are the same bits.
 */
public final class CpuThreads {

  /** A body over a half-open range of indices {@code [lo, hi)}. */
  @FunctionalInterface
  public interface RangeBody {
    void accept(int lo, int hi);
  }

  /** How long an idle helper keeps polling for the next loop before it parks. */
  static final long SPIN_NANOS = 200_000L;

  private static volatile int threads = initialThreads();
  private static volatile Crew crew;

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
    Crew old = crew;
    crew = null;
    if (old != null) {
      old.shutdown();
    }
  }

  /** The number of threads compute kernels use. */
  public static int threads() {
    return threads;
  }

  private static Crew crew() {
    Crew c = crew;
    if (c == null) {
      synchronized (CpuThreads.class) {
        c = crew;
        if (c == null) {
          c = new Crew(threads - 1);
          crew = c;
        }
      }
    }
    return c;
  }

  /**
   * The calling thread's scratch array from {@code slot} (one per thread, created with
   * {@code ThreadLocal.withInitial(() -> new float[1][0])}), replaced by a larger one when it holds
   * fewer than {@code size} floats. Contents are left from the last use.
   */
  static float[] scratch(ThreadLocal<float[][]> slot, int size) {
    float[][] holder = slot.get();
    if (holder[0].length < size) {
      holder[0] = new float[size];
    }
    return holder[0];
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
    new Job(n, chunks, body).run();
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
    }).run();
  }

  /** The helper threads of one thread count, and the loop they are working on (null when none). */
  private static final class Crew {
    private final Helper[] helpers;
    private final AtomicReference<Job> current = new AtomicReference<>();
    private volatile boolean shutdown;

    Crew(int n) {
      helpers = new Helper[n];
      for (int i = 0; i < n; i++) {
        helpers[i] = new Helper(this, i);
        helpers[i].start();
      }
    }

    /** Makes {@code job} the crew's loop and wakes parked helpers; false while another runs. */
    boolean offer(Job job) {
      if (shutdown || !current.compareAndSet(null, job)) {
        return false;
      }
      for (Helper h : helpers) {
        if (h.parked) {
          LockSupport.unpark(h);
        }
      }
      return true;
    }

    void finished(Job job) {
      current.compareAndSet(job, null);
    }

    void shutdown() {
      shutdown = true;
      for (Helper h : helpers) {
        LockSupport.unpark(h);
      }
    }
  }

  /** A helper: works on each new loop it sees, spins a while when idle, then parks. */
  private static final class Helper extends Thread {
    private final Crew crew;
    volatile boolean parked;

    Helper(Crew crew, int index) {
      super("vitarena-cpu-" + (index + 1));
      this.crew = crew;
      setDaemon(true);
    }

    @Override
    public void run() {
      Job seen = null;
      long idleSince = System.nanoTime();
      int polls = 0;
      while (!crew.shutdown) {
        Job j = crew.current.get();
        if (j != null && j != seen) {
          seen = j;
          j.work();
          idleSince = System.nanoTime();
          polls = 0;
        } else if ((++polls & 63) != 0 || System.nanoTime() - idleSince < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          // parked is written before current is read again, and offer() writes current before it
          // reads parked: one of the two sees the other, so no wake-up is lost
          parked = true;
          Job again = crew.current.get();
          if ((again == null || again == seen) && !crew.shutdown) {
            LockSupport.park(this);
          }
          parked = false;
          idleSince = System.nanoTime();
          polls = 0;
        }
      }
    }
  }

  /** One parallel loop: chunks handed out by a counter, completion counted, caller woken. */
  private static final class Job {
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

    void run() {
      Crew c = crew();
      if (!c.offer(this)) {
        // another loop has the helpers (or this one is nested in it): the same chunks, here
        for (int k = 0; k < chunks; k++) {
          body.accept(lo(k), lo(k + 1));
        }
        return;
      }
      try {
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
      } finally {
        c.finished(this);
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

    private int lo(int chunk) {
      return (int) ((long) chunk * n / chunks);
    }

    void work() {
      int c;
      while ((c = next.getAndIncrement()) < chunks) {
        try {
          if (failure == null) {
            body.accept(lo(c), lo(c + 1));
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
