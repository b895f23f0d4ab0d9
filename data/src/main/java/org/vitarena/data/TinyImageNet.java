package org.vitarena.data;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reader for the official Tiny ImageNet layout ({@code tiny-imagenet-200/}):
 * <pre>
 * wnids.txt                      one wnid per line; class index = position in sorted wnid order
 * words.txt                      wnid TAB human-readable name (may list many more wnids)
 * train/WNID/images/*.JPEG       (train/WNID/WNID_boxes.txt is ignored)
 * val/images/*.JPEG + val/val_annotations.txt   file TAB wnid TAB x0 y0 x1 y1
 * test/images/*.JPEG             unlabelled (label -1)
 * </pre>
 * {@link #open} returns a memory-mapped {@link ImageCache} of the split, built on first use and
 * rebuilt when the listing of source files (names, sizes, modification times) changes.
 */
public final class TinyImageNet {
    private TinyImageNet() {}

    public enum Split {
        TRAIN, VAL, TEST;

        public String dirName() {
            return name().toLowerCase();
        }
    }

    /** One source image and its class index (-1 for the test split). */
    public record Entry(Path file, int label) {}

    /**
     * How to open a split.
     *
     * @param cacheDir where cache files go; null puts them in {@code <root>/.vitarena-cache}
     * @param onBadImage fail on an undecodable image, or skip and count it
     * @param imageSize side the images are stored at (64 for Tiny ImageNet; others are resized)
     * @param threads decoding threads when building the cache
     * @param progress where build progress goes; null for silence
     * @param maxPixels an image with more pixels (width × height, read from its header) is refused before
     *                  decoding, as a bad image ({@link Images#DEFAULT_MAX_PIXELS} by default)
     */
    public record Options(Path cacheDir, OnBadImage onBadImage, int imageSize, int threads, PrintStream progress, long maxPixels) {
        public Options {
            if (maxPixels < 1) throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
        }

        public static Options defaults() {
            return new Options(null, OnBadImage.FAIL, 64, Runtime.getRuntime().availableProcessors(), System.err, Images.DEFAULT_MAX_PIXELS);
        }

        public Options withCacheDir(Path dir) { return new Options(dir, onBadImage, imageSize, threads, progress, maxPixels); }
        public Options withOnBadImage(OnBadImage p) { return new Options(cacheDir, p, imageSize, threads, progress, maxPixels); }
        public Options withThreads(int n) { return new Options(cacheDir, onBadImage, imageSize, n, progress, maxPixels); }
        public Options withProgress(PrintStream p) { return new Options(cacheDir, onBadImage, imageSize, threads, p, maxPixels); }
        public Options withMaxPixels(long n) { return new Options(cacheDir, onBadImage, imageSize, threads, progress, n); }
        public Options withImageSize(int s) { return new Options(cacheDir, onBadImage, s, threads, progress, maxPixels); }
    }

    /** Opens (building or rebuilding its cache when needed) one split of the dataset at {@code root}. */
    public static ImageCache open(Path root, Split split, Options options) {
        LabelMap map = readLabelMap(root);
        List<Entry> entries = list(root, split, map);
        Path dir = options.cacheDir() != null ? options.cacheDir() : root.resolve(".vitarena-cache");
        Path file = dir.resolve(split.dirName() + "-" + options.imageSize() + ".vitcache");
        return ImageCache.openOrBuild(file, root, entries, map, options);
    }

    /** Class ids from {@code wnids.txt} in sorted order, with names from {@code words.txt}. */
    public static LabelMap readLabelMap(Path root) {
        if (!Files.isDirectory(root)) {
            throw new DataException(root + ": no such folder. Point --data at the unzipped tiny-imagenet-200 folder (it holds wnids.txt, words.txt, train/, val/).");
        }
        Path wnidsFile = root.resolve("wnids.txt");
        List<String> wnids = new ArrayList<>();
        int lineNo = 0;
        for (String line : readLines(wnidsFile, "the list of class wnids, one per line")) {
            lineNo++;
            String w = line.strip();
            if (w.isEmpty()) continue;
            if (w.contains("\t") || w.contains(" ")) throw new DataException(wnidsFile + " line " + lineNo + ": expected one wnid, got '" + line + "'");
            if (wnids.contains(w)) throw new DataException(wnidsFile + " line " + lineNo + ": wnid " + w + " listed twice");
            wnids.add(w);
        }
        if (wnids.isEmpty()) throw new DataException(wnidsFile + ": lists no classes");
        wnids.sort(null);
        Path wordsFile = root.resolve("words.txt");
        Map<String, String> words = new HashMap<>();
        lineNo = 0;
        for (String line : readLines(wordsFile, "wnid<TAB>name lines")) {
            lineNo++;
            if (line.isBlank()) continue;
            int tab = line.indexOf('\t');
            if (tab < 0) throw new DataException(wordsFile + " line " + lineNo + ": expected 'wnid<TAB>name', got '" + line + "'");
            words.put(line.substring(0, tab).strip(), line.substring(tab + 1).strip());
        }
        List<String> names = new ArrayList<>();
        for (String w : wnids) names.add(words.getOrDefault(w, w));
        return new LabelMap(wnids, names);
    }

