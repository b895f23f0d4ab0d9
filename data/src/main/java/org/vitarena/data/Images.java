package org.vitarena.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.vitarena.core.image.Bicubic;

/**
 * Image decoding and encoding through java.desktop's ImageIO, and uint8 pixel helpers.
 *
 * <p>Legend: H, W image height and width; HWC = interleaved RGB bytes; CHW = planar floats.
 */
public final class Images {
    private Images() {}

    /**
     * Decodes {@code file} to uint8 RGB HWC of {@code size}×{@code size}. Grayscale, palette and CMYK images
     * are converted to RGB; an image of another size is resized bicubically (antialiased, as torchvision
     * does). A truncated or corrupt file raises a {@link DataException} naming the file and the problem.
     */
    public static byte[] decodeRgb(Path file, int size) {
        return decodeRgb(file, size, DEFAULT_MAX_PIXELS);
    }

    /**
     * The largest image decoded by default, in pixels: PIL's {@code MAX_IMAGE_PIXELS} (89,478,485, about
     * 9459 × 9459), a guard against decompression bombs. A 1.2 MB PNG can declare 20000 × 20000 pixels,
     * 1.6 GB once decoded.
     */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    /**
     * As {@link #decodeRgb(Path, int)}, refusing before decoding an image whose header declares more than
     * {@code maxPixels} pixels.
     */
    public static byte[] decodeRgb(Path file, int size, long maxPixels) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read file (" + e.getMessage() + ")", e);
        }
        BufferedImage img;
        Raster cmyk = null;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new DataException(file + ": not a JPEG/PNG/GIF/BMP image that ImageIO can decode (" + bytes.length + " bytes)");
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, message) -> warnings.add(message));
            reader.setInput(in);
            try {
                long declared = (long) reader.getWidth(0) * reader.getHeight(0);
                if (declared > maxPixels) {
                    throw new DataException(file + ": " + reader.getWidth(0) + " x " + reader.getHeight(0) + " pixels, more than the limit of "
                            + maxPixels + " (a decompression bomb, or raise the limit with --max-image-pixels)");
                }
                img = reader.read(0);
                if (img.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_CMYK) {
                    cmyk = reader.readRaster(0, null); // JDK's CMYK colour model does not convert to sRGB usefully
                    img = null;
                }
            } catch (IOException e) {
                // ImageIO refuses CMYK / YCCK JPEGs as "Unsupported Image Type"; the raw raster still decodes
                Raster raster;
                try {
                    raster = reader.readRaster(0, null);
                } catch (IOException | RuntimeException e2) {
                    throw new DataException(file + ": corrupt image (" + e.getMessage() + ")", e);
                }
                if (raster.getNumBands() != 4) throw new DataException(file + ": corrupt image (" + e.getMessage() + ")", e);
                cmyk = raster;
                img = null;
            } finally {
                reader.dispose();
            }
            if (!warnings.isEmpty()) throw new DataException(file + ": corrupt or truncated image (" + String.join("; ", warnings) + ")");
        } catch (IOException e) {
            throw new DataException(file + ": cannot decode (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            if (e instanceof DataException) throw e;
            throw new DataException(file + ": corrupt image (" + e + ")", e);
        } catch (OutOfMemoryError e) {
            throw new DataException(file + ": too large to decode in this heap (" + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MiB); lower --max-image-pixels to refuse such images, or give Java more memory", e);
        }
        int w = cmyk != null ? cmyk.getWidth() : img.getWidth();
        int h = cmyk != null ? cmyk.getHeight() : img.getHeight();
        byte[] rgb = cmyk != null ? cmykToRgb(cmyk) : toRgb(img);
        return (w == size && h == size) ? rgb : resizeRgb(rgb, h, w, size, size);
    }

    private static byte[] toRgb(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w); // converts gray, palette and any colour model to sRGB
        byte[] out = new byte[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
            out[i * 3] = (byte) (argb[i] >> 16);
            out[i * 3 + 1] = (byte) (argb[i] >> 8);
            out[i * 3 + 2] = (byte) argb[i];
        }
        return out;
    }

    /** Four-component JPEGs: plain CMYK, R = 255 - min(255, C + K), as PIL does for non-Adobe files. */
    private static byte[] cmykToRgb(Raster r) {
        int w = r.getWidth(), h = r.getHeight();
        int[] px = r.getPixels(r.getMinX(), r.getMinY(), w, h, (int[]) null);
        byte[] out = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) {
            int k = px[i * 4 + 3];
            for (int c = 0; c < 3; c++) out[i * 3 + c] = (byte) (255 - Math.min(255, px[i * 4 + c] + k));
        }
        return out;
    }

    /** Bicubic (antialiased) resize of uint8 HWC, rounded and clamped back to uint8. */
    public static byte[] resizeRgb(byte[] rgb, int h, int w, int outH, int outW) {
        float[] chw = hwcToChw(rgb, h, w);
        float[] res = Bicubic.resize(chw, 3, h, w, outH, outW, true);
        return chwToHwcRounded(res, outH, outW);
    }

    /** uint8 HWC to float CHW with values 0..255. */
    public static float[] hwcToChw(byte[] rgb, int h, int w) {
        int n = h * w;
        float[] out = new float[3 * n];
        for (int i = 0; i < n; i++) {
            out[i] = rgb[i * 3] & 0xFF;
            out[n + i] = rgb[i * 3 + 1] & 0xFF;
            out[2 * n + i] = rgb[i * 3 + 2] & 0xFF;
        }
        return out;
    }

    /** float CHW (0..255) to uint8 HWC, rounding half to even and clamping as a PyTorch uint8 cast after round(). */
    public static byte[] chwToHwcRounded(float[] chw, int h, int w) {
        int n = h * w;
        byte[] out = new byte[3 * n];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < n; i++) {
                float v = (float) Math.rint(chw[c * n + i]);
                out[i * 3 + c] = (byte) (v < 0 ? 0 : v > 255 ? 255 : (int) v);
            }
        }
        return out;
    }

    /** Writes uint8 RGB HWC as a JPEG file of the given quality (0..1). */
    public static void writeJpeg(byte[] rgb, int h, int w, Path file, float quality) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] px = new int[w * h];
        for (int i = 0; i < px.length; i++) {
            px[i] = (rgb[i * 3] & 0xFF) << 16 | (rgb[i * 3 + 1] & 0xFF) << 8 | (rgb[i * 3 + 2] & 0xFF);
        }
        img.setRGB(0, 0, w, h, px, 0, w);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        try (OutputStream os = Files.newOutputStream(file); ImageOutputStream out = ImageIO.createImageOutputStream(os)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
    }
}
