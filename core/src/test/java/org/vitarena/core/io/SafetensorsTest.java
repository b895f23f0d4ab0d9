package org.vitarena.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.core.Tensor;
import org.vitarena.core.nn.Linear;
import org.vitarena.core.nn.LayerNorm;
import org.vitarena.core.nn.Module;
import org.vitarena.core.testing.Golden;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsTest {
    @TempDir Path tmp;

    @Test void roundTripKeepsNamesShapesValuesAndMetadata() throws IOException {
        Map<String, Safetensors.Entry> in = new LinkedHashMap<>();
        in.put("a.weight", Safetensors.Entry.ofFloats(new int[]{2, 3}, new float[]{1, -2, 3.5f, Float.MIN_VALUE, 1e30f, -0f}));
        in.put("b", Safetensors.Entry.ofLongs(new int[]{3}, new long[]{7, -1, Long.MAX_VALUE}));
        in.put("scalar", Safetensors.Entry.ofFloats(new int[]{}, new float[]{42f}));
        Path f = tmp.resolve("x.safetensors");
        Safetensors.write(f, in, Map.of("format", "pt"));
        Map<String, Safetensors.Entry> out = Safetensors.read(f);
        assertEquals(in.keySet(), out.keySet());
        assertArrayEquals(in.get("a.weight").floats(), out.get("a.weight").floats());
        assertArrayEquals(new int[]{2, 3}, out.get("a.weight").shape());
        assertArrayEquals(in.get("b").longs(), out.get("b").longs());
        assertEquals(42f, out.get("scalar").floats()[0]);
        assertEquals("pt", Safetensors.metadata(f).get("format"));
    }

    /** F16 and BF16 written by hand as the format defines them. */
    @Test void readsHalfPrecisionAsFloat() throws IOException {
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}";
        byte[] hb = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + hb.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(hb.length).put(hb);
        buf.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-2f));
        buf.putShort((short) (Float.floatToIntBits(3.0f) >>> 16)).putShort((short) (Float.floatToIntBits(-0.5f) >>> 16));
        Path f = tmp.resolve("half.safetensors");
        Files.write(f, buf.array());
        var m = Safetensors.read(f);
        assertArrayEquals(new float[]{1.5f, -2f}, m.get("h").floats());
        assertArrayEquals(new float[]{3f, -0.5f}, m.get("b").floats());
    }

    /** A state dict written by the Python safetensors library (the repository's timm reference, and the shared one when present). */
    @Test void readsTimmReferenceWeights() throws IOException {
        var m = Safetensors.read(Golden.repository().resolve("vit.weights.safetensors"));
        assertArrayEquals(new int[]{1, 17, 32}, m.get("pos_embed").shape());
        assertEquals(32, m.size());
    }

    @Test void readsSharedTimmWeights() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Golden.shared().isPresent(), Golden.sharedMissing());
        var m = Safetensors.read(Golden.shared().get().resolve("vit.weights.safetensors"));
        assertArrayEquals(new int[]{1, 17, 64}, m.get("pos_embed").shape());
        assertEquals(32, m.size());
    }

    @Test void truncatedFileFailsWithItsName() throws IOException {
        Path f = tmp.resolve("bad.safetensors");
        Files.write(f, new byte[]{1, 2, 3});
        var e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("bad.safetensors"), e.getMessage());
    }

    static final class Tiny extends Module {
        Tiny() {
            SplittableRandom r = new SplittableRandom(3);
            child("fc", new Linear(4, 3, true, r));
            child("norm", new LayerNorm(3, 1e-6f));
        }
    }

    @Test void strictLoadReportsEveryProblemAtOnceAndWritesNothing() {
        Tiny m = new Tiny();
        float[] before = m.namedParameters().get("fc.weight").toArray();
        Map<String, Safetensors.Entry> sd = new LinkedHashMap<>(StateDict.of(new Tiny()));
        sd.remove("norm.bias");
        sd.put("extra.weight", Safetensors.Entry.ofFloats(new int[]{1}, new float[]{0}));
        sd.put("fc.bias", Safetensors.Entry.ofFloats(new int[]{5}, new float[5]));
        sd.put("fc.weight", Safetensors.Entry.ofFloats(new int[]{3, 4}, new float[12]));
        var e = assertThrows(StateDict.LoadException.class, () -> StateDict.load(m, sd, true, "ckpt.safetensors"));
        assertEquals(java.util.List.of("norm.bias"), e.missing);
        assertEquals(java.util.List.of("extra.weight"), e.unexpected);
        assertEquals(1, e.misShaped.size());
        assertTrue(e.getMessage().contains("ckpt.safetensors") && e.getMessage().contains("fc.bias"), e.getMessage());
        assertArrayEquals(before, m.namedParameters().get("fc.weight").toArray(), "a failed strict load must not write");
    }

    @Test void saveThenLoadGivesIdenticalWeights() throws IOException {
        Tiny a = new Tiny();
        a.namedParameters().get("norm.weight").copyFrom(new float[]{0.5f, 2f, -1f});
        Path f = tmp.resolve("m.safetensors");
        StateDict.save(a, f, Map.of());
        Tiny b = new Tiny();
        b.namedParameters().values().forEach(t -> t.copyFrom(new float[t.size()]));
        assertNull(StateDict.load(b, Safetensors.read(f), true, f.toString()));
        for (String k : a.namedParameters().keySet()) {
            assertArrayEquals(a.namedParameters().get(k).toArray(), b.namedParameters().get(k).toArray(), k);
        }
    }
}
