package org.vitarena.models.cait;

import org.vitarena.core.Tensor;
import org.vitarena.core.nn.Attention;
import org.vitarena.core.nn.Linear;
import org.vitarena.core.ops.HeadMix;
import org.vitarena.core.ops.AttentionOp;
import org.vitarena.core.ops.Norms;
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

    /**
     * Applies a Linear(H, H) to a [B, H, N, M] tensor over its head dimension, in place of timm's
     * permute → Linear → permute: the Linear only holds the parameters, {@link HeadMix} mixes the
     * heads in the [B, H, N·M] layout.
     */
    private static Tensor mixHeads(Linear mix, Tensor a) {
        return HeadMix.apply(a, mix.weight(), mix.bias());
    }

    /**
     * proj_w(softmax(proj_l(q·scale·kᵀ)))·v on the packed qkv [B, N, 3C] → [B, N, C]: q, k and v are
     * read in place ({@link AttentionOp#scoresFromQkv}, {@link AttentionOp#valuesFromQkv}), the heads
     * are mixed in the [B, H, N·N] layout; no bias term in CaiT.
     */
    @Override
    protected Tensor attendPacked(Tensor packed, Tensor bias) {
        if (bias != null) throw new IllegalArgumentException("talking-heads attention takes no attention bias");
        Tensor logits = AttentionOp.scoresFromQkv(packed, heads, scale); // [B, H, N, N]
        Tensor p = Norms.softmax(mixHeads(projL, logits));
        p = mixHeads(projW, p);
        if (training()) p = Stochastic.dropout(p, attnDropP);
        return AttentionOp.valuesFromQkv(p, packed, heads); // [B, N, C]
    }
}
