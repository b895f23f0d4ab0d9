package org.vitarena.runner.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A grid of validation images with their true and predicted labels under each, like the paper's
 * prediction pictures: the prediction line (and the frame) green when right, red when wrong.
 */
public final class PredictionGrid {
    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};
    /** Smallest side of a tile in the picture; images are scaled up by a whole factor to reach it. */
    public static final int MIN_TILE = 96;
    static final int PAD = 8;
    static final int LABEL_HEIGHT = 36;
    static final Color RIGHT = new Color(0, 150, 0);
    static final Color WRONG = new Color(210, 0, 0);

    private PredictionGrid() {}

    /** Where everything goes in the picture for {@code n} images of side {@code size}. */
    public record Layout(int columns, int rows, int tile, int width, int height) {
        int cellX(int i) { return PAD + (i % columns) * (tile + PAD); }
        int cellY(int i) { return PAD + (i / columns) * (tile + LABEL_HEIGHT + PAD); }
    }

    /** 4 columns up to 16 images, 8 beyond (fewer when there are fewer images); tiles of at least {@value #MIN_TILE} px. */
    public static Layout layout(int n, int size) {
        if (n <= 0) throw new IllegalArgumentException("no images for the prediction grid");
        if (size <= 0) throw new IllegalArgumentException("image size must be positive, got " + size);
        int cols = Math.min(n, n <= 16 ? 4 : 8);
        int rows = (n + cols - 1) / cols;
        int scale = Math.max(1, (MIN_TILE + size - 1) / size);
        int tile = size * scale;
        int width = PAD + cols * (tile + PAD);
        int height = PAD + rows * (tile + LABEL_HEIGHT + PAD);
        return new Layout(cols, rows, tile, width, height);
    }

    /**
     * Writes the grid to {@code png} (atomically).
     *
     * @param images     {@code [N,3,S,S]} row-major, normalised with the ImageNet mean and std; the first {@code n} are drawn
     * @param trueLabels the true class of each image
     * @param predicted  the predicted class of each image
     * @param classNames class names by index; an index outside it is shown as {@code #index}
     */
    public static void write(Path png, float[] images, int n, int size, int[] trueLabels, int[] predicted,
                             String[] classNames) throws IOException {
        BufferedImage img = render(images, n, size, trueLabels, predicted, classNames);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", bytes)) throw new IOException("no PNG writer available");
        AtomicFiles.write(png, bytes.toByteArray());
    }

    static BufferedImage render(float[] images, int n, int size, int[] trueLabels, int[] predicted, String[] classNames) {
        Layout l = layout(n, size);
        long plane = (long) size * size;
        if (images == null || images.length < n * 3L * plane)
            throw new IllegalArgumentException("prediction grid: need " + n + "x3x" + size + "x" + size + " floats, got "
                    + (images == null ? 0 : images.length));
        if (trueLabels == null || trueLabels.length < n || predicted == null || predicted.length < n)
            throw new IllegalArgumentException("prediction grid: need " + n + " true and predicted labels");

        BufferedImage out = new BufferedImage(l.width(), l.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, l.width(), l.height());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i < n; i++) {
                BufferedImage tile = denormalise(images, (int) (i * 3L * plane), size);
                int x = l.cellX(i), y = l.cellY(i);
                g.drawImage(tile, x, y, l.tile(), l.tile(), null);
                boolean right = trueLabels[i] == predicted[i];
                Color c = right ? RIGHT : WRONG;
                g.setColor(c);
                g.setStroke(new BasicStroke(2f));
                g.drawRect(x - 1, y - 1, l.tile() + 1, l.tile() + 1);
                int baseline = y + l.tile() + 4 + fm.getAscent();
                g.setColor(Color.DARK_GRAY);
                g.drawString(fit("true: " + name(classNames, trueLabels[i]), fm, l.tile()), x, baseline);
                g.setColor(c);
                g.drawString(fit("pred: " + name(classNames, predicted[i]), fm, l.tile()), x, baseline + fm.getHeight());
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static BufferedImage denormalise(float[] images, int off, int size) {
        BufferedImage tile = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int plane = size * size;
        for (int yy = 0; yy < size; yy++) {
            for (int xx = 0; xx < size; xx++) {
                int p = yy * size + xx;
                int rgb = 0;
                for (int ch = 0; ch < 3; ch++) {
                    float v = images[off + ch * plane + p] * STD[ch] + MEAN[ch];
                    int b = Float.isNaN(v) ? 0 : Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
                    rgb = (rgb << 8) | b;
                }
                tile.setRGB(xx, yy, rgb);
            }
        }
        return tile;
    }

    private static String name(String[] classNames, int label) {
        return classNames != null && label >= 0 && label < classNames.length && classNames[label] != null
                ? classNames[label] : "#" + label;
    }

    /** Shortens {@code s} with an ellipsis until it fits {@code width} pixels. */
    private static String fit(String s, FontMetrics fm, int width) {
        if (fm.stringWidth(s) <= width) return s;
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t + "…") > width) t = t.substring(0, t.length() - 1);
        return t + "…";
    }
}
