package org.vitarena.engine;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.vitarena.core.io.CorruptFileException;
import org.vitarena.core.io.Safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * A training checkpoint: one safetensors file holding the model's weights ({@code model.<timm name>}),
 * the optimiser state ({@code optim.<key>}) and, in its metadata, a JSON {@link State}: model and
 * options, label map, the whole {@link TrainConfig}, the position in the data order and the history.
 *
 * <p>Integrity: the metadata key {@value #CRC_KEY} holds a CRC-32 of every byte of the file (header,
 * JSON state and tensors; the eight hex digits of the CRC itself counted as zeros), checked by every
 * reader before it trusts anything. Writing is crash-safe: a temporary file with a unique name in the
 * same folder, forced to disk, renamed over the final name, then the folder itself forced; a crash at
 * any moment leaves the previous file intact and at most a {@code *.tmp*} file that
 * {@link CheckpointStore} removes at the next start.
 */
public final class Checkpoint {
    /** 2: whole-file CRC under {@value #CRC_KEY}; 1: CRC of the tensors only, in the state (still read). */
    public static final int FORMAT = 2;
    static final String META_KEY = "vitarena.checkpoint";
    static final String CRC_KEY = "vitarena.crc32";
    private static final byte[] CRC_FIELD = ("\"" + CRC_KEY + "\":\"").getBytes(StandardCharsets.US_ASCII);
    private static final String CRC_PLACEHOLDER = "00000000";
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

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
     * @param crc32   format 1 only: the CRC of the tensors; 0 in format 2
     */
    public record State(int format, String model, String family, int numClasses, int imgSize, String labelMap,
                        TrainConfig config, int epoch, int batch, long update, long micro, List<EpochRecord> history,
                        long crc32) {}

    public record Loaded(State state, Map<String, Safetensors.Entry> model, Map<String, Safetensors.Entry> optim) {}

