package org.vitarena.models.cait;

import org.vitarena.core.Tensor;
import org.vitarena.core.nn.DropPath;
import org.vitarena.core.nn.LayerNorm;
import org.vitarena.core.nn.Mlp;
import org.vitarena.core.nn.Module;
import org.vitarena.core.ops.Arith;

import java.util.SplittableRandom;

/**
 * CaiT's self-attention block: x + drop_path(gamma_1 · attn(norm1(x))), then
 * x + drop_path(gamma_2 · mlp(norm2(x))), with talking-heads attention and LayerScale vectors
 * {@code gamma_1}, {@code gamma_2} [C] (timm names them on the block, not in a LayerScale module).
 * x [B, N, C].
 */
public class LayerScaleBlock extends Module {
    private final LayerNorm norm1, norm2;
    private final TalkingHeadAttn attn;
    private final Mlp mlp;
    private final DropPath dropPath;

    public LayerScaleBlock(int dim, int heads, float mlpRatio, boolean qkvBias, float projDrop, float attnDrop,
                           float dropPath, float eps, float initValues, SplittableRandom rng) {
        param("gamma_1", Tensor.full(initValues, dim));
        param("gamma_2", Tensor.full(initValues, dim));
        this.norm1 = child("norm1", new LayerNorm(dim, eps));
        this.attn = child("attn", new TalkingHeadAttn(dim, heads, qkvBias, attnDrop, projDrop, rng));
        this.norm2 = child("norm2", new LayerNorm(dim, eps));
        this.mlp = child("mlp", new Mlp(dim, (int) (dim * mlpRatio), projDrop, rng));
        this.dropPath = new DropPath(dropPath, rng);
    }

    public Tensor forward(Tensor x) {
        var p = namedParameters();
        Tensor a = Arith.mul(attn.forward(norm1.forward(x)), p.get("gamma_1"));
        x = Arith.add(x, dropPath.apply(a, training()));
        Tensor m = Arith.mul(mlp.forward(norm2.forward(x)), p.get("gamma_2"));
        return Arith.add(x, dropPath.apply(m, training()));
    }
}
