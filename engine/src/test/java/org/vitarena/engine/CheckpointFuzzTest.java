package org.vitarena.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.core.io.CorruptFileException;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.testing.Mutator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * 10,000 random mutations of a valid checkpoint: each loads identically (the mutation was undone, or
 * touched nothing the CRC covers, which is nothing) or fails with {@link CorruptFileException} naming the
 * file; never another exception, never an OutOfMemoryError.
 */
class CheckpointFuzzTest {
    @TempDir Path tmp;

    @Test
    void tenThousandMutationsLoadIdenticallyOrFailWithTheFileNamed() throws Exception {
        Map<String, Safetensors.Entry> model = new LinkedHashMap<>(), optim = new LinkedHashMap<>();
        model.put("head.weight", Safetensors.Entry.ofFloats(new int[]{3, 4}, new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
        model.put("head.bias", Safetensors.Entry.ofFloats(new int[]{3}, new float[]{-1, 0, 1}));
        optim.put("step", Safetensors.Entry.ofLongs(new int[]{}, new long[]{5}));
        optim.put("exp_avg.head.bias", Safetensors.Entry.ofFloats(new int[]{3}, new float[]{.1f, .2f, .3f}));
        TrainConfig cfg = TrainConfig.builder("vit_demo").epochs(3).build();
        var state = new Checkpoint.State(Checkpoint.FORMAT, "vit_demo", "vit", 3, 64, "n0\tzero\nn1\tone\nn2\ttwo", cfg, 1, 0, 5, 5,
                List.of(new Checkpoint.EpochRecord(1, 1.5, 1.4, 33.3, 100, 2.0, 50, 60)), 0);
        Path good = tmp.resolve("good.ckpt");
        Checkpoint.save(good, state, model, optim);
        byte[] bytes = Files.readAllBytes(good);
        var expected = Checkpoint.load(good);
        long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);

        Path f = tmp.resolve("mutated.ckpt");
        Mutator m = new Mutator(7L, (int) (8 + headerLen));
        int refused = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] bad = m.mutate(bytes);
            Files.write(f, bad);
            try {
                var got = Checkpoint.load(f);
                assertEquals(expected.state(), got.state(), m.last);
                for (var part : List.of(List.of(expected.model(), got.model()), List.of(expected.optim(), got.optim()))) {
                    assertEquals(part.get(0).keySet(), part.get(1).keySet(), m.last);
                    for (String k : part.get(0).keySet()) {
                        assertArrayEquals(part.get(0).get(k).floats(), part.get(1).get(k).floats(), m.last + " " + k);
                        assertArrayEquals(part.get(0).get(k).longs(), part.get(1).get(k).longs(), m.last + " " + k);
                    }
                }
                assertArrayEquals(bytes, bad, "a damaged checkpoint loaded: " + m.last);
            } catch (CorruptFileException e) {
                refused++;
                assertTrue(e.getMessage().startsWith(f.toString()), m.last + ": " + e.getMessage());
            } catch (Throwable t) {
                fail("mutation " + i + " (" + m.last + ") escaped as " + t, t);
            }
        }
        assertTrue(refused > 9000, "refused " + refused);
    }
}
