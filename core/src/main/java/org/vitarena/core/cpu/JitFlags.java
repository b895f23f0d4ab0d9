package org.vitarena.core.cpu;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * Checks the one JIT setting the CPU kernels depend on: C2's loop strip mining. The parallel
 * collector turns it off ({@code -XX:LoopStripMiningIter=0}, no safepoint polls in counted loops),
 * and without it the matrix product's 6-row kernels compile to about half-speed code (BENCHMARKS.md,
 * 2026-12-02). {@code runner/bin/runner} and the test JVMs turn it back on; a JVM started some other
 * way is told how.
 */
public final class JitFlags {
    /** The flags that put strip mining back under the parallel collector. */
    public static final String STRIP_MINING_FLAGS = "-XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000";

    private JitFlags() {}

    /** The warning for this JVM, or null when strip mining is on (or the JVM is not HotSpot). */
    public static String stripMiningWarning() {
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hs == null) return null;
            return stripMiningWarning(hs.getVMOption("LoopStripMiningIter").getValue(),
                    hs.getVMOption("UseCountedLoopSafepoints").getValue());
        } catch (RuntimeException notHotSpot) { // another JVM, or the options are gone: nothing to say
            return null;
        }
    }

    /**
     * The warning for these values of {@code -XX:LoopStripMiningIter} and
     * {@code -XX:UseCountedLoopSafepoints}, or null when strip mining is on.
     */
    static String stripMiningWarning(String loopStripMiningIter, String useCountedLoopSafepoints) {
        boolean on = !"0".equals(loopStripMiningIter.trim()) && "true".equals(useCountedLoopSafepoints.trim());
        if (on) return null;
        return "C2 loop strip mining is off in this JVM (-XX:LoopStripMiningIter=" + loopStripMiningIter.trim()
                + ", -XX:UseCountedLoopSafepoints=" + useCountedLoopSafepoints.trim()
                + "; the parallel collector turns it off unless told otherwise): the CPU matrix products run at about half speed."
                + " Start Java with " + STRIP_MINING_FLAGS + " (runner/bin/runner does), or use G1";
    }
}
