package org.vitarena.models.vit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.verify.ReferenceGenerator;
import org.vitarena.verify.TimmVerifier;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The repository's generator ({@code verify/generator/make_reference.py}) makes fresh cases with a
 * configuration and seed that no committed case has, and ViT passes them. Runs where Python with
 * torch, timm and safetensors exists; skipped, saying what to install, where it does not.
 */
class FreshReferenceTest {
    @Test
    void vitPassesAFreshlyGeneratedCaseAndTrace(@TempDir Path dir) throws Exception {
        var missing = ReferenceGenerator.unavailable();
        assumeTrue(missing.isEmpty(), missing.orElse(""));
        System.out.println("generator: " + ReferenceGenerator.versions());
        String kwargs = "{\"img_size\": 24, \"patch_size\": 8, \"num_classes\": 7, \"embed_dim\": 24, \"depth\": 3, "
                + "\"num_heads\": 3, \"mlp_ratio\": 2.0, \"qkv_bias\": false}";
        ReferenceGenerator.model(VitProvider.TIMM_CLASS, kwargs, 1234, "fresh_vit", dir);
        ReferenceGenerator.adamw(VitProvider.TIMM_CLASS, kwargs, 4321, "fresh_vit_adamw", dir);
        ReferenceGenerator.resample(99, dir);
        List<TimmVerifier.Result> results = new TimmVerifier(List.of(new VitProvider())).verifyAll(dir);
        assertEquals(3, results.size());
        for (TimmVerifier.Result r : results) {
            System.out.println(r.line());
            assertEquals(TimmVerifier.Status.PASS, r.status(), r.line());
        }
    }
}
