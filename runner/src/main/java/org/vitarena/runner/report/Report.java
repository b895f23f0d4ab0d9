package org.vitarena.runner.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The comparison's outputs: the text table printed at the end of {@code runner --all}, and the files
 * {@code results.json}, {@code results.md}, {@code results.csv}, {@code acc_per_epoch.png} and
 * {@code acc_vs_gmacs.png} in the output folder. Every file is written atomically.
 */
public final class Report {
    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    public static final String RESULTS_JSON = "results.json";
    public static final String RESULTS_MD = "results.md";
    public static final String RESULTS_CSV = "results.csv";
    public static final String ACC_PER_EPOCH_PNG = "acc_per_epoch.png";
    public static final String ACC_VS_GMACS_PNG = "acc_vs_gmacs.png";

    static final int SHORT_ERROR = 60;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Report() {}

    // ------------------------------------------------------------------ table

    private record Column(String header, boolean right, Function<ModelResult, String> cell) {}

    /** The columns both tables start with: what a model is and how fast it ran. */
    private static final List<Column> LEADING = List.of(
            new Column("model", false, ModelResult::model),
            new Column("family", false, ModelResult::family),
            new Column("params (M)", true, r -> r.params() > 0 ? fmt("%.2f", r.params() / 1e6) : "-"),
            new Column("GMACs", true, r -> gmacs(r.gmacs())),
            new Column("peak mem (MiB)", true, r -> r.peakMemoryBytes() > 0 ? fmt("%.1f", r.peakMemoryBytes() / (1024.0 * 1024.0)) : "-"),
            new Column("s/epoch", true, r -> num("%.1f", r.epochSeconds())),
            new Column("train img/s", true, r -> num("%.1f", r.trainImgPerS())),
            new Column("eval img/s", true, r -> num("%.1f", r.evalImgPerS())));

    private static final List<Column> COLUMNS = columns(
            new Column("acc@1", true, r -> num("%.2f", r.acc1())),
            new Column("acc@5", true, r -> num("%.2f", r.acc5())),
            new Column("status", false, Report::statusCell));

    /** With several seeds: accuracies as mean ± std, the seed count, and Welch's p against the best model's acc@1. */
    private static final List<Column> SEED_COLUMNS = columns(
            new Column("seeds", true, r -> r.spread() == null ? "1" : String.valueOf(r.spread().seeds().size())),
            new Column("acc@1", true, r -> pm(r.acc1(), r.spread() == null ? Double.NaN : r.spread().acc1Std())),
            new Column("acc@5", true, r -> pm(r.acc5(), r.spread() == null ? Double.NaN : r.spread().acc5Std())),
            new Column("p vs best", true, Report::pCell),
            new Column("status", false, Report::statusCell));

    private static List<Column> columns(Column... trailing) {
        List<Column> all = new java.util.ArrayList<>(LEADING);
        all.addAll(List.of(trailing));
        return List.copyOf(all);
    }

    private static String pm(double mean, double std) {
        if (!Double.isFinite(mean)) return "-";
        return Double.isFinite(std) ? fmt("%.2f", mean) + " ± " + fmt("%.2f", std) : fmt("%.2f", mean);
    }

    private static String pCell(ModelResult r) {
        if (r.spread() == null || !r.isOk()) return "-";
        double p = r.spread().pVsBest();
        if (Double.isNaN(p)) return r.spread().seeds().size() >= 2 ? "best" : "-";
        return p < 0.001 ? "<0.001" : fmt("%.3f", p);
    }

    /** Whether any row sums up several seeds (then the table has the seed columns). */
    static boolean multiSeed(List<ModelResult> results) {
        return results.stream().anyMatch(r -> r.spread() != null);
    }

    private static List<Column> columns(List<ModelResult> results) {
        return multiSeed(results) ? SEED_COLUMNS : COLUMNS;
    }

