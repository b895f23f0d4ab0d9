package org.vitarena.verify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the reference generator {@code make_reference.py} (in this jar, from
 * {@code verify/generator/}) with the user's Python, torch and timm, to write a case that
 * {@link TimmVerifier} checks. The Python interpreter is {@code python3}, or the
 * {@code vitarena.python} system property, or the {@code VITARENA_PYTHON} environment variable.
 *
 * <pre>{@code
 * Optional<String> missing = ReferenceGenerator.unavailable();   // e.g. in a JUnit assumption
 * ReferenceGenerator.model("timm.models.vision_transformer.VisionTransformer",
 *         "{\"img_size\": 32, \"patch_size\": 8, \"num_classes\": 10, \"embed_dim\": 32, \"depth\": 2, \"num_heads\": 2}",
 *         7, "vit", dir);
 * TimmVerifier.Result r = new TimmVerifier(List.of(new VitProvider())).verifyCase(dir, "vit");
 * }</pre>
 */
public final class ReferenceGenerator {
    /** The generator's place on the class path. */
    public static final String RESOURCE = "/org/vitarena/verify/generator/make_reference.py";
    /** Longest a generator run may take. */
    public static final long TIMEOUT_SECONDS = 300;

    private ReferenceGenerator() {}

    /** The Python interpreter to run the generator with. */
    public static String python() {
        String p = System.getProperty("vitarena.python");
        if (p == null || p.isBlank()) p = System.getenv("VITARENA_PYTHON");
        return p == null || p.isBlank() ? "python3" : p;
    }

    /**
     * Empty when the generator can run here; else why not, saying what to install. Runs the
     * generator's {@code check} (imports torch, timm and safetensors).
     */
    public static Optional<String> unavailable() {
        try {
            run(List.of("check"));
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("the timm reference generator cannot run here (" + e.getMessage().lines().reduce((a, b) -> b).orElse("")
                    + "): install Python 3 with `pip install torch timm safetensors`, or point -Dvitarena.python / VITARENA_PYTHON at a Python that has them");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** The torch, timm and safetensors versions the generator uses, as it prints them. */
    public static String versions() throws IOException, InterruptedException {
        return run(List.of("check")).strip();
    }

    /** Writes model case {@code name} ({@code NAME.json}, {@code .weights.safetensors}, {@code .io.safetensors}) into {@code out}. */
    public static String model(String timmClass, String kwargsJson, long seed, String name, Path out) throws IOException, InterruptedException {
        return run(List.of("model", "--class", timmClass, "--kwargs", kwargsJson, "--seed", Long.toString(seed), "--name", name, "--out", out.toString()));
    }

    /** Writes an AdamW trace {@code name} ({@code NAME.json}, {@code .init.safetensors}, {@code .after3.safetensors}) into {@code out}. */
    public static String adamw(String timmClass, String kwargsJson, long seed, String name, Path out) throws IOException, InterruptedException {
        return run(List.of("adamw", "--class", timmClass, "--kwargs", kwargsJson, "--seed", Long.toString(seed), "--name", name, "--out", out.toString()));
    }

    /** Writes {@code resample.safetensors} into {@code out}. */
    public static String resample(long seed, Path out) throws IOException, InterruptedException {
        return run(List.of("resample", "--seed", Long.toString(seed), "--out", out.toString()));
    }

    /** Runs the generator with {@code args}; its output, or an IOException carrying it when it fails. */
    private static String run(List<String> args) throws IOException, InterruptedException {
        Path script = Files.createTempFile("make_reference", ".py");
        try {
            try (InputStream in = ReferenceGenerator.class.getResourceAsStream(RESOURCE)) {
                if (in == null) throw new IOException(RESOURCE + " is not on the class path");
                Files.write(script, in.readAllBytes());
            }
            List<String> cmd = new ArrayList<>(List.of(python(), script.toString()));
            cmd.addAll(args);
            Path log = Files.createTempFile("make_reference", ".log");
            try {
                Process p;
                try {
                    p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                } catch (IOException e) {
                    throw new IOException(python() + " not found: " + e.getMessage(), e);
                }
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("the generator ran past " + TIMEOUT_SECONDS + " s: " + String.join(" ", args));
                }
                String out = Files.readString(log, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) throw new IOException("generator exited " + p.exitValue() + ":\n" + out.strip());
                return out;
            } finally {
                Files.deleteIfExists(log);
            }
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
