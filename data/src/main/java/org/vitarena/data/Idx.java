package org.vitarena.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for MNIST-style IDX files (MNIST, Fashion-MNIST), plain or gzipped:
 * <pre>
 * train-images-idx3-ubyte[.gz]   magic 0x00000803, N, rows, cols (big endian), then N x rows x cols uint8
 * train-labels-idx1-ubyte[.gz]   magic 0x00000801, N, then N uint8 labels in 0..9
 * t10k-images-idx3-ubyte[.gz]    the validation split, same format
 * t10k-labels-idx1-ubyte[.gz]
 * </pre>
 * Gray pixels are replicated to three channels and resized to the cache's side (bicubic, antialiased,
 * as {@link Images#resizeRgb}). Ten classes: Fashion-MNIST's names when the folder's path says
 * "fashion", else the digits "0".."9". Every structural problem (magic, dimensions, counts, labels,
 * truncation, a broken gzip stream) is a {@link DataException} naming the file.
 */
public final class Idx {
    private Idx() {}

    public static final int CLASSES = 10;
    static final int IMAGES_MAGIC = 0x00000803, LABELS_MAGIC = 0x00000801;

    /** Fashion-MNIST's class names, in label order (zalandoresearch/fashion-mnist README). */
    public static final List<String> FASHION_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot");

    /** The file stem of a split's images or labels ({@code train-images-idx3-ubyte}). */
    static String stem(TinyImageNet.Split split, boolean images) {
        String prefix = switch (split) {
            case TRAIN -> "train";
            case VAL -> "t10k";
            case TEST -> throw new DataException("IDX datasets have no unlabelled test split (t10k-* is the validation split)");
        };
        return prefix + (images ? "-images-idx3-ubyte" : "-labels-idx1-ubyte");
    }

    /** The plain file if present, else the gzipped one, else null. */
    static Path find(Path root, String stem) {
        Path plain = root.resolve(stem), gz = root.resolve(stem + ".gz");
        return Files.isRegularFile(plain) ? plain : Files.isRegularFile(gz) ? gz : null;
    }

    /** Whether {@code root} holds the training images in IDX form. */
    public static boolean looksLikeIdx(Path root) {
        return find(root, stem(TinyImageNet.Split.TRAIN, true)) != null || find(root, stem(TinyImageNet.Split.VAL, true)) != null;
    }

    /** Whether the folder's path names Fashion-MNIST (then the classes get its names). */
    static boolean isFashion(Path root) {
        return root.toAbsolutePath().normalize().toString().toLowerCase(Locale.ROOT).contains("fashion");
    }

    /** Ten classes with ids "0".."9"; names are Fashion-MNIST's for a fashion folder, else the ids. */
    public static LabelMap labelMap(Path root) {
        List<String> ids = new ArrayList<>();
        for (int c = 0; c < CLASSES; c++) ids.add(String.valueOf(c));
        return new LabelMap(ids, isFashion(root) ? FASHION_NAMES : ids);
    }

    /**
     * One split as a cache source: the first {@code perClass} images of each class in file order
     * ({@code perClass} 0: all). Reads the labels and the images' header now, the pixels when the cache is built.
     */
    public static ImageCache.Source source(Path root, TinyImageNet.Split split, int perClass) {
        Path images = require(root, stem(split, true)), labelsFile = require(root, stem(split, false));
        byte[] labelBytes = readAll(labelsFile, Long.MAX_VALUE);
        ByteBuffer lb = ByteBuffer.wrap(labelBytes);
        if (labelBytes.length < 8) throw new DataException(labelsFile + ": truncated IDX file (" + labelBytes.length + " bytes, shorter than its 8-byte header)");
        int magic = lb.getInt();
        if (magic != LABELS_MAGIC) throw badMagic(labelsFile, magic, LABELS_MAGIC, "a label file (unsigned bytes, 1 dimension)");
        int n = lb.getInt();
        if (n < 0) throw new DataException(labelsFile + ": negative label count " + n);
        if (labelBytes.length < 8L + n) throw new DataException(labelsFile + ": truncated IDX file (header says " + n + " labels, the file holds " + (labelBytes.length - 8) + ")");
        if (labelBytes.length > 8L + n) throw new DataException(labelsFile + ": " + (labelBytes.length - 8L - n) + " bytes after the " + n + " labels its header announces");
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = labelBytes[8 + i] & 0xFF;
            if (labels[i] >= CLASSES) throw new DataException(labelsFile + ": label " + labels[i] + " of image " + i + " is outside 0.." + (CLASSES - 1));
        }
        byte[] header = readAll(images, 16);
        if (header.length < 4) throw new DataException(images + ": truncated IDX file (" + header.length + " bytes, shorter than its header)");
        ByteBuffer h = ByteBuffer.wrap(header);
        magic = h.getInt();
        if (magic != IMAGES_MAGIC) throw badMagic(images, magic, IMAGES_MAGIC, "an image file (unsigned bytes, 3 dimensions)");
        if (header.length < 16) throw new DataException(images + ": truncated IDX file (" + header.length + " bytes, shorter than its 16-byte header)");
        int count = h.getInt(), rows = h.getInt(), cols = h.getInt();
        if (rows <= 0 || cols <= 0 || count < 0) throw new DataException(images + ": bad dimensions " + count + " x " + rows + " x " + cols);
        if (count != n) throw new DataException(images + " holds " + count + " images but " + labelsFile + " holds " + n + " labels");
        int[] pick = firstPerClass(labels, perClass);
        return new IdxSource(root, images, labelsFile, rows, cols, count, labels, pick, perClass);
    }

    /** Indices of the first {@code perClass} images of each class, in file order (all when {@code perClass <= 0}). */
    static int[] firstPerClass(int[] labels, int perClass) {
        int[] taken = new int[CLASSES];
        int[] out = new int[labels.length];
        int k = 0;
        for (int i = 0; i < labels.length; i++) {
            if (perClass > 0 && taken[labels[i]] >= perClass) continue;
            taken[labels[i]]++;
            out[k++] = i;
        }
        return java.util.Arrays.copyOf(out, k);
    }

    private static Path require(Path root, String stem) {
        Path f = find(root, stem);
        if (f == null) throw new DataException(root.resolve(stem) + ": missing (neither it nor " + stem + ".gz exists; an IDX dataset has "
                + "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz)");
        return f;
    }

    private static DataException badMagic(Path file, int magic, int expected, String what) {
        String hint = magic == IMAGES_MAGIC ? " (this is an image file)" : magic == LABELS_MAGIC ? " (this is a label file)" : "";
        return new DataException(String.format("%s: not %s: magic number 0x%08X, expected 0x%08X%s", file, what, magic, expected, hint));
    }

    /** Up to {@code limit} bytes of the file, decompressed when its name ends in .gz. */
    static byte[] readAll(Path file, long limit) {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw) {
            return limit == Long.MAX_VALUE ? in.readAllBytes() : in.readNBytes((int) limit);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": missing", e);
        } catch (EOFException e) {
            throw new DataException(file + ": truncated gzip stream (" + e.getMessage() + ")", e);
        } catch (ZipException e) {
            throw new DataException(file + ": not a valid gzip file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (OutOfMemoryError e) {
            throw new DataException(file + ": too large to read in this heap", e);
        }
    }

    /** The images of one split; pixels are read in {@link #prepare}, once, before the cache is built. */
    private static final class IdxSource implements ImageCache.Source {
        private final Path root, images, labelsFile;
        private final int rows, cols, count, perClass;
        private final int[] labels, pick;
        private byte[] pixels;

        IdxSource(Path root, Path images, Path labelsFile, int rows, int cols, int count, int[] labels, int[] pick, int perClass) {
            this.root = root;
            this.images = images;
            this.labelsFile = labelsFile;
            this.rows = rows;
            this.cols = cols;
            this.count = count;
            this.labels = labels;
            this.pick = pick;
            this.perClass = perClass;
        }

        @Override public int size() { return pick.length; }
        @Override public int label(int i) { return labels[pick[i]]; }
        @Override public String describe() { return pick.length + " of the " + count + " images in " + images; }

        @Override
        public void prepare(long maxPixels) {
            if ((long) rows * cols > maxPixels) {
                throw new DataException(images + ": images of " + cols + " x " + rows + " pixels, more than the limit of " + maxPixels + " (--max-image-pixels)");
            }
            byte[] all = readAll(images, Long.MAX_VALUE);
            long expected = 16L + (long) count * rows * cols;
            if (all.length < expected) {
                throw new DataException(images + ": truncated IDX file (" + all.length + " of " + expected + " bytes for " + count + " images of "
                        + rows + " x " + cols + ")");
            }
            if (all.length > expected) throw new DataException(images + ": " + (all.length - expected) + " bytes after the " + count + " images its header announces");
            pixels = all;
        }

        @Override
        public byte[] decode(int i, int size, long maxPixels) {
            if (pixels == null) throw new IllegalStateException("prepare() first");
            int n = rows * cols;
            byte[] rgb = new byte[3 * n];
            int off = 16 + pick[i] * n;
            for (int p = 0; p < n; p++) {
                byte v = pixels[off + p];
                rgb[3 * p] = v;
                rgb[3 * p + 1] = v;
                rgb[3 * p + 2] = v;
            }
            return rows == size && cols == size ? rgb : Images.resizeRgb(rgb, rows, cols, size, size);
        }

        @Override
        public void identify(MessageDigest md) throws IOException {
            md.update(("idx/" + perClass).getBytes(StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.allocate(16);
            for (Path f : List.of(images, labelsFile)) {
                md.update(root.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                b.clear();
                b.putLong(a.size()).putLong(a.lastModifiedTime().toMillis());
                md.update(b.array());
            }
        }
    }
}
