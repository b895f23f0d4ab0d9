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

    /** Reads every tensor of {@code file}, in header order. */
    public static Map<String, Entry> read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new IOException(file + ": not a safetensors file (only " + size + " bytes)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > Math.min(size - 8, 100L << 20)) {
                throw new IOException(file + ": not a safetensors file (header length " + headerLen + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            long base = 8 + headerLen;
            Map<String, Entry> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) continue;
                JsonNode v = e.getValue();
                String dtype = v.get("dtype").asText();
                JsonNode shapeNode = v.get("shape");
                int[] shape = new int[shapeNode.size()];
                for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asInt();
                long begin = v.get("data_offsets").get(0).asLong();
                long end = v.get("data_offsets").get(1).asLong();
                long n = 1;
                for (int d : shape) n *= d;
                int width = switch (dtype) {
                    case "F32", "I32" -> 4;
                    case "F16", "BF16" -> 2;
                    case "I64", "F64" -> 8;
                    default -> throw new IOException(file + ": tensor '" + e.getKey() + "' has unsupported dtype " + dtype
                            + " (supported: F32, F16, BF16, F64, I64, I32)");
                };
                if (end - begin != n * width || base + end > size) {
                    throw new IOException(file + ": tensor '" + e.getKey() + "' has data_offsets [" + begin + ", " + end
                            + "] that do not fit its shape " + Arrays.toString(shape) + " and dtype " + dtype);
                }
                ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, data, base + begin);
                data.flip();
                int count = (int) n;
                switch (dtype) {
                    case "F32" -> {
                        float[] f = new float[count];
                        data.asFloatBuffer().get(f);
                        out.put(e.getKey(), new Entry(dtype, shape, f, null));
                    }
                    case "F64" -> {
                        float[] f = new float[count];
                        for (int i = 0; i < count; i++) f[i] = (float) data.getDouble();
                        out.put(e.getKey(), new Entry(dtype, shape, f, null));
                    }
                    case "F16" -> {
                        float[] f = new float[count];
                        for (int i = 0; i < count; i++) f[i] = Float.float16ToFloat(data.getShort());
                        out.put(e.getKey(), new Entry(dtype, shape, f, null));
                    }
                    case "BF16" -> {
                        float[] f = new float[count];
                        for (int i = 0; i < count; i++) f[i] = Float.intBitsToFloat((data.getShort() & 0xffff) << 16);
                        out.put(e.getKey(), new Entry(dtype, shape, f, null));
                    }
                    case "I64" -> {
                        long[] l = new long[count];
                        data.asLongBuffer().get(l);
                        out.put(e.getKey(), new Entry(dtype, shape, null, l));
                    }
                    case "I32" -> {
                        long[] l = new long[count];
                        for (int i = 0; i < count; i++) l[i] = data.getInt();
                        out.put(e.getKey(), new Entry(dtype, shape, null, l));
                    }
                    default -> throw new AssertionError(dtype);
                }
            }
            return out;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new IOException("unexpected end of file");
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

    /** Reads the {@code __metadata__} map of {@code file}, empty if it has none. */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode meta = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8)).get("__metadata__");
            Map<String, String> out = new LinkedHashMap<>();
            if (meta != null) meta.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        }
    }
}
