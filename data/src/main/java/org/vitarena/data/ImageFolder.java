package org.vitarena.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reader for torchvision's ImageFolder layout:
 * <pre>
 * train/CLASS/**.jpg|jpeg|png    one folder per class; class index = position in the sorted folder names
 * val/CLASS/**.jpg|jpeg|png      every CLASS must also be a folder of train/
 * </pre>
 * Evaluating a checkpoint needs only {@code val/}: the classes are then the checkpoint's, and
 * {@code train/} may be absent ({@link DatasetLayout#open(Path, TinyImageNet.Split, int, TinyImageNet.Options, LabelMap, String)}).
 * As torchvision's {@code ImageFolder}: class folders are walked recursively (following links), files
 * are ordered by folder path then name, and files of other extensions are ignored (case-insensitive
 * extensions). Class ids and names are the folder names. Folders whose names start with a dot are not
 * classes (unlike torchvision, which would take {@code .ipynb_checkpoints} as one).
 */
public final class ImageFolder {
    private ImageFolder() {}

    /** Whether {@code root} has {@code train/} or {@code val/} holding at least one (non-hidden) folder. */
    public static boolean looksLikeImageFolder(Path root) {
        for (String split : new String[]{"train", "val"}) {
            Path dir = root.resolve(split);
            if (Files.isDirectory(dir) && !classFolders(dir).isEmpty()) return true;
        }
        return false;
    }

    /** Classes: the folders of {@code train/}, sorted by name (as torchvision's {@code find_classes}). */
    public static LabelMap readLabelMap(Path root) {
        Path train = root.resolve("train");
        if (!Files.isDirectory(train)) throw new DataException(train + ": missing. An ImageFolder dataset has train/CLASS/*.jpg and val/CLASS/*.jpg.");
        List<String> names = classFolders(train);
        if (names.isEmpty()) throw new DataException(train + ": holds no class folders (expected train/CLASS/*.jpg, one folder per class)");
        return new LabelMap(names, names);
    }

    /** The images of one split with their labels: class by class, each in torchvision's order. */
    public static List<TinyImageNet.Entry> list(Path root, TinyImageNet.Split split, LabelMap map) {
        return list(root, split, map, null);
    }

    /**
     * As {@link #list(Path, TinyImageNet.Split, LabelMap)}, with {@code map} taken from {@code classesFrom}
     * (a checkpoint, say) instead of {@code train/}'s folders: a class folder outside it is refused naming it.
     */
    public static List<TinyImageNet.Entry> list(Path root, TinyImageNet.Split split, LabelMap map, String classesFrom) {
        if (split == TinyImageNet.Split.TEST) throw new DataException(root + ": an ImageFolder dataset has no unlabelled test split here (train/ and val/ only)");
        Path dir = root.resolve(split.dirName());
        if (!Files.isDirectory(dir)) throw new DataException(dir + ": missing. An ImageFolder dataset has train/CLASS/*.jpg and val/CLASS/*.jpg.");
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < map.size(); i++) index.put(map.ids().get(i), i);
        List<String> present = classFolders(dir);
        for (String c : present) {
            if (!index.containsKey(c)) {
                throw new DataException(dir.resolve(c) + ": class '" + c + "' " + (classesFrom != null
                        ? "is not one of the " + map.size() + " classes of " + classesFrom + "; remove it from " + split.dirName()
                          + "/ or evaluate a model trained on it"
                        : "has no folder in " + root.resolve("train") + " (the classes are train/'s folders); add it there or remove it from "
                          + split.dirName() + "/"));
            }
        }
        if (present.isEmpty()) throw new DataException(dir + ": holds no class folders (expected " + split.dirName() + "/CLASS/*.jpg)");
        List<TinyImageNet.Entry> out = new ArrayList<>();
        for (String c : present) {
            Path classDir = dir.resolve(c);
            List<Path> files = images(classDir);
            if (files.isEmpty()) {
                throw new DataException(classDir + ": empty class folder (no .jpg, .jpeg or .png files in it or below it); add images or remove the folder");
            }
            for (Path f : files) out.add(new TinyImageNet.Entry(f, index.get(c)));
        }
        return out;
    }

    private static List<String> classFolders(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new DataException(dir + ": cannot list (" + e.getMessage() + ")", e);
        }
    }

    /** Image files under {@code dir}, recursively, ordered by folder path then file name (Python's sorted(os.walk)). */
    static List<Path> images(Path dir) {
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(p -> Files.isRegularFile(p) && isImageName(p.getFileName().toString()))
                    .sorted(Comparator.comparing((Path p) -> p.getParent().toString()).thenComparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new DataException(dir + ": cannot list (" + e.getMessage() + ")", e);
        }
    }

    static boolean isImageName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
    }
}
