package org.vitarena.engine;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.vitarena.core.io.Safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A training checkpoint: one safetensors file holding the model's weights ({@code model.<timm name>}),
 * the optimiser state ({@code optim.<key>}) and, in its metadata, a JSON {@link State}: model and
 * options, label map, the whole {@link TrainConfig}, the position in the data order, the history,
 * and a CRC-32 of every tensor byte. Written atomically (temporary file, fsync, rename); a
 * truncated or corrupt file is refused with its name and what is wrong.
 */
public final class Checkpoint {
    public static final int FORMAT = 1;
    static final String META_KEY = "vitarena.checkpoint";
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Checkpoint() {}

    /** One epoch's figures. */
    public record EpochRecord(int epoch, double trainLoss, double evalLoss, double acc1, double acc5, double seconds,
                              double trainImgPerS, double evalImgPerS) {}

    /**
     * Where a run stands.
     *
     * @param epoch   the epoch in progress (0-based)
     * @param batch   the next batch of that epoch
     * @param update  optimiser updates done
     * @param micro   micro-batches done (the StepRandom step)
     */
    public record State(int format, String model, String family, int numClasses, int imgSize, String labelMap,
                        TrainConfig config, int epoch, int batch, long update, long micro, List<EpochRecord> history,
                        long crc32) {}

    public record Loaded(State state, Map<String, Safetensors.Entry> model, Map<String, Safetensors.Entry> optim) {}

    public static void save(Path file, State state, Map<String, Safetensors.Entry> model, Map<String, Safetensors.Entry> optim)
            throws IOException {
        Map<String, Safetensors.Entry> all = new LinkedHashMap<>();
        model.forEach((k, v) -> all.put("model." + k, v));
        optim.forEach((k, v) -> all.put("optim." + k, v));
        State withCrc = new State(FORMAT, state.model(), state.family(), state.numClasses(), state.imgSize(), state.labelMap(),
                state.config(), state.epoch(), state.batch(), state.update(), state.micro(), state.history(), crc(all));
        try {
            Safetensors.write(file, all, Map.of(META_KEY, JSON.writeValueAsString(withCrc), "format", "pt"));
        } catch (IOException e) {
            throw new IOException("could not write checkpoint " + file + " (" + e.getMessage() + "); any previous checkpoint at that path is intact", e);
        }
    }

    public static Loaded load(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file + ": no such checkpoint");
        Map<String, Safetensors.Entry> all;
        Map<String, String> meta;
        try {
            all = Safetensors.read(file);
            meta = Safetensors.metadata(file);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " is not a readable checkpoint (truncated or corrupt?): " + e.getMessage(), e);
        }
        String json = meta.get(META_KEY);
        if (json == null) {
            throw new IOException(file + " holds weights but no training state: it is a weights file, not a checkpoint"
                    + " (use it with --pretrained, or pass a .ckpt written by `runner train`)");
        }
        State s;
        try {
            s = JSON.readValue(json, State.class);
        } catch (IOException e) {
            throw new IOException(file + ": its training state is unreadable: " + e.getMessage(), e);
        }
        if (s.format() != FORMAT) throw new IOException(file + " has checkpoint format " + s.format() + "; this runner reads format " + FORMAT);
        long crc = crc(all);
        if (crc != s.crc32()) {
            throw new IOException(file + " is corrupt: its tensors' CRC-32 is " + Long.toHexString(crc) + " but the checkpoint recorded "
                    + Long.toHexString(s.crc32()));
        }
        Map<String, Safetensors.Entry> model = new LinkedHashMap<>(), optim = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith("model.")) model.put(k.substring(6), v);
            else if (k.startsWith("optim.")) optim.put(k.substring(6), v);
        });
        return new Loaded(s, model, optim);
    }

    /**
     * The model weights of a checkpoint under timm's names, as a {@code model.safetensors} that timm's
     * model (same class and kwargs, {@code num_classes} of the checkpoint) loads with {@code load_state_dict}.
     */
    public static void exportWeights(Loaded ckpt, Path out) throws IOException {
        Safetensors.write(out, ckpt.model(), Map.of("format", "pt", "vitarena.model", ckpt.state().model(),
                "vitarena.num_classes", String.valueOf(ckpt.state().numClasses())));
    }

    private static long crc(Map<String, Safetensors.Entry> all) {
        CRC32 crc = new CRC32();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (var e : all.entrySet()) {
            crc.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Safetensors.Entry t = e.getValue();
            if (t.isFloating()) {
                for (float f : t.floats()) {
                    if (buf.remaining() < 4) flush(crc, buf);
                    buf.putFloat(f);
                }
            } else {
                for (long l : t.longs()) {
                    if (buf.remaining() < 8) flush(crc, buf);
                    buf.putLong(l);
                }
            }
            flush(crc, buf);
        }
        return crc.getValue();
    }

    private static void flush(CRC32 crc, ByteBuffer buf) {
        crc.update(buf.array(), 0, buf.position());
        buf.clear();
    }
}
