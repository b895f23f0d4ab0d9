package org.vitarena.models.cait;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import org.vitarena.spi.TimmVerifier;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** CaiT against timm 1.0.29's reference: logits, loss, every gradient. */
class CaitGoldenTest {
    @Test
    void forwardLossAndEveryGradientMatchTimm() {
        TimmVerifier.Result r = new TimmVerifier(List.of(new CaitProvider())).verifyCase(Golden.dir(), "cait");
        System.out.println(r.line());
        assertEquals(TimmVerifier.Status.PASS, r.status(), r.line());
    }
}
