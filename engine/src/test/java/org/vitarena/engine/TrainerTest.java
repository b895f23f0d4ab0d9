package org.vitarena.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.core.Tensor;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.ops.Norms;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The training engine with tiny budgets: exact resume, accumulation, frozen backbone, distillation, bad checkpoints. */
class TrainerTest {
    @TempDir Path tmp;
    private final ModelRegistry reg = ModelRegistry.fromClasspath();

    private static TrainConfig cfg(String model, int epochs, int batch, int accum, String opt, float lr, TrainConfig.Augment aug,
                                   float dropPath, boolean freeze, int saveEvery, int classes, int perClass) {
        return new TrainConfig(model, new DataSpec(null, classes, perClass, 2, 3L, "fail"), epochs, batch, accum, 32, opt, lr, 1e-5f,
                0.05f, 0f, 0.5f, dropPath, 0f, false, freeze, null, null, aug, 11L, 2, saveEvery, 2, 1, List.of("test"));
    }

    private static Map<String, Safetensors.Entry> weights(Path ckpt) throws IOException {
        return Checkpoint.load(ckpt).model();
    }

    @Test
    void resumedRunEndsBitIdenticalToAnUninterruptedOne() throws IOException {
        // paper augmentation (mixup/cutmix, RandAugment, erasing) and drop-path: every random stream is exercised
        TrainConfig c = cfg("vit_demo", 2, 4, 2, "adamw", 1e-3f, TrainConfig.Augment.paper(), 0.1f, false, 1, 3, 6);
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        new Trainer(reg, c, a).run();
        // "crash" after 3 updates (mid-epoch: 18 images, batch 4 → 4 batches → 2 updates per epoch), then resume twice
        assertNull(new Trainer(reg, c, b).stopAfterUpdates(3).run());
        assertNull(new Trainer(reg, c, b).resume(true).stopAfterUpdates(0).run());
        new Trainer(reg, c, b).resume(true).run();
        var wa = weights(a.resolve("last.ckpt"));
        var wb = weights(b.resolve("last.ckpt"));
        assertEquals(wa.keySet(), wb.keySet());
        for (String k : wa.keySet()) assertArrayEquals(wa.get(k).floats(), wb.get(k).floats(), k);
        assertEquals(Checkpoint.load(a.resolve("last.ckpt")).state().update(), Checkpoint.load(b.resolve("last.ckpt")).state().update());
    }

    @Test
    void accumulatingFourBatchesOfEightEqualsOneBatchOf32() throws IOException {
        // SGD: the update is linear in the gradient, so the comparison measures the gradients themselves
        TrainConfig big = cfg("vit_demo", 1, 32, 1, "sgd", 0.5f, TrainConfig.Augment.none(), 0f, false, 0, 4, 8);
        TrainConfig acc = cfg("vit_demo", 1, 8, 4, "sgd", 0.5f, TrainConfig.Augment.none(), 0f, false, 0, 4, 8);
        new Trainer(reg, big, tmp.resolve("big")).run();
        new Trainer(reg, acc, tmp.resolve("acc")).run();
        var w1 = weights(tmp.resolve("big/last.ckpt"));
        var w2 = weights(tmp.resolve("acc/last.ckpt"));
        double worst = 0;
        for (String k : w1.keySet()) {
            float[] x = w1.get(k).floats(), y = w2.get(k).floats();
            for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
        }
        assertTrue(worst < 2e-6, "max weight difference " + worst);
        assertEquals(1, Checkpoint.load(tmp.resolve("acc/last.ckpt")).state().update());
    }

    @Test
    void frozenBackboneStaysUnchangedAndOnlyTheHeadTrains() throws IOException {
        TrainConfig c = cfg("vit_demo", 1, 8, 1, "adamw", 1e-2f, TrainConfig.Augment.light(), 0f, true, 0, 3, 8);
        var fresh = reg.create("vit_demo", new org.vitarena.spi.ModelOptions(3, 32, 0f, 11L));
        new Trainer(reg, c, tmp.resolve("f")).run();
        var w = weights(tmp.resolve("f/last.ckpt"));
        int changedHead = 0;
        for (var e : fresh.namedParameters().entrySet()) {
            float[] before = e.getValue().toArray(), after = w.get(e.getKey()).floats();
            if (e.getKey().startsWith("head.")) {
                if (!java.util.Arrays.equals(before, after)) changedHead++;
            } else {
                assertArrayEquals(before, after, "frozen " + e.getKey() + " changed");
            }
        }
        assertEquals(2, changedHead);
        // the optimiser never held state for a frozen parameter: nothing of the backbone was differentiated
        var optim = Checkpoint.load(tmp.resolve("f/last.ckpt")).optim();
        assertTrue(optim.keySet().stream().allMatch(k -> k.contains("head.")), optim.keySet().toString());
    }

