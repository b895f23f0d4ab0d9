package org.vitarena.engine;

import org.vitarena.data.Dataset;
import org.vitarena.data.Images;
import org.vitarena.data.OnBadImage;
import org.vitarena.data.SyntheticDataset;
import org.vitarena.data.TinyImageNet;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Which dataset a run uses: the embedded synthetic set (no files at all) or a folder in Tiny
 * ImageNet's layout. Stored in checkpoints; evaluation needs only the validation split.
 *
 * @param root          Tiny ImageNet folder, or null for the synthetic set
 * @param classes       synthetic: number of classes
 * @param trainPerClass synthetic: training images per class
 * @param valPerClass   synthetic: validation images per class
 * @param dataSeed      synthetic: generation seed
 * @param onBadImage    Tiny ImageNet: "fail" or "skip"
 * @param maxImagePixels an image declaring more pixels is a bad image (0: {@link Images#DEFAULT_MAX_PIXELS})
 */
public record DataSpec(String root, int classes, int trainPerClass, int valPerClass, long dataSeed, String onBadImage, long maxImagePixels) {
    public DataSpec {
        if (maxImagePixels < 0) throw new InvalidConfigException("maxImagePixels", "must be >= 1 (0: the default), got " + maxImagePixels);
    }

    public DataSpec(String root, int classes, int trainPerClass, int valPerClass, long dataSeed, String onBadImage) {
        this(root, classes, trainPerClass, valPerClass, dataSeed, onBadImage, 0);
    }

    /** This spec with another image-size limit. */
    public DataSpec withMaxImagePixels(long n) {
        return new DataSpec(root, classes, trainPerClass, valPerClass, dataSeed, onBadImage, n);
    }

    public static DataSpec synthetic() {
        return new DataSpec(null, SyntheticDataset.DEFAULT_CLASSES, SyntheticDataset.DEFAULT_TRAIN_PER_CLASS,
                SyntheticDataset.DEFAULT_VAL_PER_CLASS, SyntheticDataset.DEFAULT_SEED, "fail");
    }

    /** A Tiny ImageNet folder; an unreadable image fails the run. */
    public static DataSpec folder(Path root) {
        return folder(root, "fail");
    }

    /** A Tiny ImageNet folder; {@code onBadImage} "skip" leaves unreadable images out, counting them. */
    public static DataSpec folder(Path root, String onBadImage) {
        return new DataSpec(root.toAbsolutePath().toString(), 0, 0, 0, 0, onBadImage);
    }

    public boolean isSynthetic() {
        return root == null;
    }

    public String name() {
        return isSynthetic() ? "synthetic-" + classes : Path.of(root).getFileName().toString();
    }

    /** The number of classes, without reading any image (a folder's {@code wnids.txt}). */
    public int numClasses() {
        return isSynthetic() ? classes : TinyImageNet.readLabelMap(Path.of(root)).size();
    }

    /** The training and validation splits. */
    public record Splits(Dataset train, Dataset val) {}

    public Splits open(boolean needTrain, PrintStream progress) {
        if (isSynthetic()) {
            var s = SyntheticDataset.generate(classes, needTrain ? trainPerClass : 0, valPerClass, dataSeed);
            return new Splits(needTrain ? s.train() : null, s.val());
        }
        var opts = TinyImageNet.Options.defaults().withProgress(progress)
                .withOnBadImage("skip".equals(onBadImage) ? OnBadImage.SKIP : OnBadImage.FAIL)
                .withMaxPixels(maxImagePixels > 0 ? maxImagePixels : Images.DEFAULT_MAX_PIXELS);
        Path r = Path.of(root);
        var val = TinyImageNet.open(r, TinyImageNet.Split.VAL, opts); // first: a missing val/ is reported before the long train build
        var train = needTrain ? TinyImageNet.open(r, TinyImageNet.Split.TRAIN, opts) : null;
        int skipped = (train == null ? 0 : train.skipped()) + val.skipped();
        if (skipped > 0 && progress != null) progress.println("--on-bad-image skip: " + skipped + " unreadable images left out");
        return new Splits(train, val);
    }
}
