package org.vitarena.core.cpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CpuThreads' loops: every index exactly once, the same chunks whether a loop runs on the helpers
 * or on its caller alone (nested, or while another thread's loop has the helpers), failures
 * reaching the caller, and helpers that still answer after parking and after a thread-count change.
 */
class CpuThreadsTest {
    private final int initial = CpuThreads.threads();

    @AfterEach
    void restore() {
        CpuThreads.setThreads(initial);
    }

    /** Runs parallelRange and returns how often each index was visited. */
    private static int[] visits(int n, int grain) {
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        CpuThreads.parallelRange(n, grain, (lo, hi) -> {
            for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
        });
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = seen.get(i);
        return out;
    }

    @Test
    void everyIndexExactlyOnce() {
        for (int t : new int[] {1, 2, 3, 5}) {
            CpuThreads.setThreads(t);
            for (int n : new int[] {1, 2, 7, 64, 1000, 100_003}) {
                for (int grain : new int[] {1, 3, 64, 1 << 13}) {
                    int[] v = visits(n, grain);
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, v[i], "threads " + t + " n " + n + " grain " + grain + " index " + i);
                    }
                }
            }
            AtomicIntegerArray chunks = new AtomicIntegerArray(37);
            CpuThreads.parallelChunks(37, chunks::incrementAndGet);
            for (int c = 0; c < 37; c++) assertEquals(1, chunks.get(c), "chunk " + c);
        }
    }

    /** The (lo, hi) ranges one loop handed to its body, sorted. */
    private static List<String> chunks(int n, int grain) {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        CpuThreads.parallelRange(n, grain, (lo, hi) -> out.add(lo + ":" + hi));
        List<String> sorted = new ArrayList<>(out);
        Collections.sort(sorted);
        return sorted;
    }

    @Test
    void nestedLoopsCompleteOverTheSameChunks() {
        CpuThreads.setThreads(2);
        List<String> free = chunks(10_000, 100);
        assertEquals(8, free.size(), "4 chunks per thread");
        AtomicReference<List<String>> nested = new AtomicReference<>();
        AtomicInteger inner = new AtomicInteger();
        CpuThreads.parallelRange(4, 1, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                List<String> got = chunks(10_000, 100);
                if (i == 0) nested.set(got);
                inner.addAndGet(got.size());
            }
        });
        assertEquals(free, nested.get());
        assertEquals(4 * 8, inner.get());
    }

    @Test
    void twoCallersAtOnceBothComplete() throws Exception {
        CpuThreads.setThreads(2);
        int callers = 3;
        CyclicBarrier start = new CyclicBarrier(callers);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int rep = 0; rep < 200; rep++) {
                        int[] v = visits(5000, 16);
                        for (int x : v) {
                            if (x != 1) throw new AssertionError("an index visited " + x + " times");
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) th.join(TimeUnit.MINUTES.toMillis(1));
        for (Thread th : threads) assertTrue(!th.isAlive(), "a caller is stuck");
        assertNull(failure.get());
    }

    @Test
    void aFailingChunkReachesTheCallerAndTheHelpersStayUsable() {
        CpuThreads.setThreads(2);
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException got = assertThrows(IllegalStateException.class,
                () -> CpuThreads.parallelRange(1000, 10, (lo, hi) -> {
                    if (lo >= 500) throw boom;
                }));
        assertSame(boom, got);
        int[] v = visits(1000, 10);
        for (int x : v) assertEquals(1, x);
    }

    @Test
    void helpersAnswerAfterParkingAndAfterAThreadCountChange() throws InterruptedException {
        CpuThreads.setThreads(2);
        assertEquals(1, visits(100, 1)[50]);
        // longer than the helpers spin: they park, and the next loop must wake them
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(CpuThreads.SPIN_NANOS) + 50);
        CountDownLatch both = new CountDownLatch(2);
        Thread caller = Thread.currentThread();
        AtomicInteger onHelper = new AtomicInteger();
        // two chunks that each wait for the other: they finish only if a helper takes one
        CpuThreads.parallelChunks(2, c -> {
            if (Thread.currentThread() != caller) onHelper.incrementAndGet();
            both.countDown();
            try {
                assertTrue(both.await(30, TimeUnit.SECONDS), "no helper took the second chunk");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(1, onHelper.get());
        CpuThreads.setThreads(3);
        int[] v = visits(30_000, 10);
        for (int x : v) assertEquals(1, x);
    }
}
