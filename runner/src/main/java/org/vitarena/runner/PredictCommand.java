package org.vitarena.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.vitarena.core.MemoryPool;
import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.data.AugmentConfig;
import org.vitarena.data.DataException;
import org.vitarena.data.DataLoader;
import org.vitarena.data.Dataset;
import org.vitarena.data.Images;
import org.vitarena.data.LabelMap;
import org.vitarena.engine.Checkpoint;
import org.vitarena.engine.DataSpec;
import org.vitarena.engine.ModelRegistry;
import org.vitarena.engine.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * {@code runner predict}: the top-k classes of image files under a checkpoint, needing nothing but the
 * checkpoint (model, options, label map). Each image goes through what {@code runner eval} does to a
 * validation image: decoded and resized to the side the dataset's cache stores, then the evaluation
 * transform (bicubic resize to the model's input, ImageNet normalisation), so a validation image gets
 * the prediction the evaluation counted. Legend: B batch, K classes.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, description = "Top-k classes of images under a checkpoint.")
public final class PredictCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.ParentCommand Main parent;
    @Mixin CommonOptions common;

    @Option(names = "--checkpoint", required = true, description = "A .ckpt written by `runner train`.")
    Path checkpoint;

    @Option(names = "--images", description = "A folder of images, walked recursively for .jpg, .jpeg and .png files.")
    Path imagesDir;

    @Parameters(arity = "0..*", paramLabel = "FILE", description = "Image files (a folder is walked as --images is).")
    List<Path> files = new ArrayList<>();

    @Option(names = "--topk", defaultValue = "5", description = "Classes listed per image. Default: ${DEFAULT-VALUE}.")
    int topk;

    @Option(names = "--batch", defaultValue = "64", description = "Images per forward pass. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--json", description = "Print [{file, predictions: [{class_index, class_id, class_name, probability}]}].")
    boolean json;

    @Option(names = "--csv", description = "Print CSV rows: file,rank,class_index,class_id,class_name,probability.")
    boolean csv;

    /** One class of one image's top-k. */
    public record Prediction(int classIndex, String classId, String className, double probability) {}

    @Override
    public Integer call() throws Exception {
        CommonOptions opts = common.inherit(parent == null ? null : parent.common);
        PrintWriter err = spec.commandLine().getErr();
        opts.apply(err);
        if (json && csv) throw new IllegalArgumentException("--json and --csv exclude each other");
        if (topk < 1) throw new IllegalArgumentException("--topk must be >= 1, got " + topk);
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        List<Path> inputs = inputs();
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException(imagesDir != null || !files.isEmpty() ? "no .jpg, .jpeg or .png files in " + (imagesDir != null ? imagesDir : files)
                    : "give image files or --images DIR");
        }
        ModelRegistry reg = opts.registry(err);
        Checkpoint.Loaded ckpt = Checkpoint.load(checkpoint);
        VisionModel model = Models.fromCheckpoint(reg, ckpt);
        LabelMap labels = LabelMap.decode(ckpt.state().labelMap());
        DataSpec data = ckpt.state().config().data();

        PrintWriter out = spec.commandLine().getOut();
        if (csv) out.println("file,rank,class_index,class_id,class_name,probability");
        List<Map<String, Object>> jsonRows = new ArrayList<>();
        int predicted = 0, bad = 0;
        for (int start = 0; start < inputs.size(); start += batch) {
            List<Path> chunk = inputs.subList(start, Math.min(inputs.size(), start + batch));
            // decoded as the dataset's cache stores images; an unreadable one is named and left out
            String[] errors = new String[chunk.size()];
            byte[][] decoded = new byte[chunk.size()][];
            int stored = data.storedImageSize();
            IntStream.range(0, chunk.size()).parallel().forEach(i -> {
                try {
                    decoded[i] = Images.decodeRgb(chunk.get(i), stored, data.effectiveMaxImagePixels());
                } catch (DataException e) {
                    errors[i] = e.getMessage();
                }
            });
            List<Path> good = new ArrayList<>();
            List<byte[]> pixels = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                if (errors[i] != null) {
                    err.println("skipped: " + errors[i]);
                    bad++;
                } else {
                    good.add(chunk.get(i));
                    pixels.add(decoded[i]);
                }
            }
            if (good.isEmpty()) continue;
            List<List<Prediction>> top = predict(model, new Decoded(pixels, stored, labels), topk, batch);
            for (int i = 0; i < good.size(); i++) {
                String file = good.get(i).toString();
                List<Prediction> p = top.get(i);
                if (json) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("file", file);
                    List<Map<String, Object>> ps = new ArrayList<>();
                    for (Prediction q : p) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("class_index", q.classIndex());
                        m.put("class_id", q.classId());
                        m.put("class_name", q.className());
                        m.put("probability", q.probability());
                        ps.add(m);
                    }
                    row.put("predictions", ps);
                    jsonRows.add(row);
                } else if (csv) {
                    for (int r = 0; r < p.size(); r++) {
                        Prediction q = p.get(r);
                        out.println(String.join(",", csvField(file), String.valueOf(r + 1), String.valueOf(q.classIndex()), csvField(q.classId()),
                                csvField(q.className()), String.format(Locale.ROOT, "%.6f", q.probability())));
                    }
                } else {
                    out.println(file);
                    for (int r = 0; r < p.size(); r++) {
                        Prediction q = p.get(r);
                        String name = q.classId().equals(q.className()) ? q.className() : q.className() + " (" + q.classId() + ")";
                        out.printf(Locale.ROOT, "  %d. %6.2f%%  %4d  %s%n", r + 1, 100 * q.probability(), q.classIndex(), name);
                    }
                }
            }
            predicted += good.size();
            out.flush();
        }
        if (json) out.println(new ObjectMapper().writeValueAsString(jsonRows));
        if (bad > 0) err.println(bad + " of " + inputs.size() + " images could not be read and were skipped");
        if (predicted == 0) {
            err.println("error: no image could be read");
            return 2;
        }
        return 0;
    }

    /** The FILE arguments in order (a folder among them walked as --images is), then the image files under --images. */
    private List<Path> inputs() {
        List<Path> all = new ArrayList<>();
        for (Path f : files) {
            if (Files.isDirectory(f)) all.addAll(walk(f, f.toString()));
            else all.add(f);
        }
        if (imagesDir != null) {
            if (!Files.isDirectory(imagesDir)) throw new IllegalArgumentException("--images " + imagesDir + ": no such folder");
            all.addAll(walk(imagesDir, "--images " + imagesDir));
        }
        return all;
    }

    /** The .jpg, .jpeg and .png files under {@code dir}, recursively, in sorted path order. */
    private static List<Path> walk(Path dir, String what) {
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(p -> Files.isRegularFile(p) && isImageName(p.getFileName().toString())).sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException(what + ": cannot list (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isImageName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
    }

    /**
     * The top {@code k} classes of each image of {@code images} (in order), through the evaluation transform
     * at the model's input size, {@code batch} images a forward pass, in eval mode without gradients.
     */
    public static List<List<Prediction>> predict(VisionModel model, Dataset images, int k, int batch) {
        LabelMap labels = images.labelMap();
        int classes = model.numClasses();
        int kk = Math.min(k, classes);
        List<List<Prediction>> out = new ArrayList<>();
        boolean wasTraining = model.training();
        model.train(false);
        MemoryPool pool = new MemoryPool(org.vitarena.core.backend.Backends.current());
        try (DataLoader loader = DataLoader.builder(images).setBatchSize(batch).optAugment(AugmentConfig.eval(model.imgSize()))
                .optShuffle(false).optSeed(0).optThreads(Runtime.getRuntime().availableProcessors()).build();
             var ignored = NoGrad.scope(); DataLoader.Epoch it = loader.epoch(0)) {
            while (it.hasNext()) {
                DataLoader.Batch b = it.next();
                float[] logits; // [B, K]
                try (var step = pool.open()) {
                    logits = model.forward(Tensor.of(b.images(), b.size(), 3, b.imgSize(), b.imgSize())).toArray();
                }
                for (int i = 0; i < b.size(); i++) out.add(top(logits, i * classes, classes, kk, labels));
            }
        } finally {
            model.train(wasTraining);
        }
        return out;
    }

    /** Softmax of one row of logits, then its {@code k} most probable classes (ties: the lower index first, as the evaluation's rank). */
    static List<Prediction> top(float[] logits, int off, int classes, int k, LabelMap labels) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) max = Math.max(max, logits[off + c]);
        double[] p = new double[classes];
        double sum = 0;
        for (int c = 0; c < classes; c++) sum += p[c] = Math.exp(logits[off + c] - max);
        Integer[] order = new Integer[classes];
        for (int c = 0; c < classes; c++) order[c] = c;
        java.util.Arrays.sort(order, (a, b) -> logits[off + a] != logits[off + b] ? Float.compare(logits[off + b], logits[off + a]) : Integer.compare(a, b));
        List<Prediction> out = new ArrayList<>();
        for (int r = 0; r < k; r++) {
            int c = order[r];
            out.add(new Prediction(c, labels.ids().get(c), labels.names().get(c), p[c] / sum));
        }
        return out;
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** Decoded images, unlabelled, with the checkpoint's classes: what the loader reads. */
    private record Decoded(List<byte[]> pixels, int imageSize, LabelMap labels) implements Dataset {
        @Override public int size() { return pixels.size(); }
        @Override public int label(int i) { return -1; }
        @Override public int numClasses() { return labels.size(); }
        @Override public List<String> classIds() { return labels.ids(); }
        @Override public List<String> classNames() { return labels.names(); }
        @Override public LabelMap labelMap() { return labels; }
        @Override public byte[] loadRgb(int i) { return pixels.get(i).clone(); }
    }
}
