package org.vitarena.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.core.testing.Mutator;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * No file crashes the reader: every damaged file loads as a consistent set of tensors or fails with a
 * {@link CorruptFileException} naming it; never another exception, never an OutOfMemoryError. (The
 * format has no checksum: a checkpoint adds one, see the engine's CheckpointFuzzTest.)
 */
class SafetensorsFuzzTest {
    @TempDir Path tmp;

    static Map<String, Safetensors.Entry> sample() {
        Map<String, Safetensors.Entry> m = new LinkedHashMap<>();
        float[] w = new float[6 * 4];
        for (int i = 0; i < w.length; i++) w[i] = i * 0.25f - 2;
        m.put("blocks.0.attn.qkv.weight", Safetensors.Entry.ofFloats(new int[]{6, 4}, w));
        m.put("blocks.0.attn.qkv.bias", Safetensors.Entry.ofFloats(new int[]{6}, new float[]{1, 2, 3, 4, 5, 6}));
        m.put("cls_token", Safetensors.Entry.ofFloats(new int[]{1, 1, 4}, new float[]{.5f, -.5f, 0, 3}));
        m.put("step", Safetensors.Entry.ofLongs(new int[]{}, new long[]{7}));
        return m;
    }

    private static boolean same(Map<String, Safetensors.Entry> a, Map<String, Safetensors.Entry> b) {
        if (!a.keySet().equals(b.keySet())) return false;
        for (String k : a.keySet()) {
            var x = a.get(k);
            var y = b.get(k);
            if (!Arrays.equals(x.shape(), y.shape()) || !Arrays.equals(x.floats(), y.floats()) || !Arrays.equals(x.longs(), y.longs())) return false;
        }
        return true;
    }

    @Test
    void tenThousandMutationsLoadOrFailWithTheFileNamed() throws IOException {
        Path good = tmp.resolve("good.safetensors");
        Safetensors.write(good, sample(), Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(good);
        long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        Map<String, Safetensors.Entry> expected = Safetensors.read(good);
        Path f = tmp.resolve("mutated.safetensors");
        Mutator m = new Mutator(20261201L, (int) (8 + headerLen));
        int loaded = 0, refused = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] bad = m.mutate(bytes);
            Files.write(f, bad);
            try {
                var got = Safetensors.read(f);
                Safetensors.metadata(f);
                loaded++;
                // the format has no checksum: a renamed key or a changed value loads, but always as a consistent set of tensors
                for (var e : got.entrySet()) {
                    long n = e.getValue().isFloating() ? e.getValue().floats().length : e.getValue().longs().length;
                    assertEquals(e.getValue().numel(), n, m.last + ": " + e.getKey());
                }
                if (Arrays.equals(bad, bytes)) assertTrue(same(expected, got), m.last);
            } catch (CorruptFileException e) {
                refused++;
                assertTrue(e.getMessage().startsWith(f.toString()), m.last + ": " + e.getMessage());
            } catch (Throwable t) {
                fail("mutation " + i + " (" + m.last + ") escaped as " + t, t);
            }
        }
        assertTrue(refused > 5000 && loaded > 100, "refused " + refused + ", loaded " + loaded);
    }

    /** A header as written by hand: one tensor, the data after it. */
    private static byte[] withHeader(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    @Test
    void craftedHeadersAreRefusedBeforeAnyAllocation() throws IOException {
        Path f = tmp.resolve("crafted.safetensors");
        String[][] cases = {
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "invalid dimension -1"},
                {"{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", "unsupported dtype Q4"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,4]}}", "more than one Java array holds"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", "do not fit its shape"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", "outside the file"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "overlap"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", "no valid data_offsets"},
                {"{\"a\":[1,2]}", "not described by a JSON object"},
                {"[1,2]", "not a JSON object"},
                {"{\"a\":", "not valid JSON"},
                {"{\"__metadata__\":{\"k\":1}}", "metadata 'k' is not a string"},
        };
        for (String[] c : cases) {
            Files.write(f, withHeader(c[0], 8));
            var e = assertThrows(CorruptFileException.class, () -> Safetensors.read(f), c[0]);
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void aTensorLargerThanTheHeapIsRefusedWithTheMemoryItNeeds() throws IOException {
        // one F32 tensor of 1.5e9 elements (6 GB) in a sparse file: nothing is allocated for it
        Path f = tmp.resolve("huge.safetensors");
        String json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1500000000],\"data_offsets\":[0,6000000000]}}";
        byte[] h = withHeader(json, 0);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(h);
            raf.setLength(h.length + 6_000_000_000L);
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (heap > 6_500_000_000L) return; // a heap this large could hold it: nothing to show
        var e = assertThrows(CorruptFileException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("need 5722 MiB of memory") && e.getMessage().contains("-Xmx"), e.getMessage());
    }
}
