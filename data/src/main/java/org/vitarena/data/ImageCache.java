package org.vitarena.data;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * A split of decoded images in one memory-mapped file.
 *
 * <p>Layout (little endian): a 64-byte header, the pixels {@code [N, S, S, 3]} uint8 RGB, the labels
 * {@code int[N]}, the label map as UTF-8 ({@link LabelMap#encode()}).
 * <pre>
 * 0  "VITCACHE"   8  version   12 imageSize   16 count   20 numClasses   24 sourceChecksum (long)
 * 32 skipped     36 labelMapBytes   40 fileLength (long)   48..63 reserved
 * </pre>
 * The source checksum is a SHA-256 (first 8 bytes) over the listing: each file's relative path, size,
 * modification time and label, the label map, the image size and the bad-image policy. A cache whose
 * checksum differs is rebuilt; a cache shorter than its header says is refused.
 */
public final class ImageCache implements Dataset {
    static final byte[] MAGIC = "VITCACHE".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER = 64;

    private final Path file;
    private final MemorySegment data;
    private final int imageSize;
    private final int count;
    private final int[] labels;
    private final LabelMap labelMap;
    private final int skipped;
    private final long sourceChecksum;

    private ImageCache(Path file, MemorySegment data, int imageSize, int[] labels, LabelMap labelMap, int skipped, long sourceChecksum) {
        this.file = file;
        this.data = data;
        this.imageSize = imageSize;
        this.count = labels.length;
        this.labels = labels;
        this.labelMap = labelMap;
        this.skipped = skipped;
        this.sourceChecksum = sourceChecksum;
    }

    /**
     * The images a cache is decoded from: files on disk ({@link #files}) or records of a container file
     * such as IDX. Implementations are read from several threads at once.
     */
    public interface Source {
        /** Number of images. */
        int size();

        /** Class index of image {@code i}, or -1 when unlabelled. */
        int label(int i);

        /**
         * Image {@code i} as uint8 RGB HWC of side {@code size}; a {@link DataException} naming the file
         * and the problem when it cannot be decoded or declares more than {@code maxPixels} pixels.
         */
        byte[] decode(int i, int size, long maxPixels);

        /** Feeds what identifies the source (names, sizes, modification times, labels, subsets) to {@code md}. */
        void identify(MessageDigest md) throws IOException;

        /** For progress lines: "1200 files under DIR". */
        String describe();

        /**
         * Called once before the first {@link #decode}: reads and checks what is shared by all images (an
         * IDX file's pixels). A problem here is a {@link DataException} whatever the bad-image policy.
         */
        default void prepare(long maxPixels) {}
    }

    /** Image files, each decoded by {@link Images#decodeRgb}; {@code root} makes the checksummed paths relative. */
    public static Source files(Path root, List<TinyImageNet.Entry> entries) {
        return new Source() {
            @Override public int size() { return entries.size(); }
            @Override public int label(int i) { return entries.get(i).label(); }
            @Override public byte[] decode(int i, int size, long maxPixels) { return Images.decodeRgb(entries.get(i).file(), size, maxPixels); }
            @Override public String describe() { return entries.size() + " files under " + root; }

            @Override
            public void identify(MessageDigest md) throws IOException {
                ByteBuffer b = ByteBuffer.allocate(24);
                for (TinyImageNet.Entry e : entries) {
                    md.update(root.relativize(e.file()).toString().getBytes(StandardCharsets.UTF_8));
                    BasicFileAttributes a = Files.readAttributes(e.file(), BasicFileAttributes.class);
                    b.clear();
                    b.putLong(a.size()).putLong(a.lastModifiedTime().toMillis()).putInt(e.label()).putInt(0);
                    md.update(b.array());
                }
            }
        };
    }

    /** Opens the cache at {@code file} if it matches the listing, else builds it (in parallel, with progress). */
    public static ImageCache openOrBuild(Path file, Path root, List<TinyImageNet.Entry> entries, LabelMap map, TinyImageNet.Options opt) {
        return openOrBuild(file, root, files(root, entries), map, opt);
    }

    /** Opens the cache at {@code file} if it matches {@code source}, else builds it from {@code source}. */
    public static ImageCache openOrBuild(Path file, Path root, Source source, LabelMap map, TinyImageNet.Options opt) {
        long checksum = checksum(root, source, map, opt);
        if (Files.exists(file)) {
            ImageCache c = open(file);
            if (c.sourceChecksum == checksum && c.imageSize == opt.imageSize()) {
                if (c.skipped > 0 && opt.progress() != null) opt.progress().println(file + ": " + c.skipped + " unreadable images were skipped when this cache was built");
                return c;
            }
            if (opt.progress() != null) opt.progress().println(file + ": source files changed, rebuilding the cache");
        }
        build(file, source, map, checksum, opt);
        return open(file);
    }

    /** Opens an existing cache file; throws a {@link DataException} naming the file if it is not a valid cache. */
    public static ImageCache open(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            String fix = " Delete it and it will be rebuilt from the source images.";
            if (size < HEADER) throw new DataException(file + ": truncated cache file (" + size + " bytes, shorter than its header)." + fix);
            ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            while (h.hasRemaining() && ch.read(h, h.position()) >= 0) { /* fill */ }
            h.flip();
            byte[] magic = new byte[8];
            h.get(magic);
            if (!Arrays.equals(magic, MAGIC)) throw new DataException(file + ": not a ViT Arena image cache (bad magic)." + fix);
            int version = h.getInt();
            if (version != VERSION) throw new DataException(file + ": cache format version " + version + ", this build reads " + VERSION + "." + fix);
            int imageSize = h.getInt(), count = h.getInt(), numClasses = h.getInt();
            long checksum = h.getLong();
            int skipped = h.getInt(), mapBytes = h.getInt();
            long length = h.getLong();
            long pixels = (long) count * imageSize * imageSize * 3;
            long expected = HEADER + pixels + 4L * count + mapBytes;
            if (length != expected || imageSize <= 0 || count < 0) throw new DataException(file + ": corrupt cache header." + fix);
            if (size < expected) throw new DataException(file + ": truncated cache file (" + size + " of " + expected + " bytes)." + fix);
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, expected, Arena.ofAuto());
            int[] labels = new int[count];
            MemorySegment.copy(seg, ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), HEADER + pixels, labels, 0, count);
            byte[] mapUtf8 = new byte[mapBytes];
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, HEADER + pixels + 4L * count, mapUtf8, 0, mapBytes);
            LabelMap map = LabelMap.decode(new String(mapUtf8, StandardCharsets.UTF_8));
            if (map.size() != numClasses) throw new DataException(file + ": corrupt cache (label map has " + map.size() + " classes, header says " + numClasses + ")." + fix);
            return new ImageCache(file, seg, imageSize, labels, map, skipped, checksum);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read cache (" + e.getMessage() + ")", e);
        }
    }

    static long checksum(Path root, List<TinyImageNet.Entry> entries, LabelMap map, TinyImageNet.Options opt) {
        return checksum(root, files(root, entries), map, opt);
    }

    static long checksum(Path root, Source source, LabelMap map, TinyImageNet.Options opt) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            source.identify(md);
            md.update(map.encode().getBytes(StandardCharsets.UTF_8));
            md.update((opt.imageSize() + "/" + opt.onBadImage()).getBytes(StandardCharsets.UTF_8));
            // another image-size limit can change which images are in (the default keeps caches built before the limit existed)
            if (opt.maxPixels() != Images.DEFAULT_MAX_PIXELS) md.update(("/max" + opt.maxPixels()).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(md.digest()).getLong();
        } catch (IOException e) {
            throw new DataException("cannot stat the source files under " + root + " (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void build(Path file, Source source, LabelMap map, long checksum, TinyImageNet.Options opt) {
        int s = opt.imageSize();
        int imgBytes = s * s * 3;
        int n = source.size();
        PrintStream progress = opt.progress();
        if (progress != null) progress.printf("building image cache %s from %s (%d threads)%n", file, source.describe(), opt.threads());
        long t0 = System.nanoTime();
        // a name of its own: two processes building the same cache each write their own file, and the last rename wins
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        List<String> skippedFiles = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        source.prepare(opt.maxPixels());
        try {
            Files.createDirectories(file.getParent());
            ForkJoinPool pool = new ForkJoinPool(Math.max(1, opt.threads()));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                long pos = HEADER;
                int chunk = 512;
                AtomicInteger done = new AtomicInteger();
                int lastPct = -1;
                for (int start = 0; start < n; start += chunk) {
                    int from = start, to = Math.min(n, start + chunk);
                    byte[][] decoded = new byte[to - from][];
                    String[] errors = new String[to - from];
                    pool.submit(() -> IntStream.range(from, to).parallel().forEach(i -> {
                        try {
                            decoded[i - from] = source.decode(i, s, opt.maxPixels());
                        } catch (DataException e) {
                            errors[i - from] = e.getMessage();
                        }
                        done.incrementAndGet();
                    })).get();
                    for (int i = 0; i < to - from; i++) {
                        if (errors[i] != null) {
                            if (opt.onBadImage() == OnBadImage.FAIL) {
                                throw new DataException(errors[i] + ". Fix or remove the file, or pass --on-bad-image skip to leave unreadable files out.");
                            }
                            skippedFiles.add(errors[i]);
                            continue;
                        }
                        ByteBuffer bb = ByteBuffer.wrap(decoded[i]);
                        while (bb.hasRemaining()) pos += ch.write(bb, pos);
                        labels.add(source.label(from + i));
                    }
                    int pct = (int) (100L * to / n);
                    if (progress != null && pct / 10 != lastPct / 10) {
                        progress.printf("  %d/%d images (%d%%)%n", to, n, pct);
                        lastPct = pct;
                    }
                }
                int count = labels.size();
                ByteBuffer lb = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
                for (int l : labels) lb.putInt(l);
                lb.flip();
                while (lb.hasRemaining()) pos += ch.write(lb, pos);
                byte[] mapUtf8 = map.encode().getBytes(StandardCharsets.UTF_8);
                ByteBuffer mb = ByteBuffer.wrap(mapUtf8);
                while (mb.hasRemaining()) pos += ch.write(mb, pos);
                ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
                h.put(MAGIC).putInt(VERSION).putInt(s).putInt(count).putInt(map.size()).putLong(checksum)
                        .putInt(skippedFiles.size()).putInt(mapUtf8.length).putLong(pos);
                h.position(HEADER).flip();
                while (h.hasRemaining()) ch.write(h, h.position());
                if (pos != HEADER + (long) count * imgBytes + 4L * count + mapUtf8.length) throw new IllegalStateException("cache size mismatch");
            } finally {
                pool.shutdown();
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new DataException(file + ": cannot write cache (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException(file + ": cache build interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new DataException(file + ": cache build failed (" + e.getCause() + ")", e.getCause());
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
        }
        if (progress != null) {
            progress.printf("built %s: %d images in %.1f s%n", file, labels.size(), (System.nanoTime() - t0) / 1e9);
            if (!skippedFiles.isEmpty()) {
                progress.printf("skipped %d unreadable images (--on-bad-image skip); first: %s%n", skippedFiles.size(), skippedFiles.getFirst());
            }
        }
    }

    /** Number of source files left out as unreadable when the cache was built. */
    public int skipped() { return skipped; }

    public Path file() { return file; }

    /** The checksum of the source listing this cache was decoded from (paths, sizes, times, labels, size, policy). */
    public long sourceChecksum() { return sourceChecksum; }

    @Override public int size() { return count; }
    @Override public int label(int i) { return labels[i]; }
    @Override public int numClasses() { return labelMap.size(); }
    @Override public List<String> classIds() { return labelMap.ids(); }
    @Override public List<String> classNames() { return labelMap.names(); }
    @Override public int imageSize() { return imageSize; }
    @Override public LabelMap labelMap() { return labelMap; }

    @Override
    public byte[] loadRgb(int i) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException("image " + i + " of " + count);
        int n = imageSize * imageSize * 3;
        byte[] out = new byte[n];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, HEADER + (long) i * n, out, 0, n);
        return out;
    }
}
