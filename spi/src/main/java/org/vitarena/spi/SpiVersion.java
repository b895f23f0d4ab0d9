package org.vitarena.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The two versions of the SPI, kept apart: the <em>contract version</em> {@link ModelProvider#SPI_VERSION},
 * an int bumped only when the contract changes incompatibly, which providers report and the runner
 * compares; and the <em>artifact version</em> of the {@code vitarena-spi} jar (e.g. 0.1.0-SNAPSHOT),
 * which names what to build a plugin against.
 */
public final class SpiVersion {
    private SpiVersion() {}

    private static final String RESOURCE = "version.properties";
    private static volatile String artifact;

    /** The contract version this runtime implements: {@link ModelProvider#SPI_VERSION}. */
    public static int contract() {
        return ModelProvider.SPI_VERSION;
    }

    /**
     * The version of the vitarena-spi artifact on the class path, read from
     * {@code org/vitarena/spi/version.properties} (written by the build); "unknown" when absent.
     */
    public static String artifactVersion() {
        String v = artifact;
        if (v == null) artifact = v = readArtifactVersion();
        return v;
    }

    private static String readArtifactVersion() {
        try (InputStream in = SpiVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "").trim();
            return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Why a provider is refused, for the runner's list of problems: "SOURCE: provider CLASS was built
     * for SPI contract version 2 but this runner implements SPI contract version 1 (vitarena-spi
     * 0.1.0-SNAPSHOT); rebuild the plugin against vitarena-spi 0.1.0-SNAPSHOT".
     *
     * @param source          where the provider came from ("classpath" or a jar's path)
     * @param providerClass   the provider's class name
     * @param providerVersion what its {@link ModelProvider#spiVersion()} returned
     */
    public static String mismatchMessage(String source, String providerClass, int providerVersion) {
        String artifactVersion = artifactVersion();
        return source + ": provider " + providerClass + " was built for SPI contract version " + providerVersion
                + " but this runner implements SPI contract version " + contract() + " (vitarena-spi " + artifactVersion
                + "); rebuild the plugin against vitarena-spi " + artifactVersion;
    }
}