    /** An aligned plain-text table, one row per model, numbers right-aligned; ends with a newline. */
    public static String table(List<ModelResult> results) {
        List<Column> cols = columns(results);
        List<String[]> rows = cells(results);
        int[] w = new int[cols.size()];
        for (String[] row : rows) for (int c = 0; c < w.length; c++) w[c] = Math.max(w[c], row[c].length());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < w.length; c++) {
                if (c > 0) line.append("  ");
                line.append(cols.get(c).right() ? pad(row[c], w[c], true) : pad(row[c], w[c], false));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
            if (i == 0) sb.append("-".repeat(line.toString().stripTrailing().length())).append('\n');
        }
        return sb.toString();
    }

    /** The markdown table (header, alignment row, one row per model). */
    public static String markdownTable(List<ModelResult> results) {
        List<String[]> rows = cells(results);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            sb.append('|');
            for (String cell : rows.get(i)) sb.append(' ').append(cell.replace("|", "\\|")).append(" |");
            sb.append('\n');
            if (i == 0) {
                sb.append('|');
                for (Column c : columns(results)) sb.append(c.right() ? " ---: |" : " --- |");
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static List<String[]> cells(List<ModelResult> results) {
        List<String[]> rows = new ArrayList<>();
        List<Column> cols = columns(results);
        rows.add(cols.stream().map(Column::header).toArray(String[]::new));
        for (ModelResult r : results) rows.add(cols.stream().map(c -> c.cell().apply(r)).toArray(String[]::new));
        return rows;
    }

    private static String statusCell(ModelResult r) {
        return r.isOk() ? r.status() : r.status() + ": " + shortError(r.error());
    }

    /** The first line of an error, at most {@value #SHORT_ERROR} characters. */
    static String shortError(String error) {
        if (error == null || error.isBlank()) return "unknown error";
        String s = error.strip();
        int nl = s.indexOf('\n');
        if (nl >= 0) s = s.substring(0, nl).strip();
        return s.length() <= SHORT_ERROR ? s : s.substring(0, SHORT_ERROR - 3) + "...";
    }

    private static String pad(String s, int width, boolean right) {
        if (s.length() >= width) return s;
        String spaces = " ".repeat(width - s.length());
        return right ? spaces + s : s + spaces;
    }

    private static String fmt(String f, double v) {
        return String.format(Locale.ROOT, f, v);
    }

    private static String num(String f, double v) {
        return Double.isFinite(v) ? fmt(f, v) : "-";
    }

    /** GMACs with three significant digits at least (demo models are far below one GMAC). */
    static String gmacs(double g) {
        if (!Double.isFinite(g) || g <= 0) return "-";
        if (g >= 100) return fmt("%.1f", g);
        if (g >= 1) return fmt("%.2f", g);
        if (g >= 0.001) return fmt("%.4f", g);
        return fmt("%.2e", g);
    }

    // ------------------------------------------------------------------ files

    /**
     * Writes {@code results.json}, {@code results.md}, {@code results.csv}, {@code acc_per_epoch.png}
     * and {@code acc_vs_gmacs.png} into {@code outDir} (created if missing), each atomically.
     * {@code recipe} holds whatever describes the run (epochs, batch, lr, ...); its values must be
     * Jackson-serialisable.
     */
    public static void write(Path outDir, DatasetInfo ds, Map<String, Object> recipe, List<ModelResult> results) throws IOException {
        Files.createDirectories(outDir);
        AtomicFiles.write(outDir.resolve(RESULTS_JSON), JSON.writeValueAsBytes(toJson(ds, recipe, results)));
        AtomicFiles.writeString(outDir.resolve(RESULTS_MD), markdown(ds, recipe, results));
        AtomicFiles.writeString(outDir.resolve(RESULTS_CSV), csv(results));
        AtomicFiles.write(outDir.resolve(ACC_PER_EPOCH_PNG), png(accPerEpochChart(results)));
        AtomicFiles.write(outDir.resolve(ACC_VS_GMACS_PNG), png(accVsGmacsChart(results)));
    }

    static ObjectNode toJson(DatasetInfo ds, Map<String, Object> recipe, List<ModelResult> results) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode d = root.putObject("dataset");
        d.put("name", ds.name());
        d.put("num_classes", ds.numClasses());
        d.put("train_images", ds.trainImages());
        d.put("val_images", ds.valImages());
        root.set("recipe", recipe == null ? JSON.createObjectNode() : JSON.valueToTree(new LinkedHashMap<>(recipe)));
        ArrayNode models = root.putArray("models");
        for (ModelResult r : results) {
            ObjectNode m = models.addObject();
            m.put("model", r.model());
            m.put("family", r.family());
            m.put("params", r.params());
            putDouble(m, "gmacs", r.gmacs());
            m.put("peak_memory_bytes", r.peakMemoryBytes());
            putDouble(m, "epoch_seconds", r.epochSeconds());
            putDouble(m, "train_img_per_s", r.trainImgPerS());
            putDouble(m, "eval_img_per_s", r.evalImgPerS());
            putDouble(m, "acc1", r.acc1());
            putDouble(m, "acc5", r.acc5());
            m.put("status", r.status());
            if (r.error() == null) m.putNull("error"); else m.put("error", r.error());
            if (r.spread() != null) {
                ModelResult.Spread sp = r.spread();
                ArrayNode seeds = m.putArray("seeds");
                sp.seeds().forEach(seeds::add);
                ArrayNode a1 = m.putArray("acc1_per_seed"), a5 = m.putArray("acc5_per_seed"), es = m.putArray("acc1_std_per_epoch");
                for (double v : sp.acc1PerSeed()) a1.add(v);
                for (double v : sp.acc5PerSeed()) a5.add(v);
                for (double v : sp.acc1StdPerEpoch()) es.add(v);
                putDouble(m, "acc1_std", sp.acc1Std());
                putDouble(m, "acc5_std", sp.acc5Std());
                putDouble(m, "p_vs_best", sp.pVsBest());
                ObjectNode f = m.putObject("failed_seeds");
                sp.failedSeeds().forEach((k, v) -> f.put(String.valueOf(k), v));
            }
            ArrayNode h = m.putArray("history");
            for (EpochPoint p : r.history()) {
                ObjectNode e = h.addObject();
                e.put("epoch", p.epoch());
                putDouble(e, "train_loss", p.trainLoss());
                putDouble(e, "eval_loss", p.evalLoss());
                putDouble(e, "acc1", p.acc1());
                putDouble(e, "acc5", p.acc5());
                putDouble(e, "seconds", p.seconds());
            }
        }
        return root;
    }

    /** JSON has no NaN or infinity: a value never measured (or a diverged loss) is written as null. */
    private static void putDouble(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) o.put(key, v); else o.putNull(key);
    }

    /**
     * The models of a {@code results.json} written by {@link #write}, in file order (nulls read back
     * as NaN). Used to reuse finished models when {@code --all} runs again with the same output folder.
     */
    public static List<ModelResult> readJson(Path resultsJson) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(resultsJson.toFile());
        } catch (java.io.FileNotFoundException e) {
            throw new NoSuchFileException(resultsJson.toString());
        } catch (IOException e) {
            throw new IOException(resultsJson + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        JsonNode models = root == null ? null : root.get("models");
        if (models == null || !models.isArray()) throw new IOException(resultsJson + ": no \"models\" array");
        List<ModelResult> out = new ArrayList<>();
        for (JsonNode m : models) {
            List<EpochPoint> history = new ArrayList<>();
            JsonNode h = m.get("history");
            if (h != null && h.isArray()) {
                for (JsonNode e : h) {
                    history.add(new EpochPoint(e.path("epoch").asInt(), dbl(e, "train_loss"), dbl(e, "eval_loss"),
                            dbl(e, "acc1"), dbl(e, "acc5"), dbl(e, "seconds")));
                }
            }
            JsonNode err = m.get("error");
            ModelResult.Spread spread = null;
            if (m.has("seeds")) {
                List<Long> seeds = new ArrayList<>();
                m.get("seeds").forEach(x -> seeds.add(x.asLong()));
                Map<Long, String> failed = new LinkedHashMap<>();
                m.path("failed_seeds").properties().forEach(e -> failed.put(Long.parseLong(e.getKey()), e.getValue().asText()));
                spread = new ModelResult.Spread(seeds, doubles(m.get("acc1_per_seed")), doubles(m.get("acc5_per_seed")), dbl(m, "acc1_std"),
                        dbl(m, "acc5_std"), doubles(m.get("acc1_std_per_epoch")), dbl(m, "p_vs_best"), failed);
            }
            out.add(new ModelResult(text(m, "model"), text(m, "family"), m.path("params").asLong(), dbl(m, "gmacs"),
                    m.path("peak_memory_bytes").asLong(), dbl(m, "epoch_seconds"), dbl(m, "train_img_per_s"),
                    dbl(m, "eval_img_per_s"), dbl(m, "acc1"), dbl(m, "acc5"), text(m, "status"),
                    err == null || err.isNull() ? null : err.asText(), history, spread));
        }
        return out;
    }

    private static double[] doubles(JsonNode a) {
        if (a == null || !a.isArray()) return new double[0];
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).isNumber() ? a.get(i).doubleValue() : Double.NaN;
        return v;
    }

    private static double dbl(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v == null || !v.isNumber() ? Double.NaN : v.doubleValue();
    }

    private static String text(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    static String markdown(DatasetInfo ds, Map<String, Object> recipe, List<ModelResult> results) {
        StringBuilder sb = new StringBuilder("# ViT Arena results\n\n");
        sb.append(String.format(Locale.ROOT, "Dataset: **%s**, %d classes, %d training images, %d validation images.%n%n",
                ds.name(), ds.numClasses(), ds.trainImages(), ds.valImages()));
        sb.append("Recipe: ");
        if (recipe == null || recipe.isEmpty()) sb.append("(none)");
        else {
            List<String> parts = new ArrayList<>();
            recipe.forEach((k, v) -> parts.add("`" + k + "` = " + v));
            sb.append(String.join(", ", parts));
        }
        sb.append(".\n\n");
        sb.append(markdownTable(results));
        List<ModelResult> failed = results.stream().filter(r -> !r.isOk()).toList();
        if (!failed.isEmpty()) {
            sb.append("\nFailed:\n\n");
            for (ModelResult r : failed) {
                String e = r.error() == null ? "unknown error" : r.error().strip().replaceAll("\\s+", " ");
                sb.append("- `").append(r.model()).append("`: ").append(e).append('\n');
            }
        }
        sb.append("\n![acc@1 per epoch](").append(ACC_PER_EPOCH_PNG).append(")\n");
        sb.append("![acc@1 against GMACs](").append(ACC_VS_GMACS_PNG).append(")\n");
        return sb.toString();
    }

    static final List<String> CSV_HEADER = List.of("model", "family", "params", "gmacs", "peak_memory_bytes",
            "epoch_seconds", "train_img_per_s", "eval_img_per_s", "acc1", "acc5", "status", "error");

    /** One header line and one line per model; unmeasured numbers are empty fields. RFC 4180 quoting. */
    static String csv(List<ModelResult> results) {
        boolean seeds = multiSeed(results);
        StringBuilder sb = new StringBuilder(String.join(",", CSV_HEADER));
        if (seeds) sb.append(",seeds,acc1_std,acc5_std,p_vs_best");
        sb.append("\r\n");
        for (ModelResult r : results) {
            List<String> f = new ArrayList<>(List.of(csvField(r.model()), csvField(r.family()), Long.toString(r.params()),
                    csvNum(r.gmacs()), Long.toString(r.peakMemoryBytes()), csvNum(r.epochSeconds()),
                    csvNum(r.trainImgPerS()), csvNum(r.evalImgPerS()), csvNum(r.acc1()), csvNum(r.acc5()),
                    csvField(r.status()), csvField(r.error())));
            if (seeds) {
                var sp = r.spread();
                f.addAll(List.of(sp == null ? "1" : String.valueOf(sp.seeds().size()), sp == null ? "" : csvNum(sp.acc1Std()),
                        sp == null ? "" : csvNum(sp.acc5Std()), sp == null ? "" : csvNum(sp.pVsBest())));
            }
            sb.append(String.join(",", f)).append("\r\n");
        }
        return sb.toString();
    }

    private static String csvNum(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "";
    }

    private static String csvField(String s) {
        if (s == null) return "";
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    // ------------------------------------------------------------------ plots

    static XYChart accPerEpochChart(List<ModelResult> results) {
        XYChart chart = new XYChartBuilder().width(900).height(600).title("acc@1 per epoch")
                .xAxisTitle("epoch").yAxisTitle("acc@1 (%)").build();
        style(chart);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setYAxisMin(0.0);
        int series = 0;
        for (ModelResult r : results) {
            if (!r.isOk()) continue;
            List<EpochPoint> pts = r.history().stream().filter(p -> Double.isFinite(p.acc1())).toList();
            if (pts.isEmpty()) continue;
            double[] x = pts.stream().mapToDouble(EpochPoint::epoch).toArray();
            double[] y = pts.stream().mapToDouble(EpochPoint::acc1).toArray();
            double[] err = r.spread() == null ? null : errorBars(r, pts);
            (err == null ? chart.addSeries(uniqueName(chart, r.model()), x, y) : chart.addSeries(uniqueName(chart, r.model()), x, y, err))
                    .setMarker(SeriesMarkers.CIRCLE);
            series++;
        }
        if (series == 0) placeholder(chart, "no finished model has per-epoch accuracy");
        return chart;
    }

    static XYChart accVsGmacsChart(List<ModelResult> results) {
        XYChart chart = new XYChartBuilder().width(900).height(600).title("acc@1 against GMACs")
                .xAxisTitle("GMACs per image").yAxisTitle("acc@1 (%)").build();
        style(chart);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(12);
        List<ModelResult> pts = results.stream()
                .filter(r -> r.isOk() && Double.isFinite(r.gmacs()) && r.gmacs() > 0 && Double.isFinite(r.acc1()))
                .toList();
        if (pts.isEmpty()) {
            placeholder(chart, "no finished model with GMACs and accuracy");
            return chart;
        }
        double min = pts.stream().mapToDouble(ModelResult::gmacs).min().orElseThrow();
        double max = pts.stream().mapToDouble(ModelResult::gmacs).max().orElseThrow();
        boolean log = max / min >= 20;
        chart.getStyler().setXAxisLogarithmic(log);
        if (log) {
            chart.getStyler().setXAxisMin(min / 2);
            chart.getStyler().setXAxisMax(max * 2);
        } else {
            double span = Math.max(max - min, max * 0.1);
            chart.getStyler().setXAxisMin(Math.max(0, min - 0.15 * span));
            chart.getStyler().setXAxisMax(max + 0.15 * span);
        }
        double yMax = pts.stream().mapToDouble(ModelResult::acc1).max().orElseThrow();
        double top = Math.min(100.0, Math.max(10.0, yMax * 1.15));
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(top);
        for (ModelResult r : pts) {
            if (r.spread() != null && Double.isFinite(r.spread().acc1Std())) {
                chart.addSeries(uniqueName(chart, r.model()), new double[]{r.gmacs()}, new double[]{r.acc1()}, new double[]{r.spread().acc1Std()});
            } else {
                chart.addSeries(uniqueName(chart, r.model()), new double[]{r.gmacs()}, new double[]{r.acc1()});
            }
            // the label just under its marker
            AnnotationText label = new AnnotationText(r.model(), r.gmacs(), r.acc1() - 0.04 * top, false);
            chart.addAnnotation(label);
        }
        return chart;
    }

    /** The standard deviation over seeds at each plotted epoch (error bars), or null when unknown. */
    private static double[] errorBars(ModelResult r, List<EpochPoint> pts) {
        double[] all = r.spread().acc1StdPerEpoch();
        if (all.length != r.history().size()) return null;
        double[] e = new double[pts.size()];
        int j = 0;
        for (int i = 0; i < r.history().size(); i++) if (Double.isFinite(r.history().get(i).acc1())) e[j++] = Double.isFinite(all[i]) ? all[i] : 0;
        return j == e.length ? e : null;
    }

    private static void style(XYChart chart) {
        Styler s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartBackgroundColor(java.awt.Color.WHITE);
        s.setPlotBackgroundColor(java.awt.Color.WHITE);
        s.setAntiAlias(true);
        chart.getStyler().setDecimalPattern("#,##0.###");
    }

    private static void placeholder(XYChart chart, String message) {
        chart.getStyler().setLegendVisible(false);
        XYSeries none = chart.addSeries("none", new double[]{0, 1}, new double[]{0, 0});
        none.setLineColor(new java.awt.Color(0, 0, 0, 0));
        none.setMarker(SeriesMarkers.NONE);
        chart.getStyler().setXAxisLogarithmic(false);
        chart.addAnnotation(new AnnotationText(message, 0.5, 0.5, false));
        chart.getStyler().setYAxisMax(1.0);
    }

    private static String uniqueName(XYChart chart, String name) {
        String n = name == null ? "?" : name;
        String out = n;
        for (int i = 2; chart.getSeriesMap().containsKey(out); i++) out = n + " (" + i + ")";
        return out;
    }

    static byte[] png(XYChart chart) throws IOException {
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
}
