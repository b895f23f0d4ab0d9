package org.vitarena.models.swin;

import org.junit.jupiter.api.Test;
import org.vitarena.core.NoGrad;
import org.vitarena.core.io.StateDict;
import org.vitarena.core.ops.Stochastic;
import org.vitarena.core.testing.Golden;
import org.vitarena.verify.ReferenceCase;
import org.vitarena.verify.TimmVerifier;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Swin against timm: eval logits, training loss and every gradient, on the repository's reference
 * cases ({@code swin}: two stages as the shared one; {@code swin_3stage}: three stages, two patch
 * mergings) and, when present, on the shared one ({@code ../shared/golden/swin}). Every reference
 * is made with {@code drop_path_rate=0}, so the comparison is deterministic.
 */
class SwinGoldenTest {
    private static void check(Path dir, String name) {
        TimmVerifier.Result r = new TimmVerifier(List.of(new SwinProvider())).verifyCase(dir, name);
        System.out.println(dir + ": " + r.line());
        assertEquals(TimmVerifier.Status.PASS, r.status(), r.line());
    }

    @Test
    void forwardLossAndEveryGradientMatchTimm() {
        check(Golden.repository(), "swin");
    }

    @Test
    void threeStagesMatchTimm() {
        check(Golden.repository(), "swin_3stage");
    }

    @Test
    void sharedReferenceAgrees() {
        assumeTrue(Golden.shared().isPresent(), Golden.sharedMissing());
        check(Golden.shared().get(), "swin");
    }

    /** timm's default drop_path_rate 0.1, stagewise linspace(0, 0.1, 4) over the blocks: blocks 1..3 have two sites each. */
    @Test
    void dropPathSitesFollowTimmsStagewiseRates() throws Exception {
        ReferenceCase c = ReferenceCase.read(Golden.repository(), "swin");
        Map<String, Object> kwargs = new HashMap<>(c.kwargs());
        kwargs.remove("drop_path_rate");
        SwinTransformer m = (SwinTransformer) new SwinProvider().createFromTimm(SwinProvider.TIMM_CLASS, kwargs, 0L);
        StateDict.load(m, c.weights(), true, "swin.weights.safetensors");
        m.train(true);
        try (var ignored = NoGrad.scope(); var counted = Stochastic.DropPathReplay.counting()) {
            m.forward(c.input());
            assertEquals(6, counted.sites());
            float[] want = {0.1f / 3, 0.1f / 3, 0.2f / 3, 0.2f / 3, 0.1f, 0.1f};
            for (int s = 0; s < want.length; s++) {
                assertEquals(want[s], counted.rate(s), 1e-7, "rate of site " + s);
                assertEquals(2, counted.batch(s));
            }
        }
    }
}
