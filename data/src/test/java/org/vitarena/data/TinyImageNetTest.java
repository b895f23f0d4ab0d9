package org.vitarena.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader and cache on small generated folders in the exact Tiny ImageNet layout, including broken ones. */
class TinyImageNetTest {
    @TempDir Path tmp;
    Path root;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TinyImageNet.Options opt;

    @BeforeEach
    void write() throws IOException {
        root = tmp.resolve("tiny");
        SyntheticDataset.writeTinyImageNetLayout(root, 3, 4, 2, 7);
        opt = TinyImageNet.Options.defaults().withThreads(2).withProgress(new PrintStream(log, true));
    }

    private String wnid(int c) {
        return SyntheticDataset.classId(c);
    }

    @Test
    void readsAllSplitsOfTheLayout() {
        ImageCache train = TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt);
        assertEquals(12, train.size());
        assertEquals(3, train.numClasses());
        assertEquals(List.of(wnid(0), wnid(1), wnid(2)), train.classIds());
        assertEquals("plain disc", train.classNames().get(0));
        for (int i = 0; i < 12; i++) assertEquals(i / 4, train.label(i));

        // the decoded JPEG is close to the in-memory image it was written from
        SyntheticDataset mem = SyntheticDataset.generate(3, 4, 2, 7).train();
        byte[] a = train.loadRgb(5), b = mem.loadRgb(5);
        double mad = 0;
        for (int i = 0; i < a.length; i++) mad += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
        assertTrue(mad / a.length < 10, "mean abs diff after JPEG q95: " + mad / a.length);

