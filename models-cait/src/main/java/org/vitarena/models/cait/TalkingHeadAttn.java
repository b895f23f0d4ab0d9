package org.vitarena.models.cait;

import org.vitarena.core.Tensor;
import org.vitarena.core.nn.Attention;
import org.vitarena.core.nn.Linear;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Linalg;
import org.vitarena.core.ops.Norms;
import org.vitarena.core.ops.Shapes;
import org.vitarena.core.ops.Stochastic;

import java.util.SplittableRandom;

/**
 * Talking-heads attention (Shazeer et al., 2020) as timm's CaiT uses it: ViT's self-attention
 * ({@code qkv}, {@code proj}) whose logits are mixed across heads by {@code proj_l} [H, H] before the
 * softmax and whose weights are mixed again by {@code proj_w} [H, H] after it, both with bias.
 *
 * <p>Legend: B batch, N tokens, C channels, H heads, Dh = C/H head dim.
 */
public class TalkingHeadAttn extends Attention {
    private final Linear projL, projW;
    private final float attnDropP;

    public TalkingHeadAttn(int dim, int heads, boolean qkvBias, float attnDrop, float projDrop, SplittableRandom rng) {
        super(dim, heads, qkvBias, attnDrop, projDrop, rng);
        this.projL = child("proj_l", new Linear(heads, heads, true, rng));
        this.projW = child("proj_w", new Linear(heads, heads, true, rng));
        this.attnDropP = attnDrop;
    }

    /** Applies a Linear(H, H) to a [B, H, N, M] tensor over its head dimension. */
    private static Tensor mixHeads(Linear mix, Tensor a) {
        Tensor headsLast = Shapes.permute(a, 0, 2, 3, 1); // [B, N, M, H]
        return Shapes.permute(mix.forward(headsLast), 0, 3, 1, 2); // [B, H, N, M]
    }

    /** proj_w(softmax(proj_l(q·scale·kᵀ)))·v for q, k, v [B, H, N, Dh]; no bias term in CaiT. */
    @Override
    protected Tensor attend(Tensor q, Tensor k, Tensor v, Tensor bias) {
        if (bias != null) throw new IllegalArgumentException("talking-heads attention takes no attention bias");
        Tensor logits = Linalg.matmul(Arith.scale(q, scale), k, false, true); // [B, H, N, N]
        Tensor p = Norms.softmax(mixHeads(projL, logits));
        p = mixHeads(projW, p);
        if (training()) p = Stochastic.dropout(p, attnDropP);
        return Linalg.matmul(p, v); // [B, H, N, Dh]
    }
}
