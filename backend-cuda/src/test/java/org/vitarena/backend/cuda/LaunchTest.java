package org.vitarena.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaunchTest {
    private static void legal(Launch l) {
        assertTrue(l.gridX() >= 1 && l.gridY() >= 1 && l.gridY() <= 65535, "grid " + l);
        assertTrue(l.threads() >= 32 && l.threads() <= 1024 && l.threads() % 32 == 0, "block " + l);
    }

    @Test
    void elementwiseCoversSmallSizesAndCapsLargeOnes() {
        for (long n : new long[]{1, 31, 256, 257, 1_000_000, 3L << 30}) {
            Launch l = Launch.elementwise(n);
            legal(l);
            long threads = (long) l.gridX() * l.blockX();
            assertTrue(threads >= n || l.gridX() == Launch.MAX_ELEMENTWISE_BLOCKS, n + " -> " + l);
            assertTrue(threads < n + l.blockX() || n < 1, "no idle blocks for " + n);
        }
        assertEquals(1, Launch.elementwise(0).gridX());
    }

    @Test
    void rowsUseAPowerOfTwoBlockNearTheRowLength() {
        assertEquals(32, Launch.rows(10, 1).blockX());
        assertEquals(32, Launch.rows(10, 32).blockX());
        assertEquals(64, Launch.rows(10, 33).blockX());
        assertEquals(256, Launch.rows(10, 256).blockX());
        assertEquals(256, Launch.rows(10, 1536).blockX());
        assertEquals(10, Launch.rows(10, 1536).gridX());
        assertEquals(Launch.MAX_ROW_BLOCKS, Launch.rows(Integer.MAX_VALUE, 8).gridX());
        for (int c : new int[]{1, 7, 100, 577, 4096}) legal(Launch.rows(3, c));
    }

    @Test
    void columnChunksCoverEveryRowExactlyOnce() {
        for (int rows : new int[]{1, 63, 64, 65, 1000, 18_464, 4_000_000})
            for (int cols : new int[]{1, 31, 33, 768, 1536, 100_000}) {
                Launch l = Launch.columns(rows, cols);
                legal(l);
                assertEquals((cols + 31) / 32, l.gridX());
                assertTrue((long) l.gridY() * l.chunk() >= rows, "covers " + rows + " " + l);
                assertTrue((long) (l.gridY() - 1) * l.chunk() < rows, "no empty chunk " + rows + " " + l);
            }
    }

    @Test
    void sumSquaresUsesAFixedGrid() {
        assertEquals(Launch.SUM_SQUARES_BLOCKS, Launch.sumSquares(1L << 30).gridX());
        assertEquals(1, Launch.sumSquares(5).gridX());
    }
}
