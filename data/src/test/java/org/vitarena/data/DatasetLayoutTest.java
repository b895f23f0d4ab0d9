package org.vitarena.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layout detection, the IDX and ImageFolder readers on small generated folders (and their broken forms), subsets, cache places. */
class DatasetLayoutTest {
    @TempDir Path tmp;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TinyImageNet.Options opt;

    @BeforeEach
    void options() {
        opt = TinyImageNet.Options.defaults().withThreads(2).withProgress(new PrintStream(log, true));
    }

    // ---------------------------------------------------------------- IDX

    static final int ROWS = 6, COLS = 5;

    /** Gray value of pixel p of image i: distinct per image, so a test can tell which image it got. */
    static int pixel(int i, int p) {
        return (i * 7 + p * 3) % 256;
    }

    /** Writes an IDX pair: {@code prefix-images-idx3-ubyte} and {@code prefix-labels-idx1-ubyte}, gzipped when asked. */
    static void writeIdx(Path dir, String prefix, int[] labels, boolean gz) throws IOException {
        Files.createDirectories(dir);
        ByteBuffer img = ByteBuffer.allocate(16 + labels.length * ROWS * COLS);
        img.putInt(Idx.IMAGES_MAGIC).putInt(labels.length).putInt(ROWS).putInt(COLS);
        for (int i = 0; i < labels.length; i++) for (int p = 0; p < ROWS * COLS; p++) img.put((byte) pixel(i, p));
        ByteBuffer lab = ByteBuffer.allocate(8 + labels.length);
        lab.putInt(Idx.LABELS_MAGIC).putInt(labels.length);
        for (int l : labels) lab.put((byte) l);
        write(dir.resolve(prefix + "-images-idx3-ubyte" + (gz ? ".gz" : "")), img.array(), gz);
        write(dir.resolve(prefix + "-labels-idx1-ubyte" + (gz ? ".gz" : "")), lab.array(), gz);
    }

    static void write(Path f, byte[] bytes, boolean gz) throws IOException {
        try (OutputStream out = gz ? new GZIPOutputStream(Files.newOutputStream(f)) : Files.newOutputStream(f)) {
            out.write(bytes);
        }
    }

    /** Labels 0..9 cycling, {@code n} images. */
    static int[] cycling(int n) {
        int[] l = new int[n];
        for (int i = 0; i < n; i++) l[i] = i % 10;
        return l;
    }

    Path idxFolder(String name, boolean gz) throws IOException {
        Path dir = tmp.resolve(name);
        writeIdx(dir, "train", cycling(30), gz);
        writeIdx(dir, "t10k", cycling(20), gz);
        return dir;
    }

