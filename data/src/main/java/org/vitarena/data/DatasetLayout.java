package org.vitarena.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The on-disk layouts a dataset folder can have, told apart by what the folder holds, checked in this order:
 * <ul>
 * <li>{@link #TINY_IMAGENET}: {@code wnids.txt}, {@code words.txt}, {@code train/WNID/images/}, {@code val/val_annotations.txt}
 *     ({@link TinyImageNet});</li>
 * <li>{@link #IDX}: {@code train-images-idx3-ubyte[.gz]} and its label and {@code t10k-*} companions: MNIST,
 *     Fashion-MNIST ({@link Idx});</li>
 * <li>{@link #IMAGE_FOLDER}: {@code train/CLASS/*}, {@code val/CLASS/*}, torchvision's ImageFolder ({@link ImageFolder}).</li>
 * </ul>
 * Every layout is decoded once into the same {@link ImageCache} (checksum, bad-image policy, pixel limit).
 * A split can be cut to its first N images per class (sorted file order; file order for IDX).
 */
public enum DatasetLayout {
    TINY_IMAGENET("Tiny ImageNet"),
    IDX("IDX (MNIST)"),
    IMAGE_FOLDER("ImageFolder");

    private final String title;

    DatasetLayout(String title) {
        this.title = title;
    }

    /** The layout's name in messages ("Tiny ImageNet", "ImageFolder", "IDX (MNIST)"). */
    public String title() {
        return title;
    }

    /** The layout of the folder at {@code root}; a {@link DataException} listing the known layouts when it has none of them. */
    public static DatasetLayout detect(Path root) {
        if (!Files.isDirectory(root)) {
            throw new DataException(root + ": no such folder. Point --data at a dataset folder: " + KNOWN);
        }
        if (Files.exists(root.resolve("wnids.txt"))) return TINY_IMAGENET;
        if (Idx.looksLikeIdx(root)) return IDX;
        if (ImageFolder.looksLikeImageFolder(root)) return IMAGE_FOLDER;
        throw new DataException(root + ": not a dataset folder of a known layout. Expected " + KNOWN);
    }

    static final String KNOWN = "Tiny ImageNet (wnids.txt, words.txt, train/, val/val_annotations.txt), "
            + "ImageFolder (train/CLASS/*.jpg, val/CLASS/*.jpg) or IDX as MNIST "
            + "(train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]).";

    /** The classes, without decoding any image. */
    public LabelMap labelMap(Path root) {
        return switch (this) {
            case TINY_IMAGENET -> TinyImageNet.readLabelMap(root);
            case IDX -> Idx.labelMap(root);
            case IMAGE_FOLDER -> ImageFolder.readLabelMap(root);
        };
    }

    /**
     * Opens one split (building or rebuilding its cache when needed), cut to the first {@code perClass}
     * images of each class when {@code perClass > 0}. The cache goes to {@code options.cacheDir()}, else
     * to {@link #cacheDir}'s choice.
     */
    public ImageCache open(Path root, TinyImageNet.Split split, int perClass, TinyImageNet.Options options) {
        return open(root, split, perClass, options, null, null);
    }

    /**
     * As {@link #open(Path, TinyImageNet.Split, int, TinyImageNet.Options)} for evaluating a model trained on
     * {@code classes} (named {@code classesFrom} in messages): an ImageFolder then takes its classes from them,
     * so that {@code val/} alone suffices (no {@code train/} beside it). Tiny ImageNet and IDX keep their own
     * class lists (wnids.txt, the ten digits), which need no training images either.
     */
    public ImageCache open(Path root, TinyImageNet.Split split, int perClass, TinyImageNet.Options options, LabelMap classes,
                           String classesFrom) {
        if (perClass < 0) throw new IllegalArgumentException("perClass must be >= 0, got " + perClass);
        boolean given = classes != null && this == IMAGE_FOLDER;
        LabelMap map = given ? classes : labelMap(root);
        ImageCache.Source source = switch (this) {
            case TINY_IMAGENET -> ImageCache.files(root, firstPerClass(sortedIfCut(TinyImageNet.list(root, split, map), perClass), perClass));
            case IDX -> Idx.source(root, split, perClass);
            case IMAGE_FOLDER -> ImageCache.files(root, firstPerClass(ImageFolder.list(root, split, map, given ? classesFrom : null), perClass));
        };
        Path dir = options.cacheDir() != null ? options.cacheDir() : cacheDir(root).dir();
        String name = split.dirName() + "-" + options.imageSize() + (perClass > 0 ? "-" + perClass + "pc" : "") + ".vitcache";
        return ImageCache.openOrBuild(dir.resolve(name), root, source, map, options);
    }

    /** The first {@code perClass} entries of each class in the listing's order; all of them when {@code perClass <= 0}. */
    public static List<TinyImageNet.Entry> firstPerClass(List<TinyImageNet.Entry> entries, int perClass) {
        if (perClass <= 0) return entries;
        Map<Integer, Integer> taken = new HashMap<>();
        List<TinyImageNet.Entry> out = new ArrayList<>();
        for (TinyImageNet.Entry e : entries) {
            if (taken.merge(e.label(), 1, Integer::sum) <= perClass) out.add(e);
        }
        return out;
    }

    /** Tiny ImageNet's validation images are listed in annotation order: a subset chooses in sorted file order. */
    private static List<TinyImageNet.Entry> sortedIfCut(List<TinyImageNet.Entry> entries, int perClass) {
        if (perClass <= 0) return entries;
        return entries.stream().sorted(Comparator.comparing(e -> e.file().toString())).toList();
    }

    /**
     * Where a folder's caches go by default, and why when not in the folder.
     *
     * @param why null when the caches live in the folder; else the reason they do not, for a message
     */
    public record CacheDir(Path dir, String why) {}

    /**
     * {@code ROOT/.vitarena-cache} when the folder is writable and not system package data (under {@code /usr});
     * else {@code $XDG_CACHE_HOME/vitarena/NAME-HASH} ({@code ~/.cache} without XDG_CACHE_HOME), HASH from the folder's absolute path.
     */
    public static CacheDir cacheDir(Path root) {
        Path abs = root.toAbsolutePath().normalize();
        boolean system = abs.startsWith("/usr");
        if (!system && Files.isWritable(abs)) return new CacheDir(abs.resolve(".vitarena-cache"), null);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        String name = abs.getFileName() == null ? "root" : abs.getFileName().toString();
        Path dir = base.resolve("vitarena").resolve(name + "-" + hash(abs.toString()));
        return new CacheDir(dir, system ? "it is system package data" : "it is not writable");
    }

    private static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
