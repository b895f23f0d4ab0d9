package org.vitarena.runner;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.engine.Checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.vitarena.runner.RunnerCommandsTest.run;

/**
 * SIGKILL while the first checkpoint is being written, at the two moments a write has: its temporary
 * file complete but not renamed, and the epoch file in place with last.ckpt not yet replaced. The
 * child JVM stops at that moment ({@code -Dvitarena.test.pauseAt}) and is killed there.
 */
class RunnerCrashTest {
    @TempDir Path tmp;
    private static final List<String> TRAIN = List.of("train", "--model", "vit_demo", "--epochs", "2", "--classes", "3", "--train-per-class",
            "8", "--val-per-class", "4", "--batch", "8", "--augment", "light", "--threads", "2");

    @ParameterizedTest
    @CsvSource({"epoch-file-written, 2, last\\.ckpt\\.tmp-link-\\d+", "checkpoint-temp-written, 1, epoch-001\\.ckpt\\.tmp-\\d+-\\d+"})
    void killedWhileWritingTheFirstCheckpointResumesFromWhatIsIntactAndLeavesNoTempFile(String point, int resumedEpoch, String pausedOn)
            throws Exception {
        Path ref = tmp.resolve("ref"), killed = tmp.resolve("killed");
        List<String> refArgs = new ArrayList<>(TRAIN);
        refArgs.addAll(List.of("--out", ref.toString()));
        assertEquals(0, run(refArgs.toArray(String[]::new)).code());

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dvitarena.test.pauseAt=" + point, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(TRAIN);
        cmd.addAll(List.of("--out", killed.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        // the file that exists only while the writer is paused at the point (it waits there a minute)
        while (System.nanoTime() < deadline && p.isAlive()
                && temps(killed).stream().noneMatch(f -> f.getFileName().toString().matches(pausedOn))) Thread.sleep(5);
        assertTrue(p.isAlive(), "the child ended before it could be killed: " + Files.readString(tmp.resolve("child.log")));
        p.destroyForcibly().waitFor(); // SIGKILL
        assertFalse(temps(killed).isEmpty(), "killed mid-write: a temporary file is there");
        assertFalse(Files.exists(killed.resolve("last.ckpt")), "last.ckpt was not written yet");
        assertEquals(resumedEpoch == 2, Files.exists(killed.resolve("epoch-001.ckpt")));

        List<String> resume = new ArrayList<>(TRAIN);
        resume.addAll(List.of("--out", killed.toString(), "--resume"));
        var r = run(resume.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        if (resumedEpoch == 2) assertTrue(r.out().contains("resuming vit_demo from " + killed.resolve("epoch-001.ckpt") + ": epoch 2"), r.out());
        else assertFalse(r.out().contains("resuming"), r.out());
        assertEquals(List.of(), temps(killed), "no temporary file is left");
        var a = Checkpoint.load(ref.resolve("last.ckpt")).model();
        var b = Checkpoint.load(killed.resolve("last.ckpt")).model();
        for (String k : a.keySet()) assertArrayEquals(a.get(k).floats(), b.get(k).floats(), k);
    }

    @org.junit.jupiter.api.Test
    void aSecondProcessOnTheSameFolderExitsAtOnceNamingTheHolder() throws Exception {
        Path out = tmp.resolve("shared");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dvitarena.test.pauseAt=epoch-file-written", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(TRAIN);
        cmd.addAll(List.of("--out", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && p.isAlive() && !Files.exists(out.resolve("run.json"))) Thread.sleep(5);
            assertTrue(p.isAlive(), Files.readString(tmp.resolve("child.log")));
            List<String> second = new ArrayList<>(TRAIN);
            second.addAll(List.of("--out", out.toString(), "--resume"));
            long t0 = System.nanoTime();
            var r = run(second.toArray(String[]::new));
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("is in use by another run (pid " + p.pid()), r.err());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "refused at once, not after training");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    private static List<Path> temps(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().contains(".tmp")).toList();
        }
    }
}
