package org.vitarena.core.nn;

import org.vitarena.core.Tensor;
import org.vitarena.core.ops.Arith;

import java.util.SplittableRandom;

/**
 * timm's pre-norm transformer block: x + drop_path(ls1(attn(norm1(x)))), then
 * x + drop_path(ls2(mlp(norm2(x)))). {@code ls1}/{@code ls2} exist only with layer-scale init values.
 * x [B, N, C].
 */
public class Block extends Module {
    private final LayerNorm norm1, norm2;
    private final Attention attn;
    private final Mlp mlp;
    private final LayerScale ls1, ls2;
    private final DropPath dropPath;

    public Block(int dim, int heads, float mlpRatio, boolean qkvBias, Float initValues, float drop, float attnDrop,
                 float dropPath, float eps, SplittableRandom rng) {
        this.norm1 = child("norm1", new LayerNorm(dim, eps));
        this.attn = child("attn", new Attention(dim, heads, qkvBias, attnDrop, drop, rng));
        this.ls1 = initValues == null ? null : child("ls1", new LayerScale(dim, initValues));
        this.norm2 = child("norm2", new LayerNorm(dim, eps));
        this.mlp = child("mlp", new Mlp(dim, (int) (dim * mlpRatio), drop, rng));
        this.ls2 = initValues == null ? null : child("ls2", new LayerScale(dim, initValues));
        this.dropPath = new DropPath(dropPath);
    }

    public Tensor forward(Tensor x) {
        Tensor a = attn.forward(norm1.forward(x));
        if (ls1 != null) a = ls1.forward(a);
        x = Arith.add(x, dropPath.apply(a, training()));
        Tensor m = mlp.forward(norm2.forward(x));
        if (ls2 != null) m = ls2.forward(m);
        return Arith.add(x, dropPath.apply(m, training()));
    }
}
