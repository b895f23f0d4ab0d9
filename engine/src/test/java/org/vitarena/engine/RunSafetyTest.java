package org.vitarena.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitarena.core.io.Safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** What a run folder guarantees: one owner, no silent reuse under another recipe, checkpoints checked whole. */
class RunSafetyTest {
    @TempDir Path tmp;
    private final ModelRegistry reg = ModelRegistry.fromClasspath();

    private static TrainConfig.Builder tiny() {
        return TrainConfig.builder("vit_demo").data(new DataSpec(null, 3, 4, 2, 3L, "fail")).epochs(1).batch(4).imgSize(32)
                .augment(TrainConfig.Augment.none()).seed(4L).loaderThreads(1);
    }

    @Test
    void aSecondOwnerIsRefusedAtOnceNamingTheHolder() throws IOException {
        Path run = tmp.resolve("run");
        try (RunFolder held = RunFolder.acquire(run)) {
            var e = assertThrows(RunConflictException.class, () -> new Trainer(reg, tiny().build(), run).run());
            assertEquals(RunConflictException.Kind.BUSY, e.kind());
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
            assertFalse(Files.exists(run.resolve(RunFolder.RECIPE_FILE)), "nothing was written");
        }
        new Trainer(reg, tiny().build(), run).run(); // released
    }

    @Test
    void aFolderHoldingARunIsNeitherReplacedNorResumedUnderAnotherRecipe() throws IOException {
        Path run = tmp.resolve("run");
        new Trainer(reg, tiny().build(), run).run();
        var exists = assertThrows(RunConflictException.class, () -> new Trainer(reg, tiny().build(), run).run());
        assertEquals(RunConflictException.Kind.EXISTS, exists.kind());
        assertTrue(exists.getMessage().contains("vit_demo (1 of 1 epochs done)"), exists.getMessage());

        TrainConfig other = tiny().epochs(2).lr(0.01f).augment(TrainConfig.Augment.light()).batch(2).build();
        var changed = assertThrows(RunConflictException.class, () -> new Trainer(reg, other, run).resume(true).run());
        assertEquals(RunConflictException.Kind.RECIPE_CHANGED, changed.kind());
        List<String> d = changed.differences();
        assertTrue(d.contains("epochs: 1 -> 2") && d.contains("lr: 0.001 -> 0.01") && d.contains("batch: 4 -> 2")
                && d.contains("augment: none -> light"), d.toString());
        // what the trainer says of an existing run without opening data, as runner --all asks before training
        var ex = new Trainer(reg, other, run).existing().orElseThrow();
        assertEquals(d, ex.differences());
        assertFalse(ex.finished());
        assertTrue(new Trainer(reg, tiny().build(), run).existing().orElseThrow().finished());
        // changed data is a changed recipe too
        var data = assertThrows(RunConflictException.class,
                () -> new Trainer(reg, tiny().data(new DataSpec(null, 3, 4, 2, 9L, "fail")).build(), run).resume(true).run());
        assertTrue(data.differences().contains("data.seed: 3 -> 9"), data.differences().toString());

        // restart discards it: a new run with the new recipe, nothing of the old one left
        var o = new Trainer(reg, other, run).restart(true).run();
        assertEquals(2, o.history().size());
        assertTrue(Files.readString(run.resolve(RunFolder.RECIPE_FILE)).contains("\"lr\" : \"0.01\""));
    }

