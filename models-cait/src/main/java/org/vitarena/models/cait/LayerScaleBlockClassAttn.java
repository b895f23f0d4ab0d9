package org.vitarena.models.cait;

import org.vitarena.core.Tensor;
import org.vitarena.core.nn.LayerNorm;
import org.vitarena.core.nn.Mlp;
import org.vitarena.core.nn.Module;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Shapes;

import java.util.SplittableRandom;

/**
 * CaiT's class-attention block: with u = cat(cls, x), cls + gamma_1 · class_attn(norm1(u)), then
 * cls + gamma_2 · mlp(norm2(cls)). Only the class token changes; the patch tokens x are read, never
 * written. As in timm, no dropout and no drop-path here.
 *
 * <p>Legend: B batch, N patch tokens, C channels.
 */
public class LayerScaleBlockClassAttn extends Module {
    private final LayerNorm norm1, norm2;
    private final ClassAttn attn;
    private final Mlp mlp;

    public LayerScaleBlockClassAttn(int dim, int heads, float mlpRatio, boolean qkvBias, float eps, float initValues,
                                    SplittableRandom rng) {
        param("gamma_1", Tensor.full(initValues, dim));
        param("gamma_2", Tensor.full(initValues, dim));
        this.norm1 = child("norm1", new LayerNorm(dim, eps));
        this.attn = child("attn", new ClassAttn(dim, heads, qkvBias, rng));
        this.norm2 = child("norm2", new LayerNorm(dim, eps));
        this.mlp = child("mlp", new Mlp(dim, (int) (dim * mlpRatio), 0f, rng));
    }

    /** x [B, N, C], cls [B, 1, C] → the new cls [B, 1, C]. */
    public Tensor forward(Tensor x, Tensor cls) {
        var p = namedParameters();
        Tensor u = Shapes.concat(1, cls, x); // [B, 1 + N, C]
        cls = Arith.add(cls, Arith.mul(attn.forward(norm1.forward(u)), p.get("gamma_1")));
        return Arith.add(cls, Arith.mul(mlp.forward(norm2.forward(cls)), p.get("gamma_2")));
    }
}
