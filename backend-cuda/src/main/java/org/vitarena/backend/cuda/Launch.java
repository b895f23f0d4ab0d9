package org.vitarena.backend.cuda;

/**
 * Launch configurations for the kernels in {@code src/main/cuda}. Every kernel loops grid-stride
 * (or block-stride over rows), so a grid smaller than the work is correct; these helpers size grids
 * to fill a GPU without exceeding the hardware limits (block ≤ 1024 threads, a multiple of the
 * 32-thread warp; gridDim.y ≤ 65535).
 *
 * @param gridX  blocks along x
 * @param gridY  blocks along y
 * @param blockX threads along x
 * @param blockY threads along y
 * @param chunk  for column reductions: rows per y-block; otherwise 0
 */
public record Launch(int gridX, int gridY, int blockX, int blockY, int chunk) {
    /** Threads per block of the elementwise kernels. */
    public static final int ELEMENTWISE_THREADS = 256;
    /** Most blocks an elementwise grid gets; beyond, threads loop. */
    public static final int MAX_ELEMENTWISE_BLOCKS = 65536;
    /** Most blocks of a block-per-row grid. */
    public static final int MAX_ROW_BLOCKS = 1 << 20;
    /** Blocks of the two-pass sum of squares (its partials are added on the host). */
    public static final int SUM_SQUARES_BLOCKS = 1024;
    /** Column reductions aim at this many blocks in all. */
    static final int COLUMN_TARGET_BLOCKS = 2048;
    static final int MAX_GRID_Y = 65535;

    public int threads() {
        return blockX * blockY;
    }

    /** One thread per element of n. */
    public static Launch elementwise(long n) {
        long blocks = (n + ELEMENTWISE_THREADS - 1) / ELEMENTWISE_THREADS;
        return new Launch((int) Math.clamp(blocks, 1, MAX_ELEMENTWISE_BLOCKS), 1, ELEMENTWISE_THREADS, 1, 0);
    }

    /** One block per row of C columns: a power of two from 32 to 256 threads, about one per column. */
    public static Launch rows(int rows, int cols) {
        int threads = Math.clamp(Integer.highestOneBit(Math.max(1, cols - 1)) << 1, 32, 256);
        return new Launch(Math.clamp(rows, 1, MAX_ROW_BLOCKS), 1, threads, 1, 0);
    }

    /** Column reduction of an R×C matrix: blocks of 32 columns × 8 row lanes, rows split into chunks. */
    public static Launch columns(int rows, int cols) {
        int colBlocks = Math.max(1, (cols + 31) / 32);
        int wantChunks = Math.max(1, COLUMN_TARGET_BLOCKS / colBlocks);
        // each chunk has at least 64 rows so a thread sums at least 8 values
        int chunks = Math.clamp(Math.min(wantChunks, (rows + 63) / 64), 1, MAX_GRID_Y);
        int chunk = Math.max(1, (rows + chunks - 1) / chunks);
        chunks = Math.max(1, (rows + chunk - 1) / chunk);
        return new Launch(colBlocks, chunks, 32, 8, chunk);
    }

    /** The sum of squares: a fixed grid so the host adds the same partials in the same order every time. */
    public static Launch sumSquares(long n) {
        long blocks = (n + ELEMENTWISE_THREADS - 1) / ELEMENTWISE_THREADS;
        return new Launch((int) Math.clamp(blocks, 1, SUM_SQUARES_BLOCKS), 1, ELEMENTWISE_THREADS, 1, 0);
    }

    /** A single block of 256 threads (final reductions). */
    public static Launch single() {
        return new Launch(1, 1, 256, 1, 0);
    }
}
