package org.vitarena.core.io;

import org.vitarena.core.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Moving a model's parameters to and from timm-named state dicts. */
public final class StateDict {
    private StateDict() {}

    /** Thrown by a strict load; the message lists every missing, unexpected and mis-shaped key. */
    public static final class LoadException extends IllegalArgumentException {
        public final List<String> missing, unexpected, misShaped;

        LoadException(String source, List<String> missing, List<String> unexpected, List<String> misShaped) {
            super(describe(source, missing, unexpected, misShaped));
            this.missing = missing;
            this.unexpected = unexpected;
            this.misShaped = misShaped;
        }

        private static String describe(String source, List<String> missing, List<String> unexpected, List<String> misShaped) {
            StringBuilder sb = new StringBuilder("state dict " + source + " does not fit the model:");
            if (!missing.isEmpty()) sb.append("\n  missing keys (").append(missing.size()).append("): ").append(String.join(", ", missing));
            if (!unexpected.isEmpty()) sb.append("\n  unexpected keys (").append(unexpected.size()).append("): ").append(String.join(", ", unexpected));
            if (!misShaped.isEmpty()) sb.append("\n  mis-shaped keys (").append(misShaped.size()).append("): ").append(String.join(", ", misShaped));
            return sb.toString();
        }
    }

    /** The model's parameters as safetensors entries under their timm names (host copies). */
    public static Map<String, Safetensors.Entry> of(NamedParameters model) {
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
        model.namedParameters().forEach((k, t) -> out.put(k, Safetensors.Entry.ofFloats(t.shape(), t.toArray())));
        return out;
    }

    /**
     * Copies {@code state} into the model's parameters. With {@code strict}, any missing, unexpected
     * or mis-shaped key fails the whole load before anything is written, and the error lists them all.
     * Without it, matching keys load and the rest are returned in the report.
     */
    public static LoadException load(NamedParameters model, Map<String, Safetensors.Entry> state, boolean strict, String source) {
        Map<String, Tensor> params = model.namedParameters();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), misShaped = new ArrayList<>();
        for (var e : params.entrySet()) {
            Safetensors.Entry s = state.get(e.getKey());
            if (s == null) missing.add(e.getKey());
            else if (!s.isFloating() || !Arrays.equals(s.shape(), e.getValue().shape())) {
                misShaped.add(e.getKey() + " (checkpoint " + s + ", model " + Arrays.toString(e.getValue().shape()) + ")");
            }
        }
        for (String k : state.keySet()) if (!params.containsKey(k)) unexpected.add(k);
        LoadException problems = missing.isEmpty() && unexpected.isEmpty() && misShaped.isEmpty() ? null
                : new LoadException(source, missing, unexpected, misShaped);
        if (strict && problems != null) throw problems;
        for (var e : params.entrySet()) {
            Safetensors.Entry s = state.get(e.getKey());
            if (s != null && s.isFloating() && Arrays.equals(s.shape(), e.getValue().shape())) e.getValue().copyFrom(s.floats());
        }
        return problems;
    }

    /** Writes the model's weights as a timm-loadable {@code model.safetensors}. */
    public static void save(NamedParameters model, Path file, Map<String, String> metadata) throws IOException {
        Safetensors.write(file, of(model), metadata);
    }
}
