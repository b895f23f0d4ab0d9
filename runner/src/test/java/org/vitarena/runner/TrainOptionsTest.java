package org.vitarena.runner;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static org.vitarena.runner.RunnerCommandsTest.run;

/** The engine's configuration errors reach the user in terms of the runner's options. */
class TrainOptionsTest {
    @Test
    void engineSettingNamesAreRestatedAsOptions() {
        var r = run("train", "--model", "vit_demo", "--lr", "-1", "--out", "target/never");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--lr must be > 0, got -1.0"), r.err());
        var k = run("train", "--model", "vit_demo", "--keep-last", "0", "--out", "target/never");
        assertTrue(k.err().contains("--keep-last must be >= 1"), k.err());
        var a = run("train", "--model", "vit_demo", "--augment", "strong", "--out", "target/never");
        assertTrue(a.err().contains("--augment must be paper, light or none, got 'strong'"), a.err());
    }

    @Test
    void everyEngineSettingHasAnOption() throws Exception {
        for (var c : org.vitarena.engine.TrainConfig.class.getRecordComponents()) {
            String n = c.getName();
            if (n.equals("commandLine") || n.equals("seed") || n.equals("noDecayNormBias") || n.equals("freezeBackbone")
                    || n.equals("pretrained") || n.equals("teacher")) continue; // never out of range, or checked as files
            assertTrue(TrainOptions.FLAGS.containsKey(n), "no option named for the engine setting " + n);
        }
    }

    @Test
    void perClassOptionsSizeTheSyntheticSetAndCutFolders() {
        TrainOptions synthetic = new picocli.CommandLine(new TrainOptions()).parseArgs("--val-per-class", "7").asCommandLineList().getFirst().getCommand();
        var d = synthetic.dataSpec();
        assertTrue(d.isSynthetic());
        assertEquals(500, d.trainPerClass());
        assertEquals(7, d.valPerClass());
        TrainOptions folder = new picocli.CommandLine(new TrainOptions()).parseArgs("--data", "some/folder", "--train-per-class", "100",
                "--cache-dir", "caches").asCommandLineList().getFirst().getCommand();
        var f = folder.dataSpec();
        assertEquals(100, f.trainPerClass());
        assertEquals(0, f.valPerClass(), "a folder's validation split stays whole unless asked");
        assertTrue(f.cacheDir().endsWith("caches"), f.cacheDir());
        var r = run("train", "--model", "vit_demo", "--data", "target", "--train-per-class", "-2", "--out", "target/never");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--train-per-class must be >= 0"), r.err());
    }
}
