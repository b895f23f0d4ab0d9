package org.vitarena.models.deit;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import org.vitarena.spi.TimmVerifier;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Distilled DeiT against timm 1.0.29's reference: both heads' logits, the distilled loss, every gradient. */
class DeitGoldenTest {
    @Test
    void forwardLossAndEveryGradientMatchTimm() {
        TimmVerifier.Result r = new TimmVerifier(List.of(new DeitProvider())).verifyCase(Golden.dir(), "deit_distilled");
        System.out.println(r.line());
        assertEquals(TimmVerifier.Status.PASS, r.status(), r.line());
    }
}