    /** The files of one split with their labels, in a deterministic order. */
    public static List<Entry> list(Path root, Split split, LabelMap map) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < map.size(); i++) index.put(map.ids().get(i), i);
        return switch (split) {
            case TRAIN -> listTrain(root.resolve("train"), map, index);
            case VAL -> listVal(root.resolve("val"), index);
            case TEST -> listImages(root.resolve("test/images"), "the unlabelled test images").stream().map(p -> new Entry(p, -1)).toList();
        };
    }

    private static List<Entry> listTrain(Path train, LabelMap map, Map<String, Integer> index) {
        if (!Files.isDirectory(train)) throw new DataException(train + ": missing. Expected train/<wnid>/images/*.JPEG for each wnid in wnids.txt.");
        try (Stream<Path> dirs = Files.list(train)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                String name = d.getFileName().toString();
                if (!index.containsKey(name)) throw new DataException(d + ": unknown wnid '" + name + "' (not in wnids.txt). Remove the folder or add the wnid to wnids.txt.");
            }
        } catch (IOException e) {
            throw new DataException(train + ": cannot list (" + e.getMessage() + ")", e);
        }
        List<Entry> out = new ArrayList<>();
        for (int c = 0; c < map.size(); c++) {
            Path images = train.resolve(map.ids().get(c)).resolve("images");
            List<Path> files = listImages(images, "the training images of class " + map.ids().get(c));
            if (files.isEmpty()) throw new DataException(images + ": empty class folder (no .JPEG files) for wnid " + map.ids().get(c) + ".");
            for (Path f : files) out.add(new Entry(f, c));
        }
        return out;
    }

    private static List<Entry> listVal(Path val, Map<String, Integer> index) {
        Path ann = val.resolve("val_annotations.txt");
        List<Entry> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : readLines(ann, "lines 'file<TAB>wnid<TAB>x0<TAB>y0<TAB>x1<TAB>y1'")) {
            lineNo++;
            if (line.isBlank()) continue;
            String[] f = line.split("\t");
            if (f.length < 2 || f[0].isBlank() || f[1].isBlank()) {
                throw new DataException(ann + " line " + lineNo + ": malformed, expected 'file<TAB>wnid<TAB>x0<TAB>y0<TAB>x1<TAB>y1', got '" + line + "'");
            }
            Integer label = index.get(f[1].strip());
            if (label == null) throw new DataException(ann + " line " + lineNo + ": unknown wnid '" + f[1].strip() + "' (not in wnids.txt)");
            Path img = val.resolve("images").resolve(f[0].strip());
            if (!Files.isRegularFile(img)) throw new DataException(ann + " line " + lineNo + ": names " + img + ", which does not exist");
            out.add(new Entry(img, label));
        }
        if (out.isEmpty()) throw new DataException(ann + ": lists no images");
        return out;
    }

    private static List<Path> listImages(Path dir, String what) {
        if (!Files.isDirectory(dir)) throw new DataException(dir + ": missing folder (" + what + ")");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString().toLowerCase();
                return Files.isRegularFile(p) && (n.endsWith(".jpeg") || n.endsWith(".jpg") || n.endsWith(".png"));
            }).sorted().toList();
        } catch (IOException e) {
            throw new DataException(dir + ": cannot list (" + e.getMessage() + ")", e);
        }
    }

    private static List<String> readLines(Path file, String what) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": missing (" + what + "). Is --data pointing at the tiny-imagenet-200 folder?");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }
}
