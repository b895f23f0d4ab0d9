package org.vitarena.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format:
 * an 8-byte little-endian header length, a JSON header mapping each name to
 * {@code dtype}, {@code shape} and {@code data_offsets}, then the raw little-endian data.
 *
 * <p>F32, F16 and BF16 are read as float32; I64 and I32 are read as longs. Writing produces F32
 * (and I64 for integer entries), which timm's {@code load_state_dict} accepts.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    /** One stored tensor: floating types land in {@code floats}, integer types in {@code longs}. */
    public record Entry(String dtype, int[] shape, float[] floats, long[] longs) {
        public static Entry ofFloats(int[] shape, float[] data) {
            return new Entry("F32", shape.clone(), data, null);
        }

        public static Entry ofLongs(int[] shape, long[] data) {
            return new Entry("I64", shape.clone(), null, data);
        }

        public boolean isFloating() {
            return floats != null;
        }

        public long numel() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }

        @Override
        public String toString() {
            return dtype + Arrays.toString(shape);
        }
    }

    /** Bytes per element of each dtype this reader accepts. */
    private static final Map<String, Integer> WIDTH = Map.of("F32", 4, "I32", 4, "F16", 2, "BF16", 2, "I64", 8, "F64", 8);
    /** The longest header accepted (the format's own reference implementation allows 100 MB). */
    static final long MAX_HEADER = 100L << 20;

    /** One tensor as the header declares it, checked against the file: dtype known, shape sane, bytes inside the file. */
    private record Declared(String name, String dtype, int[] shape, long begin, long end, int count) {}

    /** A validated header: the tensors in header order, the metadata, where the data starts. */
    private record Header(List<Declared> tensors, Map<String, String> metadata, long base) {}

    /**
     * Reads and checks the header of {@code file} before anything is allocated for tensors: header length
     * within the file and at most 100 MiB, valid JSON, every entry with a known dtype, non-negative
     * dimensions whose product fits one Java array, data offsets inside the file, equal to dtype × shape
     * and not overlapping another tensor's. Any violation is a {@link CorruptFileException} naming the file.
     */
    private static Header header(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < 8) throw new CorruptFileException(file, "not a safetensors file (only " + size + " bytes)");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0, file);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen < 2 || headerLen > Math.min(size - 8, MAX_HEADER)) {
            throw new CorruptFileException(file, "not a safetensors file (its header length " + headerLen + " does not fit a file of "
                    + size + " bytes)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        readFully(ch, hb, 8, file);
        JsonNode root;
        try {
            root = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CorruptFileException(file, "its header is not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) throw new CorruptFileException(file, "its header is not a JSON object");
        long base = 8 + headerLen, dataSize = size - base;
        List<Declared> tensors = new java.util.ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw new CorruptFileException(file, "its __metadata__ is not a JSON object");
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    var kv = m.next();
                    if (!kv.getValue().isTextual()) throw new CorruptFileException(file, "metadata '" + kv.getKey() + "' is not a string");
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            String where = "tensor '" + name + "'";
            if (!v.isObject()) throw new CorruptFileException(file, where + " is not described by a JSON object");
            JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
            if (dt == null || !dt.isTextual()) throw new CorruptFileException(file, where + " has no dtype");
            String dtype = dt.asText();
            Integer width = WIDTH.get(dtype);
            if (width == null) {
                throw new CorruptFileException(file, where + " has unsupported dtype " + dtype + " (supported: F32, F16, BF16, F64, I64, I32)");
            }
            if (sh == null || !sh.isArray()) throw new CorruptFileException(file, where + " has no shape");
            int[] shape = new int[sh.size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = sh.get(i);
                if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                    throw new CorruptFileException(file, where + " has an invalid dimension " + d + " in its shape " + sh);
                }
                shape[i] = (int) d.asLong();
                n *= shape[i]; // no overflow: n <= 2^31 before, a dimension <= 2^31
                if (n > Integer.MAX_VALUE - 8L) {
                    throw new CorruptFileException(file, where + " has " + sh + " elements, more than one Java array holds ("
                            + (Integer.MAX_VALUE - 8) + ")");
                }
            }
            if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()
                    || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
                throw new CorruptFileException(file, where + " has no valid data_offsets [begin, end]");
            }
            long begin = off.get(0).asLong(), end = off.get(1).asLong();
            if (begin < 0 || end < begin || end > dataSize) {
                throw new CorruptFileException(file, where + " has data_offsets [" + begin + ", " + end + "] outside the file's "
                        + dataSize + " data bytes (truncated?)");
            }
            if (end - begin != n * width) {
                throw new CorruptFileException(file, where + " has data_offsets [" + begin + ", " + end + "] that do not fit its shape "
                        + Arrays.toString(shape) + " and dtype " + dtype + " (" + n * width + " bytes)");
            }
            tensors.add(new Declared(name, dtype, shape, begin, end, (int) n));
        }
        List<Declared> byOffset = new java.util.ArrayList<>(tensors);
        byOffset.sort(java.util.Comparator.comparingLong(Declared::begin).thenComparingLong(Declared::end));
        for (int i = 1; i < byOffset.size(); i++) {
            Declared a = byOffset.get(i - 1), b = byOffset.get(i);
            if (b.begin() < a.end()) {
                throw new CorruptFileException(file, "tensors '" + a.name() + "' and '" + b.name() + "' overlap (bytes " + b.begin() + " to "
                        + Math.min(a.end(), b.end()) + ")");
            }
        }
        return new Header(tensors, metadata, base);
    }

    /**
     * Reads every tensor of {@code file}, in header order, after {@link #header checking the header} and
     * that the tensors fit in the memory there is.
     *
     * @throws CorruptFileException naming the file and the problem; nothing else for a malformed file
     */
    public static Map<String, Entry> read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(ch, file);
            long need = 0;
            for (Declared d : h.tensors()) need += (long) d.count() * (d.dtype().startsWith("I") ? 8 : 4);
            Runtime rt = Runtime.getRuntime();
            long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            if (need > free) {
                throw new CorruptFileException(file, "its tensors need " + (need >> 20) + " MiB of memory, but this Java heap has "
                        + (free >> 20) + " MiB free of " + (rt.maxMemory() >> 20) + " MiB; give Java more memory (-Xmx, VITARENA_JAVA_OPTS)");
            }
            Map<String, Entry> out = new LinkedHashMap<>();
            for (Declared d : h.tensors()) out.put(d.name(), load(ch, file, h.base(), d));
            return out;
        } catch (CorruptFileException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            throw new CorruptFileException(file, "does not fit in this Java heap (" + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)", e);
        } catch (RuntimeException e) {
            throw new CorruptFileException(file, "unreadable (" + e + ")", e);
        }
    }

    private static Entry load(FileChannel ch, Path file, long base, Declared d) throws IOException {
        ByteBuffer data = ByteBuffer.allocate((int) (d.end() - d.begin())).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, data, base + d.begin(), file);
        data.flip();
        int count = d.count();
        String dtype = d.dtype();
        int[] shape = d.shape();
        return switch (dtype) {
            case "F32" -> {
                float[] f = new float[count];
                data.asFloatBuffer().get(f);
                yield new Entry(dtype, shape, f, null);
            }
            case "F64" -> {
                float[] f = new float[count];
                for (int i = 0; i < count; i++) f[i] = (float) data.getDouble();
                yield new Entry(dtype, shape, f, null);
            }
            case "F16" -> {
                float[] f = new float[count];
                for (int i = 0; i < count; i++) f[i] = Float.float16ToFloat(data.getShort());
                yield new Entry(dtype, shape, f, null);
            }
            case "BF16" -> {
                float[] f = new float[count];
                for (int i = 0; i < count; i++) f[i] = Float.intBitsToFloat((data.getShort() & 0xffff) << 16);
                yield new Entry(dtype, shape, f, null);
            }
            case "I64" -> {
                long[] l = new long[count];
                data.asLongBuffer().get(l);
                yield new Entry(dtype, shape, null, l);
            }
            case "I32" -> {
                long[] l = new long[count];
                for (int i = 0; i < count; i++) l[i] = data.getInt();
                yield new Entry(dtype, shape, null, l);
            }
            default -> throw new AssertionError(dtype);
        };
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new CorruptFileException(file, "ends early (truncated?)");
            pos += r;
        }
    }

    /**
     * Writes {@code tensors} atomically: to a temporary file beside {@code file}, forced to disk, then
     * renamed over it, so a crash never leaves a half-written file under the final name.
     */
    public static void write(Path file, Map<String, Entry> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            Entry t = e.getValue();
            ObjectNode node = header.putObject(e.getKey());
            boolean fl = t.isFloating();
            node.put("dtype", fl ? "F32" : "I64");
            var shape = node.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            long bytes = t.numel() * (fl ? 4 : 8);
            var off = node.putArray("data_offsets");
            off.add(offset);
            off.add(offset + bytes);
            offset += bytes;
        }
        byte[] hjson = JSON.writeValueAsBytes(header);
        int pad = (8 - hjson.length % 8) % 8;
        byte[] hpadded = Arrays.copyOf(hjson, hjson.length + pad);
        Arrays.fill(hpadded, hjson.length, hpadded.length, (byte) ' ');
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream os = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 20)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hpadded.length);
                os.write(len.array());
                os.write(hpadded);
                ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (Entry t : tensors.values()) {
                    if (t.isFloating()) {
                        for (float v : t.floats()) {
                            if (!chunk.hasRemaining()) flush(os, chunk);
                            chunk.putFloat(v);
                        }
                    } else {
                        for (long v : t.longs()) {
                            if (chunk.remaining() < 8) flush(os, chunk);
                            chunk.putLong(v);
                        }
                    }
                }
                flush(os, chunk);
                os.flush();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void flush(OutputStream os, ByteBuffer chunk) throws IOException {
        os.write(chunk.array(), 0, chunk.position());
        chunk.clear();
    }

    /** Reads the {@code __metadata__} map of {@code file} (after checking the whole header), empty if it has none. */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return header(ch, file).metadata();
        } catch (CorruptFileException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CorruptFileException(file, "unreadable (" + e + ")", e);
        }
    }
}