    /** Whether {@code file} is a checkpoint (rather than a plain weights file), judged by its metadata alone. */
    public static boolean isCheckpoint(Path file) {
        try {
            return Safetensors.metadata(file).containsKey(META_KEY);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Writes a checkpoint crash-safely (see the class comment); on failure {@code file} is as it was and the message says why. */
    public static void save(Path file, State state, Map<String, Safetensors.Entry> model, Map<String, Safetensors.Entry> optim)
            throws IOException {
        Map<String, Safetensors.Entry> all = new LinkedHashMap<>();
        model.forEach((k, v) -> all.put("model." + k, v));
        optim.forEach((k, v) -> all.put("optim." + k, v));
        State s = new State(FORMAT, state.model(), state.family(), state.numClasses(), state.imgSize(), state.labelMap(),
                state.config(), state.epoch(), state.batch(), state.update(), state.micro(), state.history(), 0);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + TEMP_COUNTER.incrementAndGet());
        try {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put(META_KEY, JSON.writeValueAsString(s));
            meta.put("format", "pt");
            meta.put(CRC_KEY, CRC_PLACEHOLDER);
            Safetensors.write(tmp, all, meta);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long at = crcFieldOffset(ch, tmp);
                long crc = fileCrc(ch, at);
                ch.write(ByteBuffer.wrap(String.format("%08x", crc).getBytes(StandardCharsets.US_ASCII)), at);
                ch.force(true);
            }
            TestHooks.pause("checkpoint-temp-written");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(dir);
        } catch (IOException e) {
            throw new IOException("could not write checkpoint " + file + ": " + IoErrors.describe(e) + "; the previous checkpoint at that path, if any, is intact", e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Forces a folder's entries (a rename) to disk; a no-op where the platform cannot open folders. */
    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here (e.g. Windows): the rename is still atomic
        }
    }

    /**
     * Reads and checks a checkpoint: the CRC first, then the state and the tensors.
     *
     * @throws IOException naming the file and what is wrong (missing, not a checkpoint, corrupt, another format)
     */
    public static Loaded load(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file + ": no such checkpoint");
        Map<String, String> meta;
        try {
            meta = Safetensors.metadata(file);
        } catch (CorruptFileException e) {
            throw new CorruptFileException(file, "not a readable checkpoint (" + e.problem() + ")", e);
        }
        String json = meta.get(META_KEY);
        if (json == null) {
            throw new CorruptFileException(file, "holds weights but no training state: it is a weights file, not a checkpoint"
                    + " (use it with --pretrained, or pass a .ckpt written by `runner train`)");
        }
        String storedCrc = meta.get(CRC_KEY);
        if (storedCrc != null) {
            long crc;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                crc = fileCrc(ch, crcFieldOffset(ch, file));
            }
            if (!String.format("%08x", crc).equals(storedCrc)) {
                throw new CorruptFileException(file, "corrupt: its CRC-32 is " + String.format("%08x", crc) + " but the checkpoint recorded "
                        + storedCrc + " (a damaged copy or an interrupted transfer; use an earlier checkpoint)");
            }
        }
        State s;
        try {
            s = JSON.readValue(json, State.class);
        } catch (IOException | RuntimeException e) {
            throw new CorruptFileException(file, "its training state is unreadable: " + e.getMessage(), e);
        }
        if (s.format() != FORMAT && s.format() != 1) {
            throw new CorruptFileException(file, "has checkpoint format " + s.format() + "; this version reads formats 1 and " + FORMAT);
        }
        if (storedCrc == null && s.format() != 1) throw new CorruptFileException(file, "corrupt: it has no " + CRC_KEY);
        Map<String, Safetensors.Entry> all;
        try {
            all = Safetensors.read(file);
        } catch (CorruptFileException e) {
            throw new CorruptFileException(file, "not a readable checkpoint (" + e.problem() + ")", e);
        }
        if (s.format() == 1) {
            long crc = tensorCrc(all);
            if (crc != s.crc32()) {
                throw new CorruptFileException(file, "corrupt: its tensors' CRC-32 is " + Long.toHexString(crc) + " but the checkpoint recorded "
                        + Long.toHexString(s.crc32()));
            }
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

    /** Offset in the file of the CRC's eight hex digits inside the header. */
    private static long crcFieldOffset(FileChannel ch, Path file) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, len, 0);
        long headerLen = len.flip().getLong();
        if (headerLen <= 0 || headerLen > Math.min(ch.size() - 8, 100L << 20)) throw new CorruptFileException(file, "not a safetensors file");
        ByteBuffer h = ByteBuffer.allocate((int) headerLen);
        readFully(ch, h, 8);
        byte[] b = h.array();
        outer:
        for (int i = 0; i + CRC_FIELD.length + 8 <= b.length; i++) {
            for (int j = 0; j < CRC_FIELD.length; j++) if (b[i + j] != CRC_FIELD[j]) continue outer;
            return 8 + i + CRC_FIELD.length;
        }
        throw new CorruptFileException(file, "corrupt: no " + CRC_KEY + " in its header");
    }

    /** CRC-32 of the whole file with the eight bytes at {@code crcAt} read as the placeholder. */
    private static long fileCrc(FileChannel ch, long crcAt) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        byte[] zeros = CRC_PLACEHOLDER.getBytes(StandardCharsets.US_ASCII);
        long pos = 0, size = ch.size();
        while (pos < size) {
            buf.clear();
            int r = ch.read(buf, pos);
            if (r < 0) break;
            byte[] a = buf.array();
            for (int k = 0; k < 8; k++) {
                long at = crcAt + k - pos;
                if (at >= 0 && at < r) a[(int) at] = zeros[k];
            }
            crc.update(a, 0, r);
            pos += r;
        }
        return crc.getValue();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new IOException("unexpected end of file");
            pos += r;
        }
    }

    /** Format 1: CRC-32 of the tensors' names and values. */
    static long tensorCrc(Map<String, Safetensors.Entry> all) {
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
