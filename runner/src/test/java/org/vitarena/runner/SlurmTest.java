package org.vitarena.runner;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.vitarena.runner.RunnerCommandsTest.run;

/**
 * {@code runner --all --executor slurm} against a real slurmctld and slurmd ({@link SlurmCluster}):
 * the same table as a local {@code --all}; a task cancelled on purpose gets a failed row with Slurm's
 * state and its log; a task signalled as before preemption checkpoints, is requeued and resumes.
 * Skipped, naming the packages, where Slurm or munge is missing.
 */
class SlurmTest {
    @TempDir static Path tmp;
    static SlurmCluster cluster;
    private static final List<String> TINY = List.of("--classes", "3", "--train-per-class", "8", "--val-per-class", "4", "--batch", "8",
            "--epochs", "1", "--threads", "1");

    @BeforeAll
    static void start() throws Exception {
        String missing = SlurmCluster.missing();
        assumeTrue(missing == null, missing);
        cluster = new SlurmCluster(tmp.resolve("cluster"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    /** A runner in its own process with the cluster's SLURM_CONF; not waited for. */
    static Process runner(Path log, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(SlurmExecutor.javaCommand());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(cluster.env());
        return pb.start();
    }

    static String finish(Process p, Path log) throws Exception {
        if (!p.waitFor(400, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("runner --executor slurm did not end:\n" + Files.readString(log));
        }
        return Files.readString(log);
    }

    @Test
    void anArrayPrintsTheTableOfALocalAll() throws Exception {
        List<String> all = new ArrayList<>(List.of("--all", "--models", "vit_demo,deit_demo", "--seeds", "1,2"));
        all.addAll(TINY);
        List<String> local = new ArrayList<>(all);
        local.addAll(List.of("--out", tmp.resolve("local").toString()));
        var l = run(local.toArray(String[]::new));
        assertEquals(0, l.code(), l.err());

        List<String> slurm = new ArrayList<>(all);
        slurm.addAll(List.of("--executor", "slurm", "--cpus-per-task", "1", "--wait", "--out", tmp.resolve("slurm").toString()));
        Path log = tmp.resolve("slurm.log");
        String out = finish(runner(log, slurm), log);
        assertTrue(out.contains("4/4 tasks over"), out);
        assertEquals(SeedsAndReportTest.accuracies(l.out()), SeedsAndReportTest.accuracies(out.substring(out.indexOf("model "))), out);
    }

    @Test
    void aCancelledTaskHasItsFailedRowAndAPreemptedOneResumes() throws Exception {
        Path out = tmp.resolve("preempt");
        List<String> args = new ArrayList<>(List.of("--all", "--models", "vit_demo,deit_demo", "--classes", "3", "--train-per-class", "16",
                "--val-per-class", "4", "--batch", "8", "--epochs", "4", "--threads", "1", "--save-every", "1",
                "--executor", "slurm", "--cpus-per-task", "1", "--requeue", "--signal-secs", "60", "--wait", "--out", out.toString()));
        Path log = tmp.resolve("preempt.log");
        Process p = runner(log, args);
        Path idFile = out.resolve("slurm").resolve(SlurmExecutor.ARRAY_ID);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(idFile) && System.nanoTime() < deadline) Thread.sleep(50);
        Thread.sleep(200);
        String id = Files.readString(idFile).strip();
        // deit_demo, on purpose, once it runs (a task cancelled while pending leaves no record in Slurm 22.05)
        while (!Files.exists(out.resolve("deit_demo").resolve("run.json")) && System.nanoTime() < deadline) Thread.sleep(20);
        cluster.run(List.of("scancel", id + "_1"));
        // vit_demo: once it has a checkpoint, the warning Slurm sends before a time limit or preemption
        Path ckpt = out.resolve("vit_demo").resolve("last.ckpt");
        while (!Files.exists(ckpt) && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(Files.exists(ckpt), "vit_demo never checkpointed:\n" + Files.readString(log));
        assertEquals("", cluster.run(List.of("scancel", "--signal=USR1", "--batch", id + "_0")).strip());
        String printed = finish(p, log);
        String table = printed.substring(printed.indexOf("model "));
        String deit = table.lines().filter(l -> l.startsWith("deit_demo")).findFirst().orElseThrow();
        assertTrue(deit.contains("failed: slurm CANCELLED"), table);
        assertTrue(Files.readString(out.resolve("results.json")).contains("task-" + id + "_1.log"), "the log path is in the results");
        String vit = table.lines().filter(l -> l.startsWith("vit_demo")).findFirst().orElseThrow();
        assertTrue(vit.endsWith("ok"), table);
        String taskLog = Files.readString(out.resolve("slurm").resolve("task-" + id + "_0.log"));
        assertTrue(taskLog.contains("stopped on request"), taskLog);
        assertTrue(taskLog.contains("resuming vit_demo from"), taskLog);
    }
}
