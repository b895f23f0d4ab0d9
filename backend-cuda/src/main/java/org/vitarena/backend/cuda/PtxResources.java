package org.vitarena.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The PTX compiled from {@code src/main/cuda/*.cu} by {@code build-ptx.sh} and committed under
 * {@code org/vitarena/backend/cuda/ptx/NAME.compute_XY.ptx}. Its first line records the SHA-256 of
 * the sources it came from ({@link #sourceHash}), its second the nvcc release.
 */
public final class PtxResources {
    /** The kernel files, one PTX module each. */
    public static final List<String> MODULES = List.of("elementwise", "norm");
    /** The compiled architectures, newest first: the backend loads the newest the device supports. */
    public static final List<Integer> ARCHS = List.of(90, 75);
    public static final String HASH_PREFIX = "// vitarena-source-sha256: ";
    public static final String NVCC_PREFIX = "// vitarena-nvcc-release: ";
    private static final String DIR = "/org/vitarena/backend/cuda/ptx/";

    private PtxResources() {}

    public static String resourceName(String module, int arch) {
        return DIR + module + ".compute_" + arch + ".ptx";
    }

    /** The newest compiled architecture not newer than the device's compute capability (e.g. 90 for 9.0), or -1. */
    public static int archFor(int major, int minor) {
        int cc = major * 10 + minor;
        for (int a : ARCHS) if (a <= cc) return a;
        return -1;
    }

    /** The PTX text of a module for an architecture. */
    public static String load(String module, int arch) {
        String name = resourceName(module, arch);
        try (InputStream in = PtxResources.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing PTX resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The hash a PTX text records on its first line, or null. */
    public static String recordedHash(String ptx) {
        String first = ptx.lines().findFirst().orElse("");
        return first.startsWith(HASH_PREFIX) ? first.substring(HASH_PREFIX.length()).trim() : null;
    }

    /** The nvcc release a PTX text records on its second line, or null. */
    public static String recordedNvcc(String ptx) {
        String second = ptx.lines().skip(1).findFirst().orElse("");
        return second.startsWith(NVCC_PREFIX) ? second.substring(NVCC_PREFIX.length()).trim() : null;
    }

    /**
     * SHA-256 (hex) of {@code dir/module.cu} followed by every {@code dir/*.cuh} in name order:
     * what {@code build-ptx.sh} computes with {@code cat ... | sha256sum}.
     */
    public static String sourceHash(Path dir, String module) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(Files.readAllBytes(dir.resolve(module + ".cu")));
            List<Path> headers = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".cuh")).forEach(headers::add);
            }
            headers.sort((x, y) -> x.getFileName().toString().compareTo(y.getFileName().toString()));
            for (Path h : headers) md.update(Files.readAllBytes(h));
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
