package org.vitarena.spi;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SpiVersionTest {
    @Test void theArtifactVersionComesFromTheBuild() {
        String v = SpiVersion.artifactVersion();
        assertNotEquals("unknown", v, "org/vitarena/spi/version.properties was not filtered by the build");
        assertFalse(v.contains("${"), v);
        assertTrue(v.matches("\\d+\\.\\d+.*"), v);
        assertEquals(ModelProvider.SPI_VERSION, SpiVersion.contract());
    }

    @Test void theMismatchMessageKeepsTheContractAndArtifactVersionsApart() {
        String v = SpiVersion.artifactVersion();
        int runner = ModelProvider.SPI_VERSION, plugin = runner + 1;
        assertEquals("plugins/future.jar: provider f.Future was built for SPI contract version " + plugin
                        + " but this runner implements SPI contract version " + runner + " (vitarena-spi " + v
                        + "); rebuild the plugin against vitarena-spi " + v,
                SpiVersion.mismatchMessage("plugins/future.jar", "f.Future", plugin));
    }
}
