package org.vitarena.core.cpu;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks the JIT settings the CPU kernels depend on. C2's loop strip mining: the parallel collector
 * turns it off ({@code -XX:LoopStripMiningIter=0}, no safepoint polls in counted loops), and without
 * it the matrix product's 6-row kernels compile to about half-speed code. And the inlining of the
 * methods that pass vectors by argument: where C2 declines to inline one, every vector passed to it
 * is boxed (BENCHMARKS.md, 2026-12-02). {@code runner/bin/runner} and the test JVMs pass the flags;
 * a JVM started some other way is told how.
 */
public final class JitFlags {
    /** The flags that put strip mining back under the parallel collector. */
    public static final String STRIP_MINING_FLAGS = "-XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000";

    /** The methods that take or return vectors, which C2 must always inline. */
    public static final List<String> INLINED = List.of("org.vitarena.core.cpu.VecMath::exp",
            "org.vitarena.core.cpu.Activations::cdf", "org.vitarena.core.cpu.Activations::gauss",
            "org.vitarena.core.cpu.RowKernels::sum");
    /**
     * Vector loops that C2 must compile on their own, never inside their caller. The matrix
     * product's bias and GELU epilogue calls {@code Activations.biasGelu} once per row; inlined into
     * {@code Gemm.epilogue}, the GELU loop compiled there with its vectors boxed in some runs and
     * not others (Swin-T inference: 1377 MiB of heap allocated a step, 885 against 757 ms).
     */
    public static final List<String> NOT_INLINED = List.of("org.vitarena.core.cpu.Activations::biasGelu");
    /** The flags that make C2 inline {@link #INLINED} and not {@link #NOT_INLINED}, quietly. */
    public static final String INLINE_FLAGS = "-XX:CompileCommand=quiet"
            + INLINED.stream().map(m -> " -XX:CompileCommand=inline," + m).collect(Collectors.joining())
            + NOT_INLINED.stream().map(m -> " -XX:CompileCommand=dontinline," + m).collect(Collectors.joining());

    private JitFlags() {}

    /** The warnings for this JVM (strip mining, then inlining), each a sentence; empty when all is set. */
    public static List<String> warnings() {
        return Stream.of(stripMiningWarning(), inlineWarning()).filter(Objects::nonNull).toList();
    }

    /**
     * The warning for this JVM, or null when C2 is told to inline every method of {@link #INLINED}
     * and none of {@link #NOT_INLINED}.
     */
    public static String inlineWarning() {
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hs == null) return null;
            return inlineWarning(hs.getVMOption("CompileCommand").getValue());
        } catch (RuntimeException notHotSpot) {
            return null;
        }
    }

    /** The warning for this value of {@code -XX:CompileCommand} (its commands one per line), or null. */
    static String inlineWarning(String compileCommands) {
        List<String> given = compileCommands.lines().map(String::trim).toList();
        List<String> missing = INLINED.stream().filter(m -> !given.contains("inline," + m)).toList();
        List<String> inlinable = NOT_INLINED.stream().filter(m -> !given.contains("dontinline," + m)).toList();
        List<String> asks = new ArrayList<>();
        if (!missing.isEmpty()) asks.add("inline " + String.join(", ", missing));
        if (!inlinable.isEmpty()) asks.add("keep " + String.join(", ", inlinable) + " out of its callers");
        if (asks.isEmpty()) return null;
        return "C2 is not told to " + String.join(" nor to ", asks)
                + ": where it does otherwise, the vectors there can be boxed and a step can run several times slower."
                + " Start Java with " + INLINE_FLAGS + " (runner/bin/runner does)";
    }

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
