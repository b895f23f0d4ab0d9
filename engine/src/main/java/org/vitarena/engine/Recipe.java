package org.vitarena.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Everything that decides what a run computes, as flat text entries ({@code lr → 0.001},
 * {@code data.train_checksum → 5f1c…}): the model (variant, family, its description and the version
 * of the module that built it), the data (kind, path, subset sizes, the checksum of the decoded images
 * of each split), the optimiser, schedule, augmentation, seed, image size, frozen backbone, drop-path,
 * and the SHA-256 of the pretrained and teacher files. Settings that change nothing computed (loader
 * threads, checkpoint cadence, evaluation cadence, the command line) are not part of it.
 *
 * <p>Every run folder records its recipe ({@code run.json}); a run is resumed or reused only under an
 * equal recipe, and {@link #differences} says what changed.
 */
public record Recipe(Map<String, String> entries) {
    public Recipe {
        entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** The recipe of {@code cfg} for a model of {@code entry}, without the data checksums (see {@link #withData}). */
    public static Recipe of(TrainConfig cfg, ModelRegistry.Entry entry) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", cfg.model());
        if (entry != null) {
            m.put("model.family", entry.family());
            String d = entry.provider().describe(cfg.model());
            if (d != null && !d.isBlank()) m.put("model.config", d);
            m.put("model.module", entry.source().equals("classpath") ? entry.provider().getClass().getName() : entry.source());
            String v = entry.provider().getClass().getPackage().getImplementationVersion();
            m.put("model.version", v == null ? "unversioned" : v);
        }
        DataSpec d = cfg.data();
        m.put("data", d.isSynthetic() ? "synthetic" : d.root());
        if (d.isSynthetic()) {
            m.put("data.classes", String.valueOf(d.classes()));
            m.put("data.train_per_class", String.valueOf(d.trainPerClass()));
            m.put("data.val_per_class", String.valueOf(d.valPerClass()));
            m.put("data.seed", String.valueOf(d.dataSeed()));
        } else {
            m.put("data.on_bad_image", d.onBadImage());
            // subsets only when set: the recipes of whole-folder runs stay as they were
            if (d.trainPerClass() > 0) m.put("data.train_per_class", String.valueOf(d.trainPerClass()));
            if (d.valPerClass() > 0) m.put("data.val_per_class", String.valueOf(d.valPerClass()));
        }
        m.put("epochs", String.valueOf(cfg.epochs()));
        m.put("batch", String.valueOf(cfg.batch()));
        m.put("accum", String.valueOf(cfg.accum()));
        m.put("img_size", cfg.imgSize() == 0 ? "variant" : String.valueOf(cfg.imgSize()));
        m.put("optimizer", cfg.optimizer());
        m.put("lr", String.valueOf(cfg.lr()));
        m.put("min_lr", String.valueOf(cfg.minLr()));
        m.put("weight_decay", String.valueOf(cfg.weightDecay()));
        if (cfg.optimizer().equals("sgd")) m.put("momentum", String.valueOf(cfg.momentum()));
        m.put("schedule", "cosine per update, warmup " + cfg.warmupEpochs() + " epochs");
        m.put("clip_grad", String.valueOf(cfg.clipGrad()));
        m.put("no_decay_norm_bias", String.valueOf(cfg.noDecayNormBias()));
        m.put("freeze_backbone", String.valueOf(cfg.freezeBackbone()));
        m.put("drop_path", String.valueOf(cfg.dropPath()));
        TrainConfig.Augment a = cfg.augment();
        m.put("augment", a.name());
        m.put("augment.random_resized_crop", String.valueOf(a.randomResizedCrop()));
        m.put("augment.hflip", String.valueOf(a.hflip()));
        m.put("augment.rand_augment", a.randAugmentOps() + "," + a.randAugmentMagnitude());
        m.put("augment.mixup", String.valueOf(a.mixup()));
        m.put("augment.cutmix", String.valueOf(a.cutmix()));
        m.put("augment.label_smoothing", String.valueOf(a.labelSmoothing()));
        m.put("augment.random_erasing", String.valueOf(a.randomErasing()));
        m.put("seed", String.valueOf(cfg.seed()));
        m.put("pretrained", cfg.pretrained() == null ? "none" : fileIdentity(Path.of(cfg.pretrained())));
        m.put("teacher", cfg.teacher() == null ? "none" : fileIdentity(Path.of(cfg.teacher())));
        return new Recipe(m);
    }

    /** This recipe with the data's identity: class count, split sizes and, for image folders, the checksum of each split's cache. */
    public Recipe withData(org.vitarena.data.Dataset train, org.vitarena.data.Dataset val) {
        Map<String, String> m = new LinkedHashMap<>(entries);
        m.put("data.num_classes", String.valueOf(val.numClasses()));
        if (train != null) m.put("data.train_images", String.valueOf(train.size()));
        m.put("data.val_images", String.valueOf(val.size()));
        if (train instanceof org.vitarena.data.ImageCache c) m.put("data.train_checksum", Long.toHexString(c.sourceChecksum()));
        if (val instanceof org.vitarena.data.ImageCache c) m.put("data.val_checksum", Long.toHexString(c.sourceChecksum()));
        return new Recipe(m);
    }

    /**
     * What differs from {@code stored}, one line a key: {@code lr: 0.001 -> 0.01}; a key only one side
     * has counts when {@code strict}, and is ignored otherwise (a recipe made before the data was opened).
     */
    public List<String> differences(Recipe stored, boolean strict) {
        List<String> out = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(stored.entries.keySet());
        keys.addAll(entries.keySet());
        for (String k : keys) {
            String was = stored.entries.get(k), now = entries.get(k);
            if (was != null && now != null ? !was.equals(now) : strict) {
                out.add(k + ": " + (was == null ? "(not recorded)" : was) + " -> " + (now == null ? "(not set)" : now));
            }
        }
        return out;
    }

    /** Path, size and the first 16 hex digits of the SHA-256 of a file. */
    static String fileIdentity(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return file.toAbsolutePath() + " (missing)";
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int r; (r = in.read(buf)) > 0; ) sha.update(buf, 0, r);
            return file.toAbsolutePath() + " sha256:" + HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
