package org.vitarena.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.testing.Golden;

/**
 * Bicubic against PyTorch's F.interpolate and timm's resample_abs_pos_embed ({@code resample.safetensors}
 * of the repository's reference data, and of {@code ../shared/golden} when present). Values are 0..255;
 * float rounding order differs from PyTorch's compiled kernels, measured max |diff| is ~1.3e-4 (upscale)
 * and ~1.2e-4 (antialias), i.e. ~5e-7 relative; the bound is 2.5e-4.
 */
class BicubicTest {
    static Map<String, Safetensors.Entry> repository() throws IOException {
        return Safetensors.read(Golden.repository().resolve("resample.safetensors"));
    }

    static Map<String, Safetensors.Entry> shared() throws IOException {
        assumeTrue(Golden.shared().isPresent(), Golden.sharedMissing());
        return Safetensors.read(Golden.shared().get().resolve("resample.safetensors"));
    }

    private static float maxDiff(String label, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, label + " length");
        float m = 0;
        for (int i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(expected[i] - actual[i]));
        System.out.printf("%-16s maxdiff %.3e%n", label, m);
        return m;
    }

    private static void upscaleMatchesTorch(Map<String, Safetensors.Entry> golden) {
        float[] img = golden.get("image").floats();
        float[] out = Bicubic.resize(img, 3, 64, 64, 96, 96, false);
        assertTrue(maxDiff("bicubic_96", golden.get("bicubic_96").floats(), out) <= 2.5e-4f);
    }

    private static void antialiasDownscaleMatchesTorch(Map<String, Safetensors.Entry> golden) {
        float[] img = golden.get("image").floats();
        float[] out = Bicubic.resize(img, 3, 64, 64, 40, 40, true);
        assertTrue(maxDiff("bicubic_aa_40", golden.get("bicubic_aa_40").floats(), out) <= 2.5e-4f);
    }

    private static void posEmbedMatchesTimm(Map<String, Safetensors.Entry> golden) {
        Safetensors.Entry pe = golden.get("posemb");
        assertArrayEquals(new int[] {1, 17, 64}, pe.shape());
        float[] out = Bicubic.resamplePosEmbed(pe.floats(), 1, 64, 4, 4, 6, 6);
        float[] expected = golden.get("posemb_6x6").floats();
        assertTrue(maxDiff("posemb_6x6", expected, out) <= 1e-5f);
        for (int d = 0; d < 64; d++) assertEquals(pe.floats()[d], out[d], "class token kept");
    }

    @Test void upscaleMatchesTorch() throws IOException { upscaleMatchesTorch(repository()); }
    @Test void antialiasDownscaleMatchesTorch() throws IOException { antialiasDownscaleMatchesTorch(repository()); }
    @Test void posEmbedMatchesTimm() throws IOException { posEmbedMatchesTimm(repository()); }
    @Test void sharedUpscaleAgrees() throws IOException { upscaleMatchesTorch(shared()); }
    @Test void sharedAntialiasDownscaleAgrees() throws IOException { antialiasDownscaleMatchesTorch(shared()); }
    @Test void sharedPosEmbedAgrees() throws IOException { posEmbedMatchesTimm(shared()); }

    @Test
    void identitySizeAndConstantImage() {
        float[] flat = new float[2 * 7 * 5];
        java.util.Arrays.fill(flat, 42f);
        for (boolean aa : new boolean[] {false, true}) {
            for (float v : Bicubic.resize(flat, 2, 7, 5, 13, 3, aa)) assertEquals(42f, v, 1e-4f);
        }
    }
}
