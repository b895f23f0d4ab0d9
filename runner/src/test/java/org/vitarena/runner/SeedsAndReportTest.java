package org.vitarena.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.runner.report.Seeds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.vitarena.runner.RunnerCommandsTest.run;

/** {@code --seeds} with {@code --all}, and {@code runner report DIR} rebuilding the comparison from the run folders. */
class SeedsAndReportTest {
    @TempDir Path tmp;
    private static final List<String> TINY = List.of("--classes", "3", "--train-per-class", "8", "--val-per-class", "4", "--batch", "8",
            "--epochs", "1", "--threads", "1");

    private static String[] args(String... head) {
        List<String> a = new ArrayList<>(List.of(head));
        a.addAll(TINY);
        return a.toArray(String[]::new);
    }

    /** Model, acc@1 and acc@5 of each row of a printed table (the columns so named in its header). */
    static List<String> accuracies(String table) {
        List<String> lines = table.lines().filter(l -> !l.isBlank() && !l.startsWith("results:")).toList();
        List<String> header = List.of(lines.get(0).trim().split("\\s{2,}"));
        int a1 = header.indexOf("acc@1"), a5 = header.indexOf("acc@5");
        assertTrue(a1 > 0 && a5 > a1, lines.get(0));
        List<String> out = new ArrayList<>();
        for (String l : lines.subList(2, lines.size())) {
            String[] cells = l.trim().split("\\s{2,}");
            out.add(cells[0] + " " + cells[a1] + " " + cells[a5]);
        }
        return out;
    }

    @Test
    void welchMatchesTheTextbook() {
        // t = -3.674, 4 degrees of freedom: p = 0.0213
        assertEquals(0.0213, Seeds.welchP(new double[] {1, 2, 3}, new double[] {4, 5, 6}), 1e-4);
        assertTrue(Double.isNaN(Seeds.welchP(new double[] {1}, new double[] {4, 5})));
        assertEquals(1.0, Seeds.welchP(new double[] {2, 2}, new double[] {2, 2}));
    }

    @Test
    void reportRebuildsTheSingleSeedTable() throws Exception {
        Path out = tmp.resolve("one");
        var all = run(args("--all", "--models", "vit_demo", "--out", out.toString()));
        assertEquals(0, all.code(), all.err());
        assertFalse(all.out().contains("±"), all.out());
        Files.delete(out.resolve("results.json"));
        var rep = run("report", out.toString());
        assertEquals(0, rep.code(), rep.err());
        assertEquals(accuracies(all.out()), accuracies(rep.out()));
        assertTrue(Files.exists(out.resolve("results.json")) && Files.exists(out.resolve("acc_per_epoch.png")));
    }

    @Test
    void seedsGiveMeanAndSpreadAndWelchAgainstTheBest() throws Exception {
        Path out = tmp.resolve("seeds");
        var all = run(args("--all", "--models", "vit_demo,deit_demo", "--seeds", "1,2,3", "--out", out.toString()));
        assertEquals(0, all.code(), all.err());
        assertTrue(all.out().contains("±") && all.out().contains("p vs best") && all.out().contains("best"), all.out());
        for (String m : List.of("vit_demo", "deit_demo")) for (int s = 1; s <= 3; s++) {
            assertTrue(Files.exists(out.resolve(m).resolve("seed-" + s).resolve("last.ckpt")), m + " seed " + s);
        }
        JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        JsonNode vit = json.get("models").get(0);
        assertEquals(3, vit.get("seeds").size());
        assertEquals(3, vit.get("acc1_per_seed").size());
        double mean = 0;
        for (JsonNode v : vit.get("acc1_per_seed")) mean += v.asDouble() / 3;
        assertEquals(mean, vit.get("acc1").asDouble(), 1e-9);
        // the same table from the folders alone
        var rep = run("report", out.toString());
        assertEquals(0, rep.code(), rep.err());
        assertEquals(accuracies(all.out()), accuracies(rep.out()));
        // a second --all reuses every finished seed
        var again = run(args("--all", "--models", "vit_demo,deit_demo", "--seeds", "1,2,3", "--out", out.toString()));
        assertEquals(0, again.code(), again.err());
        assertEquals(6, again.err().lines().filter(l -> l.contains("finished in an earlier run")).count(), again.err());
        assertEquals(accuracies(all.out()), accuracies(again.out()));
    }
}
