package org.vitarena.core.io;

import org.vitarena.core.nn.VisionModel;

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

    public static void load(VisionModel model, Path file, Consumer<String> log) throws IOException {
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
        state = model.filterCheckpoint(state);
        Map<String, org.vitarena.core.Tensor> params = model.namedParameters();
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
            log.accept("pretrained " + file.getFileName() + ": classifier re-initialised for " + model.numClasses() + " classes");
        }
        StateDict.load(model, filtered, true, file.toString());
        log.accept("pretrained " + file.getFileName() + ": " + params.size() + " tensors loaded");
    }
}
