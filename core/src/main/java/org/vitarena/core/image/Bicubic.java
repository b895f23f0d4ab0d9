package org.vitarena.core.image;

/** Placeholder: replaced by the real resampler from the data branch. */
public final class Bicubic {
    private Bicubic() {}

    public static float[] resamplePosEmbed(float[] posemb, int numPrefix, int dim, int oldH, int oldW, int newH, int newW) {
        throw new UnsupportedOperationException("not merged yet");
    }

    public static float[] resize(float[] src, int channels, int inH, int inW, int outH, int outW, boolean antialias) {
        throw new UnsupportedOperationException("not merged yet");
    }
}
