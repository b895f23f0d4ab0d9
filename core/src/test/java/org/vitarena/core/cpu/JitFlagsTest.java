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
    void testJvmHasStripMiningOn() {
        // surefire starts this JVM with the parallel collector and the launcher's strip-mining flags
        assertNull(JitFlags.stripMiningWarning());
    }
}
