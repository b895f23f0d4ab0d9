package org.vitarena.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.vitarena.core.Tensor;
import org.vitarena.core.io.Safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One timm reference case as {@code verify/generator/make_reference.py} writes it (format:
 * {@code reference/README.md}): {@code NAME.json} (timm class, constructor kwargs, seed, loss),
 * {@code NAME.weights.safetensors} (the state dict under timm's names) and {@code NAME.io.safetensors}
 * (input, targets, eval and training logits, loss, {@code grad.<param>} for every parameter).
 *
 * @param spec the whole {@code NAME.json}
 */
public record ReferenceCase(String name, String timmClass, Map<String, Object> kwargs, long seed, JsonNode spec,
                            Map<String, Safetensors.Entry> weights, Map<String, Safetensors.Entry> io) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads case {@code name} from {@code dir}. */
    public static ReferenceCase read(Path dir, String name) throws IOException {
        JsonNode spec = spec(dir, name);
        if (!spec.has("class")) throw new IOException(name + ".json has no \"class\" (is it an optimiser trace?)");
        return new ReferenceCase(name, spec.get("class").asText(), kwargs(spec.get("kwargs")), spec.path("seed").asLong(),
                spec, Safetensors.read(dir.resolve(name + ".weights.safetensors")), Safetensors.read(dir.resolve(name + ".io.safetensors")));
    }

    /** {@code NAME.json} of any case, model or optimiser trace. */
    public static JsonNode spec(Path dir, String name) throws IOException {
        return JSON.readTree(dir.resolve(name + ".json").toFile());
    }

    /** Constructor arguments as {@code createFromTimm} takes them: JSON numbers, booleans, strings, lists. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> kwargs(JsonNode node) {
        return node == null || node.isNull() ? Map.of() : JSON.convertValue(node, Map.class);
    }

    /** The names of every case in {@code dir} (one per {@code NAME.json}), sorted. */
    public static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("reference folder " + dir + " does not exist");
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".json"))
                    .map(f -> f.substring(0, f.length() - ".json".length())).sorted().toList();
        }
    }

    /** {@code input} [B, 3, H, W]. */
    public Tensor input() {
        return tensor(io.get("input"));
    }

    /** An int64 entry of {@code io} as ints ({@code target}, {@code target_dist}). */
    public int[] ints(String key) {
        return Arrays.stream(io.get(key).longs()).mapToInt(v -> (int) v).toArray();
    }

    /** The training outputs' references: {@code train_logits}, or both heads of a distilled model. */
    public List<float[]> trainLogits() {
        if (io.containsKey("train_logits")) return List.of(io.get("train_logits").floats());
        if (io.containsKey("train_logits_cls")) return List.of(io.get("train_logits_cls").floats(), io.get("train_logits_dist").floats());
        return List.of();
    }

    static Tensor tensor(Safetensors.Entry e) {
        return Tensor.of(e.floats(), e.shape());
    }
}
