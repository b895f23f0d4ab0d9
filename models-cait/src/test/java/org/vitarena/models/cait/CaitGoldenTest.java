package org.vitarena.models.cait;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import org.vitarena.verify.TimmVerifier;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CaiT against timm: logits, loss, every gradient, on the
 * repository's reference case and, when present, the shared one ({@code ../shared/golden}).
 */
class CaitGoldenTest {
    private static void check(Path dir) {
        TimmVerifier.Result r = new TimmVerifier(List.of(new CaitProvider())).verifyCase(dir, "cait");
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
