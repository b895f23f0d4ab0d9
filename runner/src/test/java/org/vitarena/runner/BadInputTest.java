package org.vitarena.runner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.vitarena.runner.RunnerCommandsTest.run;

/** Bad input met the way a careless or hostile user meets it: exit 2 at once, the file or option named, and the way out. */
class BadInputTest {
    @TempDir Path tmp;
    private static final String[] TINY = {"--classes", "3", "--train-per-class", "4", "--val-per-class", "2", "--batch", "4",
            "--epochs", "1", "--augment", "none"};

    private static String[] train(Path out, String... more) {
        var a = new java.util.ArrayList<>(java.util.List.of("train", "--model", "vit_demo", "--out", out.toString()));
        a.addAll(java.util.List.of(TINY));
        a.addAll(java.util.List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void aMistypedModelGetsASuggestion() {
        var r = run("train", "--model", "vit_dem0", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown model 'vit_dem0'; did you mean 'vit_demo'?"), r.err());
    }

    @Test
    void aPluginsFolderNamedOnTheCommandLineMustExistAndEveryJarMustBeAJar() throws Exception {
        var missing = run("--plugins", tmp.resolve("nope").toString(), "list");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope does not exist"), missing.err());
        Path file = Files.writeString(tmp.resolve("plugins.txt"), "x");
        var isFile = run("--plugins", file.toString(), "list");
        assertEquals(2, isFile.code());
        assertTrue(isFile.err().contains("is a file, not a folder"), isFile.err());
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        Files.writeString(dir.resolve("notes.jar"), "not a zip at all");
        var r = run("--plugins", dir.toString(), "list");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("notes.jar: not a jar (a jar is a zip file"), r.err());
    }

    @Test
    void makeSyntheticRefusesAFolderThatHoldsFiles() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(d.resolve("keep.txt"), "mine");
        var r = run("make-synthetic", "--out", d.toString(), "--classes", "2", "--train-per-class", "1", "--val-per-class", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("exists and is not empty"), r.err());
        assertEquals(1, Files.list(d).count(), "nothing was written");
    }

    @Test
    void evalChecksWhereItsResultsGoBeforeEvaluating() {
        var r = run("eval", "--checkpoint", tmp.resolve("never-read.ckpt").toString(), "--per-class", tmp.resolve("no/such/dir/c.csv").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--per-class") && r.err().contains("does not exist; create it first"), r.err());
    }

    @Test
    void dataWithoutAValidationSplitIsReportedBeforeTheTrainingCacheIsBuilt() throws Exception {
        Path data = tmp.resolve("data");
        assertEquals(0, run("make-synthetic", "--out", data.toString(), "--classes", "2", "--train-per-class", "2", "--val-per-class", "1").code());
        try (Stream<Path> s = Files.walk(data.resolve("val"))) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        var r = run("train", "--model", "vit_demo", "--data", data.toString(), "--epochs", "1", "--out", tmp.resolve("run").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("val"), r.err());
        assertFalse(Files.exists(data.resolve(".vitarena-cache")) && Files.list(data.resolve(".vitarena-cache")).findAny().isPresent(),
                "no cache was built before the missing split was found");
    }

    @Test
    void aRunIsNeverReplacedOrResumedUnderAnotherRecipeSilently() {
        Path out = tmp.resolve("run");
        assertEquals(0, run(train(out)).code());
        var again = run(train(out));
        assertEquals(2, again.code());
        assertTrue(again.err().contains("holds a run of vit_demo (1 of 1 epochs done)") && again.err().contains("--resume continues it"), again.err());
        var changed = run(train(out, "--resume", "--lr", "0.01"));
        assertEquals(2, changed.code());
        assertTrue(changed.err().contains("lr: 0.001 -> 0.01") && changed.err().contains("--restart"), changed.err());
        var restarted = run(train(out, "--restart", "--lr", "0.01"));
        assertEquals(0, restarted.code(), restarted.err());
    }

    @Test
    void aModelAndBatchThatCannotFitTheHeapAreRefusedBeforeAnythingIsAllocated() {
        var bench = run("bench", "--model", "vit_tiny_patch8_64", "--img-size", "1024");
        assertEquals(2, bench.code());
        assertTrue(bench.err().contains("training vit_tiny_patch8_64 at batch 32, 1024 px needs about")
                && bench.err().contains("the Java heap is"), bench.err());
        var train = run("train", "--model", "vit_demo", "--classes", "3", "--train-per-class", "4", "--val-per-class", "2",
                "--batch", "200000", "--out", tmp.resolve("big").toString());
        assertEquals(2, train.code());
        assertTrue(train.err().contains("training vit_demo at batch 200000"), train.err());
    }

    @Test
    void anOutputFolderThatIsAFileIsRefusedAtOnce() throws Exception {
        Path file = Files.writeString(tmp.resolve("taken"), "a file");
        var r = run(train(file));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("cannot create the run folder " + file), r.err());
    }
}
