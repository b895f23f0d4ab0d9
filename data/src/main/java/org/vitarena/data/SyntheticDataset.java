package org.vitarena.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.SoftReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The embedded default dataset: K classes of 64×64 RGB images generated procedurally and
 * deterministically from a seed, with no files and no download.
 *
 * <p>A class is a (shape, texture) pair: 8 shapes × 5 textures give 40 distinct pairs, and beyond 40
 * classes a hue band is added (family {@code c / 40}). Everything else is random per image: position,
 * scale, rotation, aspect, foreground and background colours, background gradient, an occluding patch,
 * a distractor shape of another kind, texture frequency and phase, and Gaussian pixel noise. So the class
 * is learnable but not readable from any single pixel statistic.
 *
 * <p>Split sizes follow Tiny ImageNet's proportions (500 train / 50 val per class by default). Train
 * images are ordered class by class; validation images cycle through the classes.
 */
public final class SyntheticDataset implements Dataset {
    public static final int SIZE = 64;
    public static final int DEFAULT_CLASSES = 10;
    public static final int DEFAULT_TRAIN_PER_CLASS = 500;
    public static final int DEFAULT_VAL_PER_CLASS = 50;
    public static final long DEFAULT_SEED = 0;

    static final String[] SHAPES = {"disc", "square", "triangle", "ring", "cross", "star", "crescent", "diamond"};
    static final String[] TEXTURES = {"plain", "striped", "checkered", "dotted", "radial"};

    /** The two splits of one generated dataset. */
    public record Splits(SyntheticDataset train, SyntheticDataset val) {}

    private final LabelMap labels;
    private final int[] targets;
    private final byte[] pixels; // [N, 64, 64, 3]

    private SyntheticDataset(LabelMap labels, int[] targets, byte[] pixels) {
        this.labels = labels;
        this.targets = targets;
        this.pixels = pixels;
    }

    /** The default set: 10 classes, 500/50 per class, seed 0. */
    public static Splits defaults() {
        return generate(DEFAULT_CLASSES, DEFAULT_TRAIN_PER_CLASS, DEFAULT_VAL_PER_CLASS, DEFAULT_SEED);
    }

    /** Generates both splits in memory, in parallel; the result does not depend on the thread count. */
    public static Splits generate(int classes, int trainPerClass, int valPerClass, long seed) {
        if (classes < 2) throw new IllegalArgumentException("need at least 2 classes, got " + classes);
        if (trainPerClass < 0 || valPerClass < 0) throw new IllegalArgumentException("images per class must be >= 0");
        LabelMap map = labelMap(classes);
        return new Splits(split(map, Split.TRAIN, trainPerClass, seed), split(map, Split.VAL, valPerClass, seed));
    }

    /**
     * Splits generated before, by (classes, split, images per class, seed), kept while memory allows:
     * {@code runner --all} trains every model on the same set, and generating it again took 0.4-0.6 s
     * a model. A dataset is never changed after it is built, so sharing one is safe.
     */
    private static final Map<List<Long>, SoftReference<SyntheticDataset>> GENERATED = new HashMap<>();

    private static SyntheticDataset split(LabelMap map, Split split, int perClass, long seed) {
        List<Long> key = List.of((long) map.size(), (long) split.ordinal(), (long) perClass, seed);
        synchronized (GENERATED) {
            SoftReference<SyntheticDataset> ref = GENERATED.get(key);
            SyntheticDataset kept = ref == null ? null : ref.get();
            if (kept != null) return kept;
            SyntheticDataset made = build(map, split, perClass, seed);
            GENERATED.put(key, new SoftReference<>(made));
            return made;
        }
    }

    /** One split rendered anew (what {@link #generate} keeps). */
    static SyntheticDataset build(LabelMap map, Split split, int perClass, long seed) {
        int k = map.size();
        int n = k * perClass;
        int[] targets = new int[n];
        byte[] pixels = new byte[n * SIZE * SIZE * 3];
        IntStream.range(0, n).parallel().forEach(i -> {
            int cls = classOf(split, i, k, perClass);
            targets[i] = cls;
            byte[] img = render(cls, k, imageSeed(seed, split, i));
            System.arraycopy(img, 0, pixels, i * img.length, img.length);
        });
        return new SyntheticDataset(map, targets, pixels);
    }

