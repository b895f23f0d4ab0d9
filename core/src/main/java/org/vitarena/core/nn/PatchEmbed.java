package org.vitarena.core.nn;

import org.vitarena.core.Tensor;
import org.vitarena.core.ops.Linalg;
import org.vitarena.core.ops.Shapes;

import java.util.SplittableRandom;

/**
 * timm's PatchEmbed: a convolution with kernel = stride = patch, computed as unfold + matmul.
 * {@code proj.weight} [E, Cin, P, P], {@code proj.bias} [E], optional {@code norm}.
 * Legend: B batch, Cin input channels, H W image size, P patch, Gh Gw grid, E embedding dim.
 */
public class PatchEmbed extends Module {
    public final int patch, inChans, embedDim;
    private final LayerNorm norm;

    public PatchEmbed(int patch, int inChans, int embedDim, boolean withNorm, float normEps, SplittableRandom rng) {
        this.patch = patch;
        this.inChans = inChans;
        this.embedDim = embedDim;
        // conv weights keep torch's 4-d layout so a state dict maps one to one; initialised as timm leaves
        // them: torch's Conv2d default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias (timm's
        // init functions redraw only nn.Linear weights, trunc_normal(.02), and never this convolution)
        int[] shape = {embedDim, inChans, patch, patch};
        var w = Tensor.of(Init.torchDefaultWeight(rng, shape), shape);
        var b = Tensor.of(Init.torchDefaultBias(rng, shape), embedDim);
        child("proj", new ConvParams(w, b));
        this.norm = withNorm ? child("norm", new LayerNorm(embedDim, normEps)) : null;
    }

    /** The convolution's parameters under torch's names; the product itself is in {@link #forwardGrid}. */
    private static final class ConvParams extends Module {
        ConvParams(Tensor w, Tensor b) {
            param("weight", w);
            param("bias", b);
        }
    }

    /** x [B, Cin, H, W] → [B, Gh, Gw, E] (then normed when configured). */
    public Tensor forwardGrid(Tensor x) {
        int b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        if (c != inChans || h % patch != 0 || w % patch != 0) {
            throw new IllegalArgumentException("PatchEmbed(patch " + patch + ", " + inChans + " channels) cannot embed input "
                    + java.util.Arrays.toString(x.shape()) + ": channels must match and H, W be multiples of the patch");
        }
        int gh = h / patch, gw = w / patch;
        Tensor cols = Shapes.permute(Shapes.reshape(x, b, c, gh, patch, gw, patch), 0, 2, 4, 1, 3, 5); // [B, Gh, Gw, Cin, P, P]
        cols = Shapes.reshape(cols, b * gh * gw, c * patch * patch);
        var p = namedParameters();
        Tensor weight = Shapes.reshape(p.get("proj.weight"), embedDim, c * patch * patch);
        Tensor y = Shapes.reshape(Linalg.linear(cols, weight, p.get("proj.bias")), b, gh, gw, embedDim);
        return norm == null ? y : norm.forward(y);
    }

    /** x [B, Cin, H, W] → tokens [B, Gh·Gw, E]. */
    public Tensor forward(Tensor x) {
        Tensor g = forwardGrid(x);
        return Shapes.reshape(g, g.dim(0), g.dim(1) * g.dim(2), embedDim);
    }
}
