package org.vitarena.models.vit;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import org.vitarena.verify.TimmVerifier;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * ViT against timm: logits, loss, every gradient, and the AdamW trace, on the repository's reference
 * cases ({@code reference/}) and, when present, on the shared ones ({@code ../shared/golden}).
 */
class VitGoldenTest {
    private final TimmVerifier verifier = new TimmVerifier(List.of(new VitProvider()));

    private void check(Path dir, String name) {
        TimmVerifier.Result r = verifier.verifyCase(dir, name);
        System.out.println(dir + ": " + r.line());
        assertEquals(TimmVerifier.Status.PASS, r.status(), r.line());
    }

    private static Path shared() {
        assumeTrue(Golden.shared().isPresent(), Golden.sharedMissing());
        return Golden.shared().get();
    }

    @Test
    void forwardLossAndEveryGradientMatchTimm() {
        check(Golden.repository(), "vit");
    }

    @Test
    void adamwTraceMatchesTorch() {
        check(Golden.repository(), "vit_adamw");
    }

    @Test
    void sharedReferenceAgrees() {
        check(shared(), "vit");
    }

    @Test
    void sharedAdamwTraceAgrees() {
        check(shared(), "vit_adamw");
    }
}
