package org.vitarena.runner;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.core.io.Safetensors;
import org.vitarena.distributed.Mpi;
import org.vitarena.engine.Checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Data-parallel training with real {@code mpirun} (Open MPI): 2 ranks × 16 images of each global batch
 * of 32 end, after 20 updates, with the weights of 1 process × 32, within float tolerance (the sums
 * differ only in the order of additions), with and without accumulation; a resumed 2-rank run too.
 * Skipped, naming the packages, where mpirun or libmpi is missing.
 */
class DataParallelTest {
    /** 4 classes × 80 images at 32 px: 10 batches of 32 per epoch, 2 epochs = 20 updates. */
    static final List<String> TRAIN = List.of("train", "--model", "vit_demo", "--classes", "4", "--train-per-class", "80",
            "--val-per-class", "2", "--batch", "32", "--img-size", "32", "--augment", "light", "--threads", "1", "--loader-threads", "1");
    /** AdamW divides by sqrt(v): a gradient differing in its last bits moves a weight by up to ~lr·1e-2 over 20 updates. */
    static final double TOLERANCE = 1e-4;

    @TempDir static Path tmp;

    @BeforeAll
    static void needsOpenMpi() {
        assumeTrue(onPath("mpirun") && Mpi.available(), "mpirun or " + Mpi.LIBRARY + " missing: install " + Mpi.PACKAGES);
    }

    static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) if (Files.isExecutable(Path.of(d, exe))) return true;
        return false;
    }

    record Result(int code, String log) {}

    static Result runner(Path log, List<String> jvm, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("runner did not end in 300 s (a hang?):\n" + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    static Result train(String name, List<String> jvm, String... extra) throws Exception {
        List<String> args = new ArrayList<>(TRAIN);
        if (List.of(extra).contains("--batch")) args.subList(args.indexOf("--batch"), args.indexOf("--batch") + 2).clear();
        args.addAll(List.of(extra));
        args.addAll(List.of("--out", tmp.resolve(name).toString()));
        return runner(tmp.resolve(name + ".log"), jvm, args);
    }

    /** The largest absolute difference between the weights of two checkpoints. */
    static double maxDiff(Path a, Path b) throws Exception {
        Map<String, Safetensors.Entry> x = Checkpoint.load(a).model(), y = Checkpoint.load(b).model();
        assertEquals(x.keySet(), y.keySet());
        double max = 0;
        for (String k : x.keySet()) {
            float[] u = x.get(k).floats(), v = y.get(k).floats();
            if (u == null) continue;
            for (int i = 0; i < u.length; i++) max = Math.max(max, Math.abs(u[i] - v[i]));
        }
        return max;
    }

    /** One process, in this JVM (already warm: the JIT warm-up of a fresh JVM is most of a run this small). */
    static Result trainHere(String name, String... extra) {
        List<String> args = new ArrayList<>(TRAIN);
        args.addAll(List.of(extra));
        args.addAll(List.of("--out", tmp.resolve(name).toString()));
        var r = RunnerCommandsTest.run(args.toArray(String[]::new));
        return new Result(r.code(), r.out() + r.err());
    }

    static void ok(Result r) {
        assertEquals(0, r.code(), r.log());
    }

    @Test
    void twoRanksOfSixteenMatchOneProcessOfThirtyTwo() throws Exception {
        ok(trainHere("one", "--epochs", "2"));
        Result two = train("two", List.of(), "--epochs", "2", "--nproc", "2");
        ok(two);
        assertTrue(two.log().contains("data-parallel: 2 ranks"), two.log());
        double d = maxDiff(tmp.resolve("one/last.ckpt"), tmp.resolve("two/last.ckpt"));
        System.out.printf("2 ranks x 16 vs 1 process x 32, 20 updates: max weight difference %.3g%n", d);
        assertTrue(d < TOLERANCE, "max weight difference " + d);
        assertNotEquals(0.0, maxDiff(tmp.resolve("one/last.ckpt"), tmp.resolve("one/epoch-001.ckpt")), "the weights moved");

        // killed after 12 updates (last.ckpt at update 10), resumed on 2 ranks: still the one-process weights
        Result crashed = train("resumed", List.of("-Dvitarena.test.stopAfterUpdates=12"), "--epochs", "2", "--nproc", "2", "--save-every", "5");
        ok(crashed);
        ok(train("resumed", List.of(), "--epochs", "2", "--nproc", "2", "--resume"));
        double r = maxDiff(tmp.resolve("one/last.ckpt"), tmp.resolve("resumed/last.ckpt"));
        System.out.printf("2 ranks resumed after update 10 vs 1 process: max weight difference %.3g%n", r);
        assertTrue(r < TOLERANCE, "max weight difference " + r);
    }

    @Test
    void withAccumulation() throws Exception {
        ok(trainHere("one-accum", "--epochs", "4", "--accum", "2"));
        ok(train("two-accum", List.of(), "--epochs", "4", "--accum", "2", "--nproc", "2"));
        double d = maxDiff(tmp.resolve("one-accum/last.ckpt"), tmp.resolve("two-accum/last.ckpt"));
        System.out.printf("2 ranks x 16, accum 2 vs 1 process x 32, accum 2, 20 updates: max weight difference %.3g%n", d);
        assertTrue(d < TOLERANCE, "max weight difference " + d);
    }

    @Test
    void aBatchThatDoesNotDivideIsRefused() throws Exception {
        Result r = train("odd", List.of(), "--epochs", "1", "--nproc", "2", "--batch", "15");
        assertNotEquals(0, r.code(), r.log());
        assertTrue(r.log().contains("--batch must divide by the number of processes (2)"), r.log());
    }

    @Test
    void aFailingRankEndsTheJob() throws Exception {
        long t0 = System.nanoTime();
        Result r = train("fail", List.of("-Dvitarena.test.failRank=1"), "--epochs", "1", "--nproc", "2");
        assertNotEquals(0, r.code(), r.log());
        assertTrue(r.log().contains("rank 1 of 2: failing on purpose"), r.log());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(120), "ended promptly");
    }
}
