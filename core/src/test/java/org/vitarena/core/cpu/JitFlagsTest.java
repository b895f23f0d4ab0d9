package org.vitarena.core.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JitFlagsTest {
    @Test
    void warnsWhenStripMiningIsOff() {
        // the parallel collector's defaults
        String w = JitFlags.stripMiningWarning("0", "false");
        assertNotNull(w);
        assertTrue(w.contains(JitFlags.STRIP_MINING_FLAGS), w);
        assertTrue(w.contains("LoopStripMiningIter=0"), w);
        // safepoints on but no strip mining, and the reverse
        assertNotNull(JitFlags.stripMiningWarning("0", "true"));
        assertNotNull(JitFlags.stripMiningWarning("1000", "false"));
        // G1's defaults, and the launcher's flags under the parallel collector
        assertNull(JitFlags.stripMiningWarning("1000", "true"));
    }

    @Test
    void warnsWhenAVectorMethodIsNotForcedInline() {
        // no commands, or all but one: the missing ones are named with the flags to add
        String none = JitFlags.inlineWarning("");
        assertNotNull(none);
        assertTrue(none.contains(JitFlags.INLINE_FLAGS), none);
        String oneMissing = JitFlags.inlineWarning("quiet\n" + String.join("\n", JitFlags.INLINED.subList(1, 4).stream()
                .map(m -> "inline," + m).toList()) + "\ndontinline," + JitFlags.NOT_INLINED.get(0));
        assertNotNull(oneMissing);
        assertTrue(oneMissing.startsWith("C2 is not told to inline " + JitFlags.INLINED.get(0) + ":"), oneMissing);
        // a different command for the same method does not count
        assertNotNull(JitFlags.inlineWarning("dontinline," + String.join("\ninline,", JitFlags.INLINED)));
        // the launcher's commands, as the JVM reports them (one per line)
        String launcher = "quiet\n" + String.join("\n", JitFlags.INLINED.stream().map(m -> "inline," + m).toList())
                + "\n" + String.join("\n", JitFlags.NOT_INLINED.stream().map(m -> "dontinline," + m).toList());
        assertNull(JitFlags.inlineWarning(launcher));
        // all inlined but a loop left inlinable into its callers: named, with the flags
        String inlinable = JitFlags.inlineWarning("quiet\n" + String.join("\n", JitFlags.INLINED.stream().map(m -> "inline," + m).toList()));
        assertNotNull(inlinable);
        assertTrue(inlinable.startsWith("C2 is not told to keep " + JitFlags.NOT_INLINED.get(0) + " out of its callers:"), inlinable);
        assertTrue(inlinable.contains(JitFlags.INLINE_FLAGS), inlinable);
    }

    @Test
    void testJvmHasTheLaunchersJitFlags() {
        // surefire starts this JVM with the parallel collector and the launcher's flags
        assertNull(JitFlags.stripMiningWarning());
        assertNull(JitFlags.inlineWarning());
        assertTrue(JitFlags.warnings().isEmpty(), JitFlags.warnings().toString());
    }
}
