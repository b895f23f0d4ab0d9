package org.vitarena.runner.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class PredictionGridTest {
    /** n images of side s, each a flat colour (r,g,b in [0,1]) normalised as the data pipeline does. */
    static float[] flatImages(int n, int s, float[][] rgb) {
        float[] out = new float[n * 3 * s * s];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) {
                float v = (rgb[i % rgb.length][c] - PredictionGrid.MEAN[c]) / PredictionGrid.STD[c];
                for (int p = 0; p < s * s; p++) out[(i * 3 + c) * s * s + p] = v;
            }
        return out;
    }

    @Test void writesADecodableGridOfTheExpectedSize(@TempDir Path dir) throws Exception {
        int n = 10, s = 32;
        float[][] colours = {{1, 0, 0}, {0, 0, 1}, {0.5f, 0.5f, 0.5f}};
        int[] truth = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
        int[] pred = {0, 1, 1, 0, 1, 2, 2, 1, 2, 7};
        Path png = dir.resolve("grid.png");
        PredictionGrid.write(png, flatImages(n, s, colours), n, s, truth, pred, new String[]{"red", "blue", "grey"});

        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img);
        PredictionGrid.Layout l = PredictionGrid.layout(n, s);
        assertEquals(4, l.columns());
        assertEquals(3, l.rows());
        assertEquals(96, l.tile());           // 32 px scaled by 3
        assertEquals(l.width(), img.getWidth());
        assertEquals(l.height(), img.getHeight());
        assertEquals(8 + 4 * (96 + 8), img.getWidth());
        assertEquals(8 + 3 * (96 + 36 + 8), img.getHeight());

        // tile 0 is the de-normalised red, tile 1 blue, tile 2 grey (centre pixels)
        assertColour(new Color(255, 0, 0), img.getRGB(l.cellX(0) + 48, l.cellY(0) + 48));
        assertColour(new Color(0, 0, 255), img.getRGB(l.cellX(1) + 48, l.cellY(1) + 48));
        assertColour(new Color(128, 128, 128), img.getRGB(l.cellX(2) + 48, l.cellY(2) + 48));
        // frames: green when right (image 0), red when wrong (image 2)
        assertColour(PredictionGrid.RIGHT, img.getRGB(l.cellX(0) - 1, l.cellY(0) + 48));
        assertColour(PredictionGrid.WRONG, img.getRGB(l.cellX(2) - 1, l.cellY(2) + 48));
        // label text is drawn under each tile in its colour
        assertTrue(hasColour(img, l.cellX(2), l.cellY(2) + l.tile(), l.tile(), 36, PredictionGrid.WRONG), "red label under a wrong one");
        assertTrue(hasColour(img, l.cellX(0), l.cellY(0) + l.tile(), l.tile(), 36, PredictionGrid.RIGHT), "green label under a right one");
    }

    @Test void largeImagesAreNotScaledAndManyUseEightColumns() {
        PredictionGrid.Layout l = PredictionGrid.layout(32, 224);
        assertEquals(8, l.columns());
        assertEquals(4, l.rows());
        assertEquals(224, l.tile());
        PredictionGrid.Layout few = PredictionGrid.layout(2, 100);
        assertEquals(2, few.columns());
        assertEquals(1, few.rows());
        assertEquals(100, few.tile());
    }

    @Test void rejectsTooFewPixels(@TempDir Path dir) {
        var e = assertThrows(IllegalArgumentException.class, () ->
                PredictionGrid.write(dir.resolve("g.png"), new float[10], 2, 8, new int[2], new int[2], null));
        assertTrue(e.getMessage().contains("2x3x8x8"), e.getMessage());
    }

    static void assertColour(Color want, int got) {
        Color g = new Color(got);
        assertTrue(Math.abs(want.getRed() - g.getRed()) <= 2 && Math.abs(want.getGreen() - g.getGreen()) <= 2
                && Math.abs(want.getBlue() - g.getBlue()) <= 2, "want " + want + ", got " + g);
    }

    static boolean hasColour(BufferedImage img, int x0, int y0, int w, int h, Color c) {
        for (int y = y0; y < y0 + h; y++)
            for (int x = x0; x < x0 + w; x++)
                if (img.getRGB(x, y) == c.getRGB()) return true;
        return false;
    }
}
