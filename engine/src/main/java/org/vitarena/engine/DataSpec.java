package org.vitarena.engine;

import org.vitarena.data.DatasetLayout;
import org.vitarena.data.Dataset;
import org.vitarena.data.Images;
import org.vitarena.data.LabelMap;
import org.vitarena.data.OnBadImage;
import org.vitarena.data.SyntheticDataset;
import org.vitarena.data.TinyImageNet;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Which dataset a run uses: the embedded synthetic set (no files at all) or a dataset folder in one of the
 * {@link DatasetLayout}s (Tiny ImageNet, ImageFolder, IDX), detected from what the folder holds. Stored in
 * checkpoints (a field missing from an older checkpoint reads as 0 or null: the whole split, the default
 * cache folder); evaluation needs only the validation split.
 *
 * @param root          dataset folder, or null for the synthetic set
 * @param classes       synthetic: number of classes
 * @param trainPerClass synthetic: training images per class; folder: the first N training images of each class (0: all)
 * @param valPerClass   synthetic: validation images per class; folder: the first N validation images of each class (0: all)
 * @param dataSeed      synthetic: generation seed
 * @param onBadImage    folder: "fail" or "skip"
 * @param maxImagePixels an image declaring more pixels is a bad image (0: {@link Images#DEFAULT_MAX_PIXELS})
 * @param cacheDir      folder: where the decoded-image caches go (null: {@link DatasetLayout#cacheDir}); changes nothing computed
 */
public record DataSpec(String root, int classes, int trainPerClass, int valPerClass, long dataSeed, String onBadImage, long maxImagePixels,
                       String cacheDir) {
    public DataSpec {
        if (maxImagePixels < 0) throw new InvalidConfigException("maxImagePixels", "must be >= 1 (0: the default), got " + maxImagePixels);
        if (trainPerClass < 0) throw new InvalidConfigException("trainPerClass", "must be >= 0 (0: all), got " + trainPerClass);
        if (valPerClass < 0) throw new InvalidConfigException("valPerClass", "must be >= 0 (0: all), got " + valPerClass);
    }

    public DataSpec(String root, int classes, int trainPerClass, int valPerClass, long dataSeed, String onBadImage, long maxImagePixels) {
        this(root, classes, trainPerClass, valPerClass, dataSeed, onBadImage, maxImagePixels, null);
    }

    public DataSpec(String root, int classes, int trainPerClass, int valPerClass, long dataSeed, String onBadImage) {
        this(root, classes, trainPerClass, valPerClass, dataSeed, onBadImage, 0);
    }

    /** This spec with another image-size limit. */
    public DataSpec withMaxImagePixels(long n) {
        return new DataSpec(root, classes, trainPerClass, valPerClass, dataSeed, onBadImage, n, cacheDir);
    }

    /** A folder's spec cut to the first {@code train} / {@code val} images of each class (0: all). */
    public DataSpec withSubset(int train, int val) {
        return new DataSpec(root, classes, train, val, dataSeed, onBadImage, maxImagePixels, cacheDir);
    }

    /** This spec with its caches in {@code dir} (null: the default place). */
    public DataSpec withCacheDir(Path dir) {
        return new DataSpec(root, classes, trainPerClass, valPerClass, dataSeed, onBadImage, maxImagePixels,
                dir == null ? null : dir.toAbsolutePath().toString());
    }

    public static DataSpec synthetic() {
        return new DataSpec(null, SyntheticDataset.DEFAULT_CLASSES, SyntheticDataset.DEFAULT_TRAIN_PER_CLASS,
                SyntheticDataset.DEFAULT_VAL_PER_CLASS, SyntheticDataset.DEFAULT_SEED, "fail");
    }

    /** A dataset folder (any {@link DatasetLayout}); an unreadable image fails the run. */
    public static DataSpec folder(Path root) {
        return folder(root, "fail");
    }

    /** A dataset folder; {@code onBadImage} "skip" leaves unreadable images out, counting them. */
    public static DataSpec folder(Path root, String onBadImage) {
        return new DataSpec(root.toAbsolutePath().toString(), 0, 0, 0, 0, onBadImage);
    }

    public boolean isSynthetic() {
        return root == null;
    }

    public String name() {
        return isSynthetic() ? "synthetic-" + classes : Path.of(root).getFileName().toString();
    }

    /** The number of classes, without reading any image (a folder's {@code wnids.txt}, class folders, or IDX's ten). */
    public int numClasses() {
        if (isSynthetic()) return classes;
        Path r = Path.of(root);
        return DatasetLayout.detect(r).labelMap(r).size();
    }

    /**
     * The side images are stored at once decoded (the cache's, or the synthetic set's): the evaluation
     * transform resizes from it to the model's input, so a single image must go through it to be seen as
     * {@code runner eval} sees it.
     */
    public int storedImageSize() {
        return isSynthetic() ? SyntheticDataset.SIZE : TinyImageNet.Options.defaults().imageSize();
    }

    /** The image-size limit in effect. */
    public long effectiveMaxImagePixels() {
        return maxImagePixels > 0 ? maxImagePixels : Images.DEFAULT_MAX_PIXELS;
    }

    /** The training and validation splits. */
    public record Splits(Dataset train, Dataset val) {}

    public Splits open(boolean needTrain, PrintStream progress) {
        return open(needTrain, progress, null, null);
    }

    /**
     * The splits, the validation split read with the classes of a trained model ({@code trained}, from
     * {@code trainedFrom}) where the layout takes them from its training folder: evaluating an ImageFolder
     * dataset then needs only its {@code val/}.
     */
    public Splits open(boolean needTrain, PrintStream progress, LabelMap trained, String trainedFrom) {
        if (isSynthetic()) {
            var s = SyntheticDataset.generate(classes, needTrain ? trainPerClass : 0, valPerClass, dataSeed);
            return new Splits(needTrain ? s.train() : null, s.val());
        }
        Path r = Path.of(root);
        DatasetLayout layout = DatasetLayout.detect(r);
        Path caches = cacheDir != null ? Path.of(cacheDir) : DatasetLayout.cacheDir(r).dir();
        String why = cacheDir != null ? null : DatasetLayout.cacheDir(r).why();
        if (why != null && progress != null) progress.println("image caches for " + r + " go to " + caches + " (" + why + ")");
        var opts = TinyImageNet.Options.defaults().withProgress(progress).withCacheDir(caches)
                .withOnBadImage("skip".equals(onBadImage) ? OnBadImage.SKIP : OnBadImage.FAIL)
                .withMaxPixels(effectiveMaxImagePixels());
        // val first: a missing val/ is reported before the long train build
        var val = layout.open(r, TinyImageNet.Split.VAL, valPerClass, opts, needTrain ? null : trained, trainedFrom);
        var train = needTrain ? layout.open(r, TinyImageNet.Split.TRAIN, trainPerClass, opts) : null;
        int skipped = (train == null ? 0 : train.skipped()) + val.skipped();
        if (skipped > 0 && progress != null) progress.println("--on-bad-image skip: " + skipped + " unreadable images left out");
        return new Splits(train, val);
    }
}
