package org.vitarena.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The engine as a library: configuration errors in its own words, the listener's events, which checkpoint a resume takes. */
class EngineApiTest {
    @TempDir Path tmp;
    private final ModelRegistry reg = ModelRegistry.fromClasspath();

    private static TrainConfig.Builder tiny(String model) {
        return TrainConfig.builder(model).data(new DataSpec(null, 3, 8, 2, 3L, "fail")).epochs(2).batch(8).imgSize(32)
                .augment(TrainConfig.Augment.none()).seed(4L).loaderThreads(1).keepLast(2);
    }

    @Test
    void builderDefaultsAreThePapersRecipe() {
        TrainConfig c = TrainConfig.builder("vit_demo").build();
        assertEquals(30, c.epochs());
        assertEquals(32, c.batch());
        assertEquals("adamw", c.optimizer());
        assertEquals(1e-3f, c.lr());
        assertEquals(0.05f, c.weightDecay());
        assertEquals(TrainConfig.Augment.paper(), c.augment());
        assertTrue(c.data().isSynthetic());
        assertEquals(c, c.toBuilder().build(), "toBuilder round-trips");
    }

    @Test
    void settingsOutOfRangeAreNamedInTheEnginesWords() {
        var e = assertThrows(InvalidConfigException.class, () -> TrainConfig.builder("vit_demo").lr(-1f).build());
        assertEquals("lr", e.key());
        assertEquals("lr must be > 0, got -1.0", e.getMessage());
        assertEquals("keepLast", assertThrows(InvalidConfigException.class, () -> TrainConfig.builder("m").keepLast(0).build()).key());
        assertEquals("optimizer", assertThrows(InvalidConfigException.class, () -> TrainConfig.builder("m").optimizer("lamb").build()).key());
        assertEquals("dropPath", assertThrows(InvalidConfigException.class, () -> TrainConfig.builder("m").dropPath(1f).build()).key());
        assertEquals("evalEvery", assertThrows(InvalidConfigException.class, () -> TrainConfig.builder("m").evalEvery(0).build()).key());
        var a = assertThrows(InvalidConfigException.class, () -> TrainConfig.Augment.named("strong"));
        assertEquals("augment", a.key());
        assertTrue(a.getMessage().contains("paper, light or none"), a.getMessage());
    }

    @Test
    void listenerHearsEveryEventInOrder() throws IOException {
        List<String> events = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override public void runStarted(RunStart s) { events.add("run " + s.batchesPerEpoch() + (s.resumedFrom() == null ? " new" : " resumed")); }
            @Override public void epochStarted(int e, int n, int from, int b) { events.add("epoch " + e + "/" + n); }
            @Override public void step(Step s) { events.add("step " + s.batch() + "/" + s.batches() + (s.updated() ? " u" + s.update() : "")); }
            @Override public void epochTrained(int e) { events.add("trained " + e); }
            @Override public void evaluated(int e, Evaluator.Result r) { events.add("eval " + e + " " + r.images()); }
            @Override public void epochEnded(Checkpoint.EpochRecord r, long micro) { events.add("end " + r.epoch() + " micro " + micro); }
            @Override public void checkpointSaved(Path f) { events.add("saved " + f.getFileName()); }
        };
        // 24 images, batch 8: 3 batches an epoch; accum 2: updates after batches 2 and 3 (a short last group)
        new Trainer(reg, tiny("vit_demo").accum(2).build(), tmp.resolve("run")).listener(l).run();
        assertEquals(List.of("run 3 new",
                "epoch 1/2", "step 1/3", "step 2/3 u1", "step 3/3 u2", "trained 1", "eval 1 6", "end 1 micro 3", "saved epoch-001.ckpt",
                "epoch 2/2", "step 1/3", "step 2/3 u3", "step 3/3 u4", "trained 2", "eval 2 6", "end 2 micro 6", "saved epoch-002.ckpt"), events);
    }

    @Test
    void resumeTakesTheNewestCheckpointThatLoadsAndSaysWhichItPassedOver() throws IOException {
        Path run = tmp.resolve("run");
        new Trainer(reg, tiny("vit_demo").build(), run).run();
        CheckpointStore store = new CheckpointStore(run, 2);
        assertEquals(List.of(store.epochFile(1), store.epochFile(2)), store.epochFiles());
        // last.ckpt and the newest epoch file damaged: epoch 1 is what is left
        Files.write(store.last(), new byte[]{1, 2, 3});
        byte[] b = Files.readAllBytes(store.epochFile(2));
        Files.write(store.epochFile(2), java.util.Arrays.copyOf(b, b.length / 2));
        List<String> said = new ArrayList<>();
        var r = store.resumePoint(said::add).orElseThrow();
        assertEquals(store.epochFile(1), r.file());
        assertEquals(1, r.loaded().state().epoch());
        assertEquals(2, said.size(), said.toString());
        assertTrue(said.get(0).contains("last.ckpt") && said.get(1).contains("epoch-002.ckpt"), said.toString());
        // and the trainer continues from it to the end
        List<String> resumed = new ArrayList<>();
        var o = new Trainer(reg, tiny("vit_demo").build(), run).resume(true).listener(new TrainingListener() {
            @Override public void runStarted(RunStart s) { resumed.add(s.resumedFrom().getFileName() + " epoch " + s.epoch()); }
        }).run();
        assertEquals(List.of("epoch-001.ckpt epoch 2"), resumed);
        assertEquals(2, o.history().size());
    }

    @Test
    void emptyFolderHasNoResumePoint() throws IOException {
        assertTrue(new CheckpointStore(tmp.resolve("none"), 1).resumePoint(s -> fail(s)).isEmpty());
    }
}
