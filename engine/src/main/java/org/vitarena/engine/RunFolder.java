package org.vitarena.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A run folder owned by this process: {@link #acquire} takes an exclusive lock on {@code .lock}
 * (held until {@link #close}; the file names the holder), removes the temporary files a killed writer
 * left, and gives access to the recorded {@link Recipe} ({@code run.json}) and the checkpoints.
 * A second process asking for the same folder is refused at once with the holder's name.
 */
public final class RunFolder implements AutoCloseable {
    public static final String RECIPE_FILE = "run.json";
    static final String LOCK_FILE = ".lock";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private RunFolder(Path dir, FileChannel ch, FileLock lock) {
        this.dir = dir;
        this.lockChannel = ch;
        this.lock = lock;
    }

    /**
     * Creates the folder if needed and takes it.
     *
     * @throws RunConflictException (BUSY) when another process (or another run in this one) holds it
     * @throws IOException          naming the folder when it cannot be created or written
     */
    public static RunFolder acquire(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create the run folder " + dir + ": " + IoErrors.describe(e), e);
        }
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("cannot write in the run folder " + dir + " (" + lockFile.getFileName() + "): " + IoErrors.describe(e), e);
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String holder = holder(ch);
            ch.close();
            throw new RunConflictException(RunConflictException.Kind.BUSY, dir,
                    dir + " is in use by another run (" + holder + "); wait for it to end or use another output folder", List.of());
        }
        String me = "pid " + ProcessHandle.current().pid() + " on " + host() + " since " + Instant.now();
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        RunFolder f = new RunFolder(dir, ch, lock);
        f.removeTemporaryFiles();
        return f;
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(512);
            int r = ch.read(b, 0);
            String s = r <= 0 ? "" : new String(b.array(), 0, r, StandardCharsets.UTF_8).trim();
            return s.isEmpty() ? "holder unknown" : s;
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    private static String host() {
        String n = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
        int at = n.indexOf('@');
        return at >= 0 ? n.substring(at + 1) : "this host";
    }

    public Path dir() {
        return dir;
    }

    /** Removes {@code *.tmp*} files: only a writer killed mid-write leaves them, and this process owns the folder now. */
    void removeTemporaryFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().contains(".tmp")).toList()) Files.deleteIfExists(p);
        }
    }

    /** Whether the folder holds a run: a recorded recipe or any checkpoint. */
    public boolean holdsRun() throws IOException {
        if (Files.exists(dir.resolve(RECIPE_FILE))) return true;
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".ckpt"));
        }
    }

    /** The recorded recipe, if any. */
    public Optional<Recipe> recipe() throws IOException {
        return readRecipe(dir);
    }

    /** The recipe recorded in a run folder, if any, read without taking the folder (for inspecting a run from outside). */
    public static Optional<Recipe> readRecipe(Path dir) throws IOException {
        Path f = dir.resolve(RECIPE_FILE);
        if (!Files.exists(f)) return Optional.empty();
        try {
            Map<String, String> m = JSON.readValue(f.toFile(), new TypeReference<LinkedHashMap<String, String>>() {});
            return Optional.of(new Recipe(m));
        } catch (IOException e) {
            throw new IOException(f + " is unreadable (" + e.getMessage() + "); restart the run to discard it or use another output folder", e);
        }
    }

    /** Records the recipe, atomically. */
    public void writeRecipe(Recipe r) throws IOException {
        Path f = dir.resolve(RECIPE_FILE), tmp = dir.resolve(RECIPE_FILE + ".tmp");
        try {
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(r.entries()));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Checkpoint.forceDirectory(dir);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot write " + f + ": " + IoErrors.describe(e), e);
        }
    }

    /** Discards the run this folder holds: its recipe, checkpoints and metrics. Other files are left alone. */
    public List<Path> discard() throws IOException {
        List<Path> gone = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.equals(RECIPE_FILE) || n.endsWith(".ckpt") || n.equals("metrics.jsonl")) {
                    Files.delete(p);
                    gone.add(p);
                }
            }
        }
        return gone;
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }
}
