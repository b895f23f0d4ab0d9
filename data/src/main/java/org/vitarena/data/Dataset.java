package org.vitarena.data;

import java.util.List;

/**
 * A labelled image dataset whose images all have the same square size.
 *
 * <p>Legend: H = W = {@link #imageSize()}, C = 3 (RGB). {@link #loadRgb} gives uint8 HWC bytes
 * (unsigned, read with {@code & 0xFF}); {@link #loadChw} gives float CHW values in 0..255.
 * Implementations are safe to read from several threads at once.
 */
public interface Dataset {
    /** Number of images. */
    int size();

    /** Class index of image {@code i} in 0..numClasses-1, or -1 when unlabelled (Tiny ImageNet's test split). */
    int label(int i);

    int numClasses();

    /** Class identifiers (wnids for Tiny ImageNet), in class-index order. */
    List<String> classIds();

    /** Human-readable class names, in class-index order. */
    List<String> classNames();

    /** Side of every (square) image, in pixels. */
    int imageSize();

    /** Image {@code i} as uint8 RGB, HWC, length {@code imageSize()^2 * 3}. */
    byte[] loadRgb(int i);

    /** Image {@code i} as float CHW with values 0..255. */
    default float[] loadChw(int i) {
        return Images.hwcToChw(loadRgb(i), imageSize(), imageSize());
    }

    /** The label map (ids and names) that a checkpoint stores so that evaluation never needs the training folder. */
    default LabelMap labelMap() {
        return new LabelMap(classIds(), classNames());
    }
}
