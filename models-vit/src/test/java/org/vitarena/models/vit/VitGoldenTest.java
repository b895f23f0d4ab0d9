package org.vitarena.models.vit;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import org.vitarena.spi.TimmVerifier;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ViT against timm 1.0.29's reference: logits, loss, every gradient, and the AdamW trace. */
class VitGoldenTest {
    private final TimmVerifier verifier = new TimmVerifier(List.of(new VitProvider()));

    @Test
    void forwardLossAndEveryGradientMatchTimm() {
        TimmVerifier.Result r = verifier.verifyCase(Golden.dir(), "vit");
        System.out.println(r.line());
        assertEquals(TimmVerifier.Status.PASS, r.status(), r.line());
    }

    @Test
    void adamwTraceMatchesTorch() {
        TimmVerifier.Result r = verifier.verifyCase(Golden.dir(), "vit_adamw");
        System.out.println(r.line());
        assertEquals(TimmVerifier.Status.PASS, r.status(), r.line());
    }
}