    enum Split { TRAIN, VAL, TEST }

    private static int classOf(Split split, int i, int k, int perClass) {
        return split == Split.TRAIN ? i / perClass : i % k;
    }

    static long imageSeed(long seed, Split split, int i) {
        return Seeds.mix(seed, 0x5EED_DA7AL + split.ordinal(), i);
    }

    /** wnid-like identifier of class {@code c}: sorting them gives class order. */
    static String classId(int c) {
        return String.format("s%08d", c);
    }

    static LabelMap labelMap(int classes) {
        List<String> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int families = (classes + 39) / 40;
        for (int c = 0; c < classes; c++) {
            ids.add(classId(c));
            String name = TEXTURES[texture(c)] + " " + SHAPES[c % 8];
            if (families > 1) name += ", hue band " + (c / 40);
            names.add(name);
        }
        return new LabelMap(ids, names);
    }

    private static int texture(int c) {
        return (c % 8 + (c / 8) % 5) % 5;
    }

    // ------------------------------------------------------------------ rendering

    /** Renders one 64×64 image of class {@code cls} (of {@code classes}) as uint8 RGB HWC. */
    static byte[] render(int cls, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int families = (classes + 39) / 40;
        float[] img = new float[SIZE * SIZE * 3];

        // background: a linear gradient between two random muted colours
        float[] bg0 = randomColour(r, r.nextDouble(), 0.2, 0.6);
        float[] bg1 = randomColour(r, r.nextDouble(), 0.2, 0.6);
        double ga = r.nextDouble(Math.PI * 2);
        double gx = Math.cos(ga), gy = Math.sin(ga);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double t = 0.5 + ((x - 32) * gx + (y - 32) * gy) / 90.0;
                for (int ch = 0; ch < 3; ch++) img[(y * SIZE + x) * 3 + ch] = (float) (bg0[ch] * (1 - t) + bg1[ch] * t);
            }
        }

        // a distractor: a small shape of another kind, plain, behind the object
        if (r.nextDouble() < 0.5) {
            int other = (cls % 8 + 1 + r.nextInt(7)) % 8;
            Shape d = Shape.random(r, 5, 10);
            float[] col = randomColour(r, r.nextDouble(), 0.3, 0.9);
            draw(img, d, other, 0, col, col, 1, 0, r);
        }

        // the object
        double hueLo = families > 1 ? (double) (cls / 40) / families : 0;
        double hueSpan = families > 1 ? 1.0 / families : 1;
        float[] fg = randomColour(r, hueLo + r.nextDouble() * hueSpan, 0.55, 1.0);
        float[] fg2 = new float[3];
        double shade = 0.25 + 0.25 * r.nextDouble();
        for (int ch = 0; ch < 3; ch++) fg2[ch] = (float) (fg[ch] * shade);
        Shape s = Shape.random(r, 11, 24);
        double freq = 2.5 + 2.0 * r.nextDouble();
        double phase = r.nextDouble(Math.PI * 2);
        draw(img, s, cls % 8, texture(cls), fg, fg2, freq, phase, r);

        // an occluding patch over part of the image
        if (r.nextDouble() < 0.6) {
            int w = 8 + r.nextInt(16), h = 8 + r.nextInt(16);
            int x0 = r.nextInt(SIZE - w), y0 = r.nextInt(SIZE - h);
            float[] col = randomColour(r, r.nextDouble(), 0.0, 0.7);
            for (int y = y0; y < y0 + h; y++) {
                for (int x = x0; x < x0 + w; x++) {
                    for (int ch = 0; ch < 3; ch++) img[(y * SIZE + x) * 3 + ch] = col[ch];
                }
            }
        }

        // pixel noise
        double sigma = 4 + 10 * r.nextDouble();
        byte[] out = new byte[img.length];
        for (int i = 0; i < img.length; i++) {
            double v = img[i] + sigma * r.nextGaussian();
            out[i] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
        }
        return out;
    }

    /** Centre, radius, rotation and aspect of a drawn shape. */
    private record Shape(double cx, double cy, double radius, double angle, double aspect) {
        static Shape random(SplittableRandom r, double minRadius, double maxRadius) {
            double radius = minRadius + r.nextDouble() * (maxRadius - minRadius);
            double margin = radius * 0.6;
            return new Shape(margin + r.nextDouble() * (SIZE - 2 * margin), margin + r.nextDouble() * (SIZE - 2 * margin),
                    radius, r.nextDouble(Math.PI * 2), Math.exp((r.nextDouble() - 0.5) * 0.5));
        }
    }

    private static void draw(float[] img, Shape s, int shape, int texture, float[] c1, float[] c2, double freq, double phase, SplittableRandom r) {
        double cos = Math.cos(s.angle), sin = Math.sin(s.angle);
        double rx = s.radius * s.aspect, ry = s.radius / s.aspect;
        int x0 = Math.max(0, (int) (s.cx - s.radius * 1.5)), x1 = Math.min(SIZE - 1, (int) (s.cx + s.radius * 1.5) + 1);
        int y0 = Math.max(0, (int) (s.cy - s.radius * 1.5)), y1 = Math.min(SIZE - 1, (int) (s.cy + s.radius * 1.5) + 1);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double dx = x + 0.5 - s.cx, dy = y + 0.5 - s.cy;
                double u = (dx * cos + dy * sin) / rx;
                double v = (-dx * sin + dy * cos) / ry;
                if (!inside(shape, u, v)) continue;
                float[] col = textured(texture, u, v, freq, phase) ? c1 : c2;
                for (int ch = 0; ch < 3; ch++) img[(y * SIZE + x) * 3 + ch] = col[ch];
            }
        }
    }

    /** Shape membership in local coordinates, unit radius. */
    static boolean inside(int shape, double u, double v) {
        double r2 = u * u + v * v;
        return switch (shape) {
            case 0 -> r2 < 1;
            case 1 -> Math.abs(u) < 0.8 && Math.abs(v) < 0.8;
            case 2 -> v > -0.8 && v < 0.8 && Math.abs(u) < (v + 0.8) * 0.62;
            case 3 -> r2 < 1 && r2 > 0.36;
            case 4 -> (Math.abs(u) < 0.28 && Math.abs(v) < 0.95) || (Math.abs(v) < 0.28 && Math.abs(u) < 0.95);
            case 5 -> {
                double rr = Math.sqrt(r2);
                yield rr < 0.55 + 0.45 * Math.cos(5 * Math.atan2(v, u));
            }
            case 6 -> r2 < 1 && (u - 0.5) * (u - 0.5) + v * v > 0.55;
            case 7 -> Math.abs(u) + Math.abs(v) < 1;
            default -> throw new IllegalArgumentException("shape " + shape);
        };
    }

    /** True where the texture shows the first colour. */
    static boolean textured(int texture, double u, double v, double freq, double phase) {
        return switch (texture) {
            case 0 -> true;
            case 1 -> Math.sin(u * freq * Math.PI + phase) > 0;
            case 2 -> (Math.sin(u * freq * 1.2 + phase) > 0) == (Math.sin(v * freq * 1.2 + phase) > 0);
            case 3 -> {
                double su = Math.sin(u * freq * 2 + phase), sv = Math.sin(v * freq * 2 + phase);
                yield su * su * sv * sv < 0.35;
            }
            case 4 -> Math.sin(Math.sqrt(u * u + v * v) * freq * 2.2 + phase) > 0;
            default -> throw new IllegalArgumentException("texture " + texture);
        };
    }

    /** A random colour of the given hue (wrapped to 0..1) with saturation/value between lo and hi, as 0..255. */
    private static float[] randomColour(SplittableRandom r, double hue, double lo, double hi) {
        double sat = lo + r.nextDouble() * (hi - lo);
        double val = 0.35 + 0.65 * (lo + r.nextDouble() * (hi - lo));
        double h = (hue - Math.floor(hue)) * 6;
        int sector = (int) h % 6;
        double f = h - Math.floor(h);
        double p = val * (1 - sat), q = val * (1 - sat * f), t = val * (1 - sat * (1 - f));
        double[] rgb = switch (sector) {
            case 0 -> new double[] {val, t, p};
            case 1 -> new double[] {q, val, p};
            case 2 -> new double[] {p, val, t};
            case 3 -> new double[] {p, q, val};
            case 4 -> new double[] {t, p, val};
            default -> new double[] {val, p, q};
        };
        return new float[] {(float) (rgb[0] * 255), (float) (rgb[1] * 255), (float) (rgb[2] * 255)};
    }

    // ------------------------------------------------------------------ Dataset

    @Override public int size() { return targets.length; }
    @Override public int label(int i) { return targets[i]; }
    @Override public int numClasses() { return labels.size(); }
    @Override public List<String> classIds() { return labels.ids(); }
    @Override public List<String> classNames() { return labels.names(); }
    @Override public int imageSize() { return SIZE; }

    @Override
    public byte[] loadRgb(int i) {
        int n = SIZE * SIZE * 3;
        byte[] out = new byte[n];
        System.arraycopy(pixels, i * n, out, 0, n);
        return out;
    }

    // ------------------------------------------------------------------ Tiny ImageNet layout on disk

    /**
     * Writes the synthetic set in the exact Tiny ImageNet layout, as JPEG files (quality 95):
     * {@code wnids.txt}, {@code words.txt}, {@code train/<wnid>/images/<wnid>_<i>.JPEG} with
     * {@code train/<wnid>/<wnid>_boxes.txt}, {@code val/images/val_<i>.JPEG} with
     * {@code val/val_annotations.txt}, and {@code test/images/test_<i>.JPEG} (unlabelled, as many as val).
     * The images are the same ones {@link #generate} makes, up to JPEG compression.
     */
    public static void writeTinyImageNetLayout(Path out, int classes, int trainPerClass, int valPerClass, long seed) throws IOException {
        if (classes < 2) throw new IllegalArgumentException("need at least 2 classes, got " + classes);
        LabelMap map = labelMap(classes);
        Files.createDirectories(out);
        Files.writeString(out.resolve("wnids.txt"), String.join("\n", map.ids()) + "\n", StandardCharsets.UTF_8);
        StringBuilder words = new StringBuilder();
        for (int c = 0; c < classes; c++) words.append(map.ids().get(c)).append('\t').append(map.names().get(c)).append('\n');
        Files.writeString(out.resolve("words.txt"), words.toString(), StandardCharsets.UTF_8);

        String box = "\t0\t0\t63\t63";
        for (int c = 0; c < classes; c++) {
            String id = map.ids().get(c);
            Path dir = out.resolve("train").resolve(id);
            Files.createDirectories(dir.resolve("images"));
            StringBuilder boxes = new StringBuilder();
            for (int j = 0; j < trainPerClass; j++) boxes.append(id).append('_').append(j).append(".JPEG").append(box).append('\n');
            Files.writeString(dir.resolve(id + "_boxes.txt"), boxes.toString(), StandardCharsets.UTF_8);
        }
        Files.createDirectories(out.resolve("val/images"));
        Files.createDirectories(out.resolve("test/images"));
        int nVal = classes * valPerClass;
        StringBuilder ann = new StringBuilder();
        for (int i = 0; i < nVal; i++) ann.append("val_").append(i).append(".JPEG\t").append(map.ids().get(i % classes)).append(box).append('\n');
        Files.writeString(out.resolve("val/val_annotations.txt"), ann.toString(), StandardCharsets.UTF_8);

        int nTrain = classes * trainPerClass;
        IntStream.range(0, nTrain + 2 * nVal).parallel().forEach(i -> {
            try {
                if (i < nTrain) {
                    int c = i / trainPerClass, j = i % trainPerClass;
                    String id = map.ids().get(c);
                    Images.writeJpeg(render(c, classes, imageSeed(seed, Split.TRAIN, i)), SIZE, SIZE,
                            out.resolve("train").resolve(id).resolve("images").resolve(id + "_" + j + ".JPEG"), 0.95f);
                } else if (i < nTrain + nVal) {
                    int j = i - nTrain;
                    Images.writeJpeg(render(j % classes, classes, imageSeed(seed, Split.VAL, j)), SIZE, SIZE,
                            out.resolve("val/images/val_" + j + ".JPEG"), 0.95f);
                } else {
                    int j = i - nTrain - nVal;
                    int c = new SplittableRandom(imageSeed(seed, Split.TEST, j)).nextInt(classes);
                    Images.writeJpeg(render(c, classes, imageSeed(seed, Split.TEST, j) ^ 0x7E57L), SIZE, SIZE,
                            out.resolve("test/images/test_" + j + ".JPEG"), 0.95f);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