    @Test
    void distillationLossIsHalfClassPlusHalfTeacherArgmax() {
        Tensor cls = Tensor.of(new float[]{2f, 0f, -1f, 0.5f, 0.5f, 0f}, 2, 3);
        Tensor dist = Tensor.of(new float[]{0f, 1f, 0f, -2f, 0f, 2f}, 2, 3);
        Tensor targets = Norms.oneHot(new int[]{0, 1}, 3, 0f);
        float got = TrainStep.lossFor(List.of(cls, dist), targets, new int[]{1, 2}).item();
        // by hand: CE row = logsumexp(row) - row[label]
        double ce1 = ((lse(2, 0, -1) - 2) + (lse(0.5, 0.5, 0) - 0.5)) / 2;
        double ce2 = ((lse(0, 1, 0) - 1) + (lse(-2, 0, 2) - 2)) / 2;
        assertEquals(0.5 * ce1 + 0.5 * ce2, got, 1e-6);
    }

    @Test
    void deitTrainsAgainstATeachersArgmaxWhenGivenATeacher() throws IOException {
        TrainConfig teacherCfg = cfg("vit_demo", 1, 8, 1, "adamw", 1e-3f, TrainConfig.Augment.none(), 0f, false, 0, 3, 8);
        new Trainer(reg, teacherCfg, tmp.resolve("teacher")).run();
        TrainConfig base = cfg("deit_demo", 1, 8, 1, "adamw", 1e-3f, TrainConfig.Augment.none(), 0f, false, 0, 3, 8);
        TrainConfig withTeacher = new TrainConfig(base.model(), base.data(), 1, 8, 1, 32, "adamw", 1e-3f, 1e-5f, 0.05f, 0f, 0f, 0f, 0f,
                false, false, null, tmp.resolve("teacher/last.ckpt").toString(), TrainConfig.Augment.none(), 11L, 2, 0, 2, 1, List.of("t"));
        new Trainer(reg, base, tmp.resolve("plain")).run();
        new Trainer(reg, withTeacher, tmp.resolve("distilled")).run();
        var plain = weights(tmp.resolve("plain/last.ckpt")).get("head_dist.weight").floats();
        var distilled = weights(tmp.resolve("distilled/last.ckpt")).get("head_dist.weight").floats();
        // same data, seed and labels for the class head: only the teacher's argmax targets differ
        assertFalse(java.util.Arrays.equals(plain, distilled), "the teacher's labels must change what head_dist learns");
    }

    private static double lse(double... v) {
        double s = 0;
        for (double x : v) s += Math.exp(x);
        return Math.log(s);
    }

    @Test
    void truncatedOrForeignCheckpointsAreRefusedWithTheirName() throws IOException {
        TrainConfig c = cfg("deit_demo", 1, 8, 1, "adamw", 1e-3f, TrainConfig.Augment.none(), 0f, false, 0, 3, 4);
        new Trainer(reg, c, tmp.resolve("t")).run();
        Path good = tmp.resolve("t/last.ckpt");
        byte[] bytes = Files.readAllBytes(good);
        Path cut = tmp.resolve("cut.ckpt");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        var e1 = assertThrows(IOException.class, () -> Checkpoint.load(cut));
        assertTrue(e1.getMessage().contains("cut.ckpt"), e1.getMessage());
        Path flipped = tmp.resolve("flipped.ckpt");
        bytes[bytes.length - 3] ^= 0x40;
        Files.write(flipped, bytes);
        var e2 = assertThrows(IOException.class, () -> Checkpoint.load(flipped));
        assertTrue(e2.getMessage().contains("flipped.ckpt") && e2.getMessage().contains("corrupt"), e2.getMessage());
        Path weightsOnly = tmp.resolve("w.safetensors");
        Safetensors.write(weightsOnly, Checkpoint.load(good).model(), null);
        var e3 = assertThrows(IOException.class, () -> Checkpoint.load(weightsOnly));
        assertTrue(e3.getMessage().contains("weights file"), e3.getMessage());
    }

    @Test
    void divergingLossStopsWithAClearMessageAndKeepsTheLastCheckpoint() throws IOException {
        TrainConfig c = cfg("vit_demo", 3, 8, 1, "sgd", 1e9f, TrainConfig.Augment.none(), 0f, false, 0, 3, 8);
        var e = assertThrows(Trainer.DivergedException.class, () -> new Trainer(reg, c, tmp.resolve("nan")).run());
        assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
    }
}