    @Test
    void theCrcCoversTheWholeFileAndEveryReaderChecksIt() throws IOException {
        Path run = tmp.resolve("run");
        new Trainer(reg, tiny().build(), run).run();
        Path ckpt = run.resolve("last.ckpt");
        byte[] good = Files.readAllBytes(ckpt);
        String header = new String(good, 8, 4096, java.nio.charset.StandardCharsets.ISO_8859_1);
        // a changed learning rate inside the JSON state, same length: the old CRC (tensors only) accepted it
        int at = header.indexOf("\\\"lr\\\":0.001");
        assertTrue(at > 0, "lr in the state");
        byte[] edited = good.clone();
        edited[8 + at + "\\\"lr\\\":0.00".length()] = '9';
        Path bad = tmp.resolve("edited.ckpt");
        Files.write(bad, edited);
        var e = assertThrows(IOException.class, () -> Checkpoint.load(bad));
        assertTrue(e.getMessage().contains("edited.ckpt: corrupt"), e.getMessage());

        // --pretrained with a corrupt checkpoint is refused, not trained on
        var p = assertThrows(IOException.class, () -> new Trainer(reg, tiny().pretrained(bad).build(), tmp.resolve("p")).run());
        assertTrue(p.getMessage().contains("edited.ckpt: corrupt"), p.getMessage());
        // and a teacher likewise
        var t = assertThrows(IOException.class,
                () -> new Trainer(reg, tiny().teacher(bad).build().toBuilder().build(), tmp.resolve("t")).run());
        assertTrue(t.getMessage().contains("edited.ckpt: corrupt"), t.getMessage());
        // a valid checkpoint as --pretrained loads
        new Trainer(reg, tiny().pretrained(ckpt).build(), tmp.resolve("ok")).run();
    }

    @Test
    void temporaryFilesOfAKilledWriterAreRemovedAtTheNextStart() throws IOException {
        Path run = tmp.resolve("run");
        new Trainer(reg, tiny().build(), run).run();
        Files.write(run.resolve("epoch-002.ckpt.tmp-999-1"), new byte[1000]);
        Files.write(run.resolve("last.ckpt.tmp-link-999"), new byte[10]);
        new Trainer(reg, tiny().epochs(1).build(), run).resume(true).run();
        try (Stream<Path> s = Files.list(run)) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().contains(".tmp")).toList());
        }
    }

    @Test
    void aFailedCheckpointWriteSaysWhichFileAndWhyAndKeepsThePreviousOne() throws IOException {
        Path run = tmp.resolve("run");
        new Trainer(reg, tiny().build(), run).run();
        var loaded = Checkpoint.load(run.resolve("last.ckpt"));
        Path dir = tmp.resolve("readonly");
        Files.createDirectories(dir);
        Checkpoint.save(dir.resolve("x.ckpt"), loaded.state(), loaded.model(), loaded.optim());
        dir.toFile().setWritable(false);
        try {
            if (Files.isWritable(dir)) return; // running as a user the permissions do not bind (root): nothing to show
            var e = assertThrows(IOException.class, () -> Checkpoint.save(dir.resolve("x.ckpt"), loaded.state(), Map.of(), Map.of()));
            assertTrue(e.getMessage().contains("x.ckpt") && e.getMessage().contains("intact"), e.getMessage());
            assertEquals(loaded.state().update(), Checkpoint.load(dir.resolve("x.ckpt")).state().update());
        } finally {
            dir.toFile().setWritable(true);
        }
    }

    @Test
    void checkpointsWrittenByTheFirstFormatAreStillRead() throws IOException {
        Path run = tmp.resolve("run");
        new Trainer(reg, tiny().build(), run).run();
        var l = Checkpoint.load(run.resolve("last.ckpt"));
        assertEquals(Checkpoint.FORMAT, l.state().format());
        // format 1: the CRC of the tensors inside the JSON state, no whole-file CRC
        Map<String, Safetensors.Entry> all = new java.util.LinkedHashMap<>();
        l.model().forEach((k, v) -> all.put("model." + k, v));
        l.optim().forEach((k, v) -> all.put("optim." + k, v));
        var s = l.state();
        var v1 = new Checkpoint.State(1, s.model(), s.family(), s.numClasses(), s.imgSize(), s.labelMap(), s.config(), s.epoch(), s.batch(),
                s.update(), s.micro(), s.history(), Checkpoint.tensorCrc(all));
        Path old = tmp.resolve("v1.ckpt");
        Safetensors.write(old, all, Map.of(Checkpoint.META_KEY, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(v1)));
        assertEquals(s.update(), Checkpoint.load(old).state().update());
        float[] w = all.get("model.head.weight").floats();
        w[0] += 1f;
        Safetensors.write(old, all, Map.of(Checkpoint.META_KEY, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(v1)));
        assertTrue(assertThrows(IOException.class, () -> Checkpoint.load(old)).getMessage().contains("corrupt"));
    }
}