        ImageCache val = TinyImageNet.open(root, TinyImageNet.Split.VAL, opt);
        assertEquals(6, val.size());
        for (int i = 0; i < 6; i++) assertEquals(i % 3, val.label(i));
        ImageCache test = TinyImageNet.open(root, TinyImageNet.Split.TEST, opt);
        assertEquals(6, test.size());
        assertEquals(-1, test.label(0));
        assertTrue(Files.exists(root.resolve(".vitarena-cache/train-64.vitcache")));
        assertTrue(log.toString().contains("building image cache"));
    }

    @Test
    void cacheIsReusedThenRebuiltWhenASourceFileChanges() throws IOException {
        ImageCache first = TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt);
        byte[] before = first.loadRgb(1);
        log.reset();
        TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt);
        assertFalse(log.toString().contains("building"), "second open reuses the cache: " + log);

        // replace image 1 of class 0 by image 0 of class 2 and move its modification time
        Path target = root.resolve("train/" + wnid(0) + "/images/" + wnid(0) + "_1.JPEG");
        Files.copy(root.resolve("train/" + wnid(2) + "/images/" + wnid(2) + "_0.JPEG"), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(target, FileTime.fromMillis(Files.getLastModifiedTime(target).toMillis() + 5000));
        ImageCache rebuilt = TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt);
        assertTrue(log.toString().contains("source files changed, rebuilding"), log.toString());
        assertFalse(java.util.Arrays.equals(before, rebuilt.loadRgb(1)));
        assertArrayEquals(rebuilt.loadRgb(8), rebuilt.loadRgb(1));
    }

    @Test
    void truncatedCacheIsRefusedWithAClearError() throws IOException {
        ImageCache c = TinyImageNet.open(root, TinyImageNet.Split.VAL, opt);
        Path f = c.file();
        long size = Files.size(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size - 100);
        }
        DataException e = assertThrows(DataException.class, () -> TinyImageNet.open(root, TinyImageNet.Split.VAL, opt));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("truncated") && e.getMessage().contains("Delete it"), e.getMessage());
    }

    @Test
    void corruptJpegFailsNamingTheFileOrIsSkipped() throws IOException {
        Path bad = root.resolve("train/" + wnid(1) + "/images/" + wnid(1) + "_2.JPEG");
        byte[] bytes = Files.readAllBytes(bad);
        Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        DataException e = assertThrows(DataException.class, () -> TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("--on-bad-image skip"), e.getMessage());

        Files.write(root.resolve("train/" + wnid(1) + "/images/" + wnid(1) + "_3.JPEG"), "not an image".getBytes());
        ImageCache c = TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt.withOnBadImage(OnBadImage.SKIP));
        assertEquals(10, c.size());
        assertEquals(2, c.skipped());
        assertEquals(1, c.label(4)); // class 1 keeps its two good images
        assertEquals(2, c.label(6));
        assertTrue(log.toString().contains("skipped 2 unreadable images"), log.toString());
    }

    /** A PNG whose header declares {@code w} x {@code h} pixels, with no image data worth decoding: a decompression bomb's header. */
    static byte[] pngDeclaring(int w, int h) throws IOException {
        var out = new ByteArrayOutputStream();
        out.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        var ihdr = java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[]{0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        var crc = new java.util.zip.CRC32();
        crc.update(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        crc.update(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.write(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void anImageDeclaringTooManyPixelsIsRefusedBeforeDecodingAndCanBeSkipped() throws IOException {
        Path bomb = root.resolve("train/" + wnid(2) + "/images/" + wnid(2) + "_1.JPEG");
        Files.write(bomb, pngDeclaring(20000, 20000)); // 400 M pixels, 1.6 GB decoded
        DataException e = assertThrows(DataException.class, () -> TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt));
        assertTrue(e.getMessage().contains(bomb.toString()) && e.getMessage().contains("20000 x 20000 pixels")
                && e.getMessage().contains("--max-image-pixels"), e.getMessage());
        ImageCache c = TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt.withOnBadImage(OnBadImage.SKIP));
        assertEquals(11, c.size());
        assertEquals(1, c.skipped());
        // a lower limit refuses ordinary images too (they are 64 x 64)
        DataException small = assertThrows(DataException.class,
                () -> TinyImageNet.open(root, TinyImageNet.Split.VAL, opt.withMaxPixels(64 * 64 - 1)));
        assertTrue(small.getMessage().contains("64 x 64 pixels, more than the limit of 4095"), small.getMessage());
    }

    @Test
    void twoBuildersOfOneCacheBothSucceed() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt.withProgress(null)));
            var b = pool.submit(() -> TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt.withProgress(null)));
            assertEquals(12, a.get().size());
            assertEquals(12, b.get().size());
        } finally {
            pool.shutdown();
        }
        try (var s = Files.list(root.resolve(".vitarena-cache"))) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().contains(".tmp")), "no temporary file left");
        }
    }

    @Test
    void grayscalePaletteCmykAndOtherSizesAreConverted() throws IOException {
        Path dir = root.resolve("train/" + wnid(0) + "/images/");
        // grayscale 64x64 JPEG
        BufferedImage gray = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(10, 10, 0, 200);
        ImageIO.write(gray, "jpeg", dir.resolve(wnid(0) + "_0.JPEG").toFile());
        // palette PNG under a .JPEG name, 64x64
        IndexColorModel cm = new IndexColorModel(8, 2, new byte[] {0, (byte) 255}, new byte[] {0, 0}, new byte[] {0, 0});
        BufferedImage pal = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_INDEXED, cm);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) pal.getRaster().setSample(x, y, 0, 1);
        ImageIO.write(pal, "png", dir.resolve(wnid(0) + "_1.JPEG").toFile());
        // a 32x48 RGB image
        byte[] small = new byte[32 * 48 * 3];
        java.util.Arrays.fill(small, (byte) 77);
        Images.writeJpeg(small, 32, 48, dir.resolve(wnid(0) + "_2.JPEG"), 1f);
        // a four-channel (CMYK) JPEG: C=0, M=255, Y=255, K=0 is red
        WritableRaster r = java.awt.image.Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 64, 64, 4, null);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) r.setPixel(x, y, new int[] {0, 255, 255, 0});
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(dir.resolve(wnid(0) + "_3.JPEG").toFile())) {
            w.setOutput(out);
            w.write(null, new IIOImage(r, null, null), null);
        }
        w.dispose();

        ImageCache c = TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt);
        byte[] g = c.loadRgb(0);
        assertEquals(g[0], g[1]);
        assertEquals(g[1], g[2]);
        byte[] p = c.loadRgb(1);
        assertEquals(255, p[0] & 0xFF);
        assertEquals(0, p[1] & 0xFF);
        byte[] s = c.loadRgb(2);
        assertEquals(64 * 64 * 3, s.length);
        assertEquals(77, s[3 * (32 * 64 + 32)] & 0xFF, 2);
        byte[] red = c.loadRgb(3);
        assertTrue((red[0] & 0xFF) > 200 && (red[1] & 0xFF) < 60 && (red[2] & 0xFF) < 60, "CMYK red -> " + (red[0] & 0xFF) + "," + (red[1] & 0xFF) + "," + (red[2] & 0xFF));
    }

    @Test
    void badListingsStopWithTheFileAndTheProblem() throws IOException {
        Path ann = root.resolve("val/val_annotations.txt");
        String good = Files.readString(ann);
        Files.writeString(ann, good + "val_9.JPEG\n");
        DataException e = assertThrows(DataException.class, () -> TinyImageNet.open(root, TinyImageNet.Split.VAL, opt));
        assertTrue(e.getMessage().contains("val_annotations.txt line 7: malformed"), e.getMessage());

        Files.writeString(ann, good.replaceFirst(wnid(1), "n99999999"));
        e = assertThrows(DataException.class, () -> TinyImageNet.open(root, TinyImageNet.Split.VAL, opt));
        assertTrue(e.getMessage().contains("unknown wnid 'n99999999'"), e.getMessage());

        Files.delete(ann);
        e = assertThrows(DataException.class, () -> TinyImageNet.open(root, TinyImageNet.Split.VAL, opt));
        assertTrue(e.getMessage().contains("val_annotations.txt: missing"), e.getMessage());

        Files.createDirectories(root.resolve("train/n12345678/images"));
        e = assertThrows(DataException.class, () -> TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt));
        assertTrue(e.getMessage().contains("unknown wnid 'n12345678'"), e.getMessage());
        Files.delete(root.resolve("train/n12345678/images"));
        Files.delete(root.resolve("train/n12345678"));

        Path images = root.resolve("train/" + wnid(2) + "/images");
        try (var files = Files.list(images)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        e = assertThrows(DataException.class, () -> TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt));
        assertTrue(e.getMessage().contains("empty class folder") && e.getMessage().contains(images.toString()), e.getMessage());

        Files.delete(root.resolve("wnids.txt"));
        e = assertThrows(DataException.class, () -> TinyImageNet.open(root, TinyImageNet.Split.TRAIN, opt));
        assertTrue(e.getMessage().contains("wnids.txt: missing"), e.getMessage());
    }
}