    @Test
    void idxPlainAndGzippedReadTheSameGrayReplicatedAndResized() throws IOException {
        Path plain = idxFolder("mnist", false), gz = idxFolder("mnist-gz", true);
        assertEquals(DatasetLayout.IDX, DatasetLayout.detect(plain));
        assertEquals(DatasetLayout.IDX, DatasetLayout.detect(gz));
        LabelMap map = DatasetLayout.IDX.labelMap(plain);
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), map.names());

        ImageCache a = DatasetLayout.IDX.open(plain, TinyImageNet.Split.TRAIN, 0, opt);
        ImageCache b = DatasetLayout.IDX.open(gz, TinyImageNet.Split.TRAIN, 0, opt);
        assertEquals(30, a.size());
        assertEquals(10, a.numClasses());
        assertEquals(64, a.imageSize());
        byte[] rgb = new byte[ROWS * COLS * 3];
        for (int i = 0; i < 30; i++) {
            assertEquals(i % 10, a.label(i));
            assertArrayEquals(a.loadRgb(i), b.loadRgb(i));
            for (int p = 0; p < ROWS * COLS; p++) Arrays.fill(rgb, 3 * p, 3 * p + 3, (byte) pixel(i, p));
            assertArrayEquals(Images.resizeRgb(rgb, ROWS, COLS, 64, 64), a.loadRgb(i), "image " + i + ": gray x3, bicubic to 64");
        }
        assertEquals(20, DatasetLayout.IDX.open(gz, TinyImageNet.Split.VAL, 0, opt).size());
        assertTrue(Files.exists(plain.resolve(".vitarena-cache/train-64.vitcache")));
    }

    @Test
    void fashionFoldersGetFashionMnistClassNames() throws IOException {
        Path dir = idxFolder("fashion-mnist", true);
        LabelMap map = DatasetLayout.detect(dir).labelMap(dir);
        assertEquals("T-shirt/top", map.names().get(0));
        assertEquals("Ankle boot", map.names().get(9));
        assertEquals("0", map.ids().get(0));
        assertEquals(map, DatasetLayout.IDX.open(dir, TinyImageNet.Split.VAL, 0, opt).labelMap(), "the cache keeps the names");
    }

    @Test
    void idxSubsetTakesTheFirstImagesOfEachClassInFileOrder() throws IOException {
        Path dir = tmp.resolve("mnist");
        int[] labels = new int[30];
        for (int i = 0; i < 30; i++) labels[i] = i / 3; // three of class 0, three of class 1, ...
        writeIdx(dir, "train", labels, false);
        writeIdx(dir, "t10k", cycling(10), false);
        ImageCache all = DatasetLayout.IDX.open(dir, TinyImageNet.Split.TRAIN, 0, opt);
        ImageCache two = DatasetLayout.IDX.open(dir, TinyImageNet.Split.TRAIN, 2, opt);
        assertEquals(20, two.size());
        for (int k = 0; k < 20; k++) {
            int i = (k / 2) * 3 + k % 2; // images 0, 1, 3, 4, 6, 7, ...
            assertEquals(i / 3, two.label(k));
            assertArrayEquals(all.loadRgb(i), two.loadRgb(k), "subset image " + k + " is file image " + i);
        }
        assertTrue(Files.exists(dir.resolve(".vitarena-cache/train-64-2pc.vitcache")), "a subset has a cache of its own");
        // a subset larger than a class takes the whole class
        assertEquals(30, DatasetLayout.IDX.open(dir, TinyImageNet.Split.TRAIN, 1000, opt).size());
    }

    private DataException idxFails(Path dir) {
        return assertThrows(DataException.class, () -> DatasetLayout.IDX.open(dir, TinyImageNet.Split.TRAIN, 0, opt));
    }

    @Test
    void brokenIdxFilesFailNamingTheFile() throws IOException {
        for (boolean gz : new boolean[] {false, true}) {
            String ext = gz ? ".gz" : "";
            Path dir = idxFolder("broken" + ext, gz);
            Path images = dir.resolve("train-images-idx3-ubyte" + ext), labels = dir.resolve("train-labels-idx1-ubyte" + ext);
            byte[] goodImages = readIdx(images), goodLabels = readIdx(labels);

            // wrong magic: a label file in the images' place
            write(images, goodLabels, gz);
            DataException e = idxFails(dir);
            assertTrue(e.getMessage().startsWith(images.toString()) && e.getMessage().contains("magic number 0x00000801, expected 0x00000803")
                    && e.getMessage().contains("this is a label file"), e.getMessage());
            // count mismatch
            write(images, goodImages, gz);
            byte[] fewer = Arrays.copyOf(goodLabels, goodLabels.length - 1);
            ByteBuffer.wrap(fewer).putInt(4, 29);
            write(labels, fewer, gz);
            e = idxFails(dir);
            assertTrue(e.getMessage().contains(images + " holds 30 images but " + labels + " holds 29 labels"), e.getMessage());
            // label out of range
            byte[] bad = goodLabels.clone();
            bad[8 + 3] = 12;
            write(labels, bad, gz);
            e = idxFails(dir);
            assertTrue(e.getMessage().contains(labels + ": label 12 of image 3 is outside 0..9"), e.getMessage());
            // truncated images: the header announces 30 images, the file holds 29 and a half
            write(labels, goodLabels, gz);
            write(images, Arrays.copyOf(goodImages, goodImages.length - ROWS * COLS / 2 - ROWS * COLS), gz);
            e = idxFails(dir);
            assertTrue(e.getMessage().startsWith(images + ": truncated IDX file"), e.getMessage());
            // a skip policy does not hide a broken container
            e = assertThrows(DataException.class, () -> DatasetLayout.IDX.open(dir, TinyImageNet.Split.TRAIN, 0, opt.withOnBadImage(OnBadImage.SKIP)));
            assertTrue(e.getMessage().startsWith(images + ": truncated IDX file"), e.getMessage());
            // impossible dimensions
            byte[] zeroRows = goodImages.clone();
            ByteBuffer.wrap(zeroRows).putInt(8, 0);
            write(images, zeroRows, gz);
            e = idxFails(dir);
            assertTrue(e.getMessage().startsWith(images + ": bad dimensions 30 x 0 x 5"), e.getMessage());
            // truncated labels
            write(images, goodImages, gz);
            write(labels, Arrays.copyOf(goodLabels, 20), gz);
            e = idxFails(dir);
            assertTrue(e.getMessage().contains(labels + ": truncated IDX file (header says 30 labels, the file holds 12)"), e.getMessage());
            // a missing file
            Files.delete(labels);
            e = idxFails(dir);
            assertTrue(e.getMessage().contains("train-labels-idx1-ubyte: missing"), e.getMessage());
            write(labels, goodLabels, gz);
            assertEquals(30, DatasetLayout.IDX.open(dir, TinyImageNet.Split.TRAIN, 0, opt).size(), "repaired");
        }
    }

    @Test
    void aCutGzipStreamOrAPlainFileNamedGzFailNamingTheFile() throws IOException {
        Path dir = idxFolder("cut", true);
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        byte[] gz = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(gz, gz.length / 2));
        DataException e = idxFails(dir);
        assertTrue(e.getMessage().startsWith(images.toString()) && e.getMessage().contains("truncated"), e.getMessage());
        Files.write(images, new byte[] {0, 0, 8, 3, 0, 0, 0, 1});
        e = idxFails(dir);
        assertTrue(e.getMessage().startsWith(images + ": not a valid gzip file"), e.getMessage());
    }

    @Test
    void idxImagesAboveThePixelLimitAreRefusedNamingTheFile() throws IOException {
        Path dir = idxFolder("mnist", false);
        DataException e = assertThrows(DataException.class, () -> DatasetLayout.IDX.open(dir, TinyImageNet.Split.TRAIN, 0, opt.withMaxPixels(20)));
        assertTrue(e.getMessage().contains(dir.resolve("train-images-idx3-ubyte") + ": images of 5 x 6 pixels, more than the limit of 20"), e.getMessage());
    }

    static byte[] readIdx(Path f) {
        return Idx.readAll(f, Long.MAX_VALUE);
    }

    // ---------------------------------------------------------------- ImageFolder

    static void png(Path f, int value) throws IOException {
        Files.createDirectories(f.getParent());
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) img.setRGB(x, y, value << 16 | value << 8 | value);
        String n = f.getFileName().toString().toLowerCase();
        ImageIO.write(img, n.endsWith(".png") ? "png" : "jpeg", f.toFile());
    }

    /** train/{cat,dog,ant} with nested files and mixed-case extensions, val/ with two of the classes. */
    Path imageFolder() throws IOException {
        Path root = tmp.resolve("folder");
        png(root.resolve("train/cat/b.PNG"), 10);
        png(root.resolve("train/cat/a.png"), 20);
        png(root.resolve("train/cat/sub/c.jpeg"), 30);
        png(root.resolve("train/cat/a b/d.JPG"), 40); // "cat/a b" sorts before "cat/sub" and after "cat" itself
        png(root.resolve("train/dog/x.jpg"), 50);
        png(root.resolve("train/ant/y.png"), 60);
        png(root.resolve("train/ant/z.png"), 70);
        Files.writeString(root.resolve("train/ant/notes.txt"), "not an image and not an image name: ignored");
        Files.createDirectories(root.resolve("train/.ipynb_checkpoints"));
        png(root.resolve("val/cat/v1.png"), 80);
        png(root.resolve("val/ant/v2.png"), 90);
        png(root.resolve("val/ant/v3.png"), 100);
        return root;
    }

    @Test
    void imageFolderClassesAreSortedFolderNamesAndFilesFollowTorchvisionsOrder() throws IOException {
        Path root = imageFolder();
        assertEquals(DatasetLayout.IMAGE_FOLDER, DatasetLayout.detect(root));
        LabelMap map = DatasetLayout.IMAGE_FOLDER.labelMap(root);
        assertEquals(List.of("ant", "cat", "dog"), map.ids());
        assertEquals(map.ids(), map.names());
        List<TinyImageNet.Entry> train = ImageFolder.list(root, TinyImageNet.Split.TRAIN, map);
        List<String> files = new ArrayList<>();
        for (TinyImageNet.Entry e : train) files.add(root.resolve("train").relativize(e.file()) + ":" + e.label());
        assertEquals(List.of("ant/y.png:0", "ant/z.png:0", "cat/a.png:1", "cat/b.PNG:1", "cat/a b/d.JPG:1", "cat/sub/c.jpeg:1", "dog/x.jpg:2"), files);

        ImageCache c = DatasetLayout.IMAGE_FOLDER.open(root, TinyImageNet.Split.TRAIN, 0, opt.withImageSize(8));
        assertEquals(7, c.size());
        assertEquals(60, c.loadRgb(0)[0] & 0xFF);
        assertEquals(20, c.loadRgb(2)[0] & 0xFF);
        ImageCache val = DatasetLayout.IMAGE_FOLDER.open(root, TinyImageNet.Split.VAL, 0, opt.withImageSize(8));
        assertEquals(3, val.size());
        assertEquals(List.of(0, 0, 1), List.of(val.label(0), val.label(1), val.label(2)));
        assertEquals(3, val.numClasses(), "val has the train classes even where it has no images of one");

        ImageCache sub = DatasetLayout.IMAGE_FOLDER.open(root, TinyImageNet.Split.TRAIN, 1, opt.withImageSize(8));
        assertEquals(3, sub.size());
        assertEquals(20, sub.loadRgb(1)[0] & 0xFF, "cat's first file in sorted order is a.png");
    }

    @Test
    void imageFolderErrorsNameTheFolder() throws IOException {
        Path root = imageFolder();
        Files.createDirectories(root.resolve("train/emu"));
        DataException e = assertThrows(DataException.class, () -> DatasetLayout.IMAGE_FOLDER.open(root, TinyImageNet.Split.TRAIN, 0, opt));
        assertTrue(e.getMessage().startsWith(root.resolve("train/emu") + ": empty class folder"), e.getMessage());
        Files.delete(root.resolve("train/emu"));

        png(root.resolve("val/yak/1.png"), 1);
        e = assertThrows(DataException.class, () -> DatasetLayout.IMAGE_FOLDER.open(root, TinyImageNet.Split.VAL, 0, opt));
        assertTrue(e.getMessage().startsWith(root.resolve("val/yak") + ": class 'yak' has no folder in " + root.resolve("train")), e.getMessage());
    }

    @Test
    void aValidationFolderAloneIsReadWithATrainedModelsClasses() throws IOException {
        Path root = imageFolder();
        LabelMap trained = DatasetLayout.IMAGE_FOLDER.labelMap(root);
        try (Stream<Path> s = Files.walk(root.resolve("train"))) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        assertEquals(DatasetLayout.IMAGE_FOLDER, DatasetLayout.detect(root), "val/CLASS/ alone is an ImageFolder");
        DataException e = assertThrows(DataException.class, () -> DatasetLayout.IMAGE_FOLDER.open(root, TinyImageNet.Split.VAL, 0, opt));
        assertTrue(e.getMessage().startsWith(root.resolve("train") + ": missing"), "without a model's classes train/ is needed: " + e.getMessage());
        ImageCache val = DatasetLayout.IMAGE_FOLDER.open(root, TinyImageNet.Split.VAL, 0, opt.withImageSize(8), trained, "model.ckpt");
        assertEquals(3, val.size());
        assertEquals(List.of(0, 0, 1), List.of(val.label(0), val.label(1), val.label(2)));
        assertEquals(trained.ids(), val.labelMap().ids());

        png(root.resolve("val/yak/1.png"), 1);
        e = assertThrows(DataException.class, () -> DatasetLayout.IMAGE_FOLDER.open(root, TinyImageNet.Split.VAL, 0, opt, trained, "model.ckpt"));
        assertTrue(e.getMessage().startsWith(root.resolve("val/yak") + ": class 'yak' is not one of the 3 classes of model.ckpt"), e.getMessage());
    }

    @Test
    void aNonImageFileUnderAnImageNameFailsNamingItOrIsSkipped() throws IOException {
        Path root = imageFolder();
        Path bad = root.resolve("train/dog/w.jpg");
        Files.writeString(bad, "this is text");
        DataException e = assertThrows(DataException.class, () -> DatasetLayout.IMAGE_FOLDER.open(root, TinyImageNet.Split.TRAIN, 0, opt));
        assertTrue(e.getMessage().startsWith(bad.toString()) && e.getMessage().contains("--on-bad-image skip"), e.getMessage());
        ImageCache c = DatasetLayout.IMAGE_FOLDER.open(root, TinyImageNet.Split.TRAIN, 0, opt.withOnBadImage(OnBadImage.SKIP));
        assertEquals(7, c.size());
        assertEquals(1, c.skipped());
    }

    // ---------------------------------------------------------------- all layouts

    @Test
    void tinyImageNetIsDetectedAndCutToSubsetsInSortedFileOrder() throws IOException {
        Path root = tmp.resolve("tiny");
        SyntheticDataset.writeTinyImageNetLayout(root, 3, 4, 2, 7);
        assertEquals(DatasetLayout.TINY_IMAGENET, DatasetLayout.detect(root));
        ImageCache all = DatasetLayout.TINY_IMAGENET.open(root, TinyImageNet.Split.TRAIN, 0, opt);
        ImageCache two = DatasetLayout.TINY_IMAGENET.open(root, TinyImageNet.Split.TRAIN, 2, opt);
        assertEquals(6, two.size());
        assertArrayEquals(all.loadRgb(4), two.loadRgb(2), "class 1's first two images");
        assertEquals(3, DatasetLayout.TINY_IMAGENET.open(root, TinyImageNet.Split.VAL, 1, opt).size());
    }

    @Test
    void aFolderOfNoKnownLayoutIsRefusedListingTheLayouts() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        DataException e = assertThrows(DataException.class, () -> DatasetLayout.detect(empty));
        assertTrue(e.getMessage().startsWith(empty + ": not a dataset folder") && e.getMessage().contains("ImageFolder (train/CLASS")
                && e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        e = assertThrows(DataException.class, () -> DatasetLayout.detect(tmp.resolve("nowhere")));
        assertTrue(e.getMessage().contains("no such folder"), e.getMessage());
    }

    @Test
    void cachesOfSystemFoldersGoToTheUsersCache() {
        DatasetLayout.CacheDir local = DatasetLayout.cacheDir(tmp);
        assertEquals(tmp.toAbsolutePath().resolve(".vitarena-cache"), local.dir());
        assertNull(local.why());
        DatasetLayout.CacheDir sys = DatasetLayout.cacheDir(Path.of("/usr/share/datasets/fashion-mnist"));
        assertTrue(sys.dir().toString().contains("/vitarena/fashion-mnist-"), sys.dir().toString());
        assertEquals("it is system package data", sys.why());
    }
}
