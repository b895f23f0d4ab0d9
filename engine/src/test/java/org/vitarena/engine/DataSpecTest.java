package org.vitarena.engine;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** DataSpec: read from older checkpoints, subsets of folders in the recipe, any layout opened from the folder alone. */
class DataSpecTest {
    @TempDir Path tmp;
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Test
    void aSpecStoredBeforeSubsetsAndCacheFoldersReadsAsTheWholeFolder() throws IOException {
        // as checkpoints wrote it before maxImagePixels and cacheDir existed
        String old = "{\"root\":\"/data/tiny\",\"classes\":0,\"trainPerClass\":0,\"valPerClass\":0,\"dataSeed\":0,\"onBadImage\":\"skip\",\"synthetic\":false}";
        DataSpec d = JSON.readValue(old, DataSpec.class);
        assertEquals(DataSpec.folder(Path.of("/data/tiny"), "skip"), d);
        assertNull(d.cacheDir());
        assertEquals(0, d.maxImagePixels());
        DataSpec now = d.withSubset(100, 20).withCacheDir(tmp).withMaxImagePixels(1000);
        assertEquals(now, JSON.readValue(JSON.writeValueAsString(now), DataSpec.class));
    }

    @Test
    void aFolderSubsetIsPartOfTheRecipeAndAWholeFolderRecipeIsUnchanged() throws IOException {
        DataSpec whole = DataSpec.folder(tmp);
        Recipe a = Recipe.of(TrainConfig.builder("vit_demo").data(whole).build(), null);
        assertFalse(a.entries().containsKey("data.train_per_class"), a.entries().toString());
        Recipe b = Recipe.of(TrainConfig.builder("vit_demo").data(whole.withSubset(100, 0)).build(), null);
        assertEquals("100", b.entries().get("data.train_per_class"));
        assertFalse(b.entries().containsKey("data.val_per_class"));
        assertEquals(b, Recipe.of(TrainConfig.builder("vit_demo").data(whole.withSubset(100, 0).withCacheDir(tmp.resolve("c"))).build(), null),
                "where caches go changes nothing computed");
        var e = assertThrows(InvalidConfigException.class, () -> whole.withSubset(-1, 0));
        assertEquals("trainPerClass", e.key());
    }

    @Test
    void anIdxFolderOpensWithItsSubsetsAndCachesWhereAsked() throws IOException {
        Path mnist = tmp.resolve("mnist");
        Files.createDirectories(mnist);
        writeIdx(mnist, "train", 40);
        writeIdx(mnist, "t10k", 20);
        DataSpec d = DataSpec.folder(mnist).withSubset(3, 1).withCacheDir(tmp.resolve("caches"));
        assertEquals(10, d.numClasses());
        DataSpec.Splits s = d.open(true, null);
        assertEquals(30, s.train().size());
        assertEquals(10, s.val().size());
        assertTrue(Files.exists(tmp.resolve("caches/train-64-3pc.vitcache")));
        assertEquals("0", s.val().classNames().get(0));
    }

    /** n gzipped 4x4 images with labels i % 10. */
    private static void writeIdx(Path dir, String prefix, int n) throws IOException {
        ByteBuffer img = ByteBuffer.allocate(16 + n * 16).putInt(0x803).putInt(n).putInt(4).putInt(4);
        ByteBuffer lab = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 16; p++) img.put((byte) (i * 5 + p));
            lab.put((byte) (i % 10));
        }
        for (var f : new Object[][] {{prefix + "-images-idx3-ubyte.gz", img.array()}, {prefix + "-labels-idx1-ubyte.gz", lab.array()}}) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve((String) f[0])))) {
                out.write((byte[]) f[1]);
            }
        }
    }
}
