package org.vitarena.core.io;

import org.vitarena.core.Tensor;
import org.vitarena.core.image.Bicubic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Loads a timm checkpoint ({@code model.safetensors} as the hub publishes it) into a model: the
 * family's checkpoint filter adapts it (position embeddings resampled for another image size, Swin's
 * bias tables resized for another window), the classifier is left freshly initialised when the class
 * count differs (the paper resets to 200), and the rest loads strictly: anything else that does not
 * fit is one error listing every offending key and shape.
 */
public final class Pretrained {
    private Pretrained() {}

    /**
     * Resamples {@code pos_embed} ([1, prefix + G·G, D]) of a checkpoint to this model's grid, as
     * timm.layers.resample_abs_pos_embed does (prefix tokens kept as they are). Returns the state
     * unchanged when there is nothing to do or the entry has a shape this cannot fix (the strict load
     * then reports it).
     */
    public static Map<String, Safetensors.Entry> resamplePosEmbed(Map<String, Safetensors.Entry> state, int prefix, int grid, int dim) {
        Safetensors.Entry pe = state.get("pos_embed");
        int want = prefix + grid * grid;
        if (pe == null || pe.shape().length != 3 || pe.shape()[1] == want) return state;
        int oldTokens = pe.shape()[1] - prefix, d = pe.shape()[2];
        int oldGrid = (int) Math.round(Math.sqrt(oldTokens));
        if (oldTokens <= 0 || oldGrid * oldGrid != oldTokens || d != dim) return state;
        float[] resampled = Bicubic.resamplePosEmbed(pe.floats(), prefix, d, oldGrid, oldGrid, grid, grid);
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>(state);
        out.put("pos_embed", Safetensors.Entry.ofFloats(new int[]{1, want, d}, resampled));
        return out;
    }

    public static void load(Checkpointable model, Path file, Consumer<String> log) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such weights file (expected a timm model.safetensors)");
        Map<String, Safetensors.Entry> state;
        try {
            state = Safetensors.read(file);
        } catch (IOException e) {
            throw new IOException(file + " is not a readable safetensors file: " + e.getMessage(), e);
        }
        if (state.keySet().stream().anyMatch(k -> k.startsWith("model.")) && state.keySet().stream().anyMatch(k -> k.startsWith("optim."))) {
            Map<String, Safetensors.Entry> m = new LinkedHashMap<>();
            state.forEach((k, v) -> { if (k.startsWith("model.")) m.put(k.substring(6), v); });
            state = m; // a ViT Arena training checkpoint: take its weights
        }
        load(model, state, file.getFileName().toString(), log);
    }

    /** Loads an in-memory state dict the same way; {@code source} names it in messages. */
    public static void load(Checkpointable model, Map<String, Safetensors.Entry> state, String source, Consumer<String> log) {
        state = model.filterCheckpoint(state);
        Map<String, Tensor> params = model.namedParameters();
        Map<String, Safetensors.Entry> filtered = new LinkedHashMap<>();
        int dropped = 0;
        for (var e : state.entrySet()) {
            boolean head = model.headPrefixes().stream().anyMatch(e.getKey()::startsWith);
            var p = params.get(e.getKey());
            if (head && p != null && !Arrays.equals(p.shape(), e.getValue().shape())) {
                dropped++;
                continue;
            }
            filtered.put(e.getKey(), e.getValue());
        }
        if (dropped > 0) {
            // keep the model's own freshly initialised head for the new class count
            for (var e : params.entrySet()) {
                if (model.headPrefixes().stream().anyMatch(e.getKey()::startsWith) && !filtered.containsKey(e.getKey())) {
                    filtered.put(e.getKey(), Safetensors.Entry.ofFloats(e.getValue().shape(), e.getValue().toArray()));
                }
            }
            log.accept("pretrained " + source + ": classifier re-initialised for " + model.numClasses() + " classes");
        }
        StateDict.load(model, filtered, true, source);
        log.accept("pretrained " + source + ": " + params.size() + " tensors loaded");
    }
}
