package org.vitarena.engine;

import org.vitarena.core.io.Safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The checkpoints of one run folder: {@code epoch-NNN.ckpt} after every epoch (the newest
 * {@code keepLast} kept), {@code last.ckpt} always the newest state (also mid-epoch with
 * {@code saveEvery}), and which one a resumed run continues from.
 */
public final class CheckpointStore {
    public static final String LAST = "last.ckpt";
    private final Path dir;
    private final int keepLast;

    public CheckpointStore(Path dir, int keepLast) {
        if (keepLast < 1) throw new IllegalArgumentException("keepLast must be >= 1, got " + keepLast);
        this.dir = dir;
        this.keepLast = keepLast;
    }

    public Path dir() {
        return dir;
    }

    public Path last() {
        return dir.resolve(LAST);
    }

    public Path epochFile(int epoch) {
        return dir.resolve(String.format("epoch-%03d.ckpt", epoch));
    }

    /** The newest state mid-epoch: {@code last.ckpt} only. */
    public Path saveLast(Checkpoint.State state, Map<String, Safetensors.Entry> model, Map<String, Safetensors.Entry> optim)
            throws IOException {
        Checkpoint.save(last(), state, model, optim);
        return last();
    }

    /**
     * The state at the end of epoch {@code epoch}: its epoch file (crash-safe, see {@link Checkpoint#save}),
     * then {@code last.ckpt} atomically renamed over by a hard link to it (a second write where the file
     * system has no hard links), then epoch files beyond the newest {@code keepLast} deleted.
     */
    public Path saveEpoch(int epoch, Checkpoint.State state, Map<String, Safetensors.Entry> model, Map<String, Safetensors.Entry> optim)
            throws IOException {
        Path file = epochFile(epoch);
        Checkpoint.save(file, state, model, optim);
        Path link = dir.resolve(LAST + ".tmp-link-" + ProcessHandle.current().pid());
        try {
            Files.deleteIfExists(link);
            Files.createLink(link, file);
            TestHooks.pause("epoch-file-written");
            Files.move(link, last(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Checkpoint.forceDirectory(dir);
        } catch (UnsupportedOperationException | IOException e) {
            Files.deleteIfExists(link);
            Checkpoint.save(last(), state, model, optim);
        }
        prune();
        return file;
    }

    /** Epoch checkpoints, oldest first. */
    public List<Path> epochFiles() throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("epoch-\\d+\\.ckpt")).sorted().toList();
        }
    }

    private void prune() throws IOException {
        List<Path> epochs = epochFiles();
        for (int i = 0; i < epochs.size() - keepLast; i++) Files.deleteIfExists(epochs.get(i));
    }

    /**
     * The checkpoint to resume from: {@code last.ckpt} when it loads, else the newest epoch file that
     * does; each one passed over is reported with the reason. Empty when the folder holds none.
     */
    public Optional<Resume> resumePoint(Consumer<String> log) throws IOException {
        List<Path> candidates = new ArrayList<>();
        if (Files.exists(last())) candidates.add(last());
        List<Path> epochs = new ArrayList<>(epochFiles());
        java.util.Collections.reverse(epochs);
        candidates.addAll(epochs);
        for (Path p : candidates) {
            try {
                return Optional.of(new Resume(p, Checkpoint.load(p)));
            } catch (IOException e) {
                log.accept("passing over " + p + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** A checkpoint to continue from and what it holds. */
    public record Resume(Path file, Checkpoint.Loaded loaded) {}
}
