package org.vitarena.models.deit;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import org.vitarena.verify.TimmVerifier;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Distilled DeiT against timm: both heads' logits, the distilled loss, every gradient, on the
 * repository's reference case and, when present, the shared one ({@code ../shared/golden}).
 */
class DeitGoldenTest {
    private static void check(Path dir) {
        TimmVerifier.Result r = new TimmVerifier(List.of(new DeitProvider())).verifyCase(dir, "deit_distilled");
        System.out.println(dir + ": " + r.line());
        assertEquals(TimmVerifier.Status.PASS, r.status(), r.line());
    }

    @Test
    void forwardLossAndEveryGradientMatchTimm() {
        check(Golden.repository());
    }

    @Test
    void sharedReferenceAgrees() {
        assumeTrue(Golden.shared().isPresent(), Golden.sharedMissing());
        check(Golden.shared().get());
    }
}
