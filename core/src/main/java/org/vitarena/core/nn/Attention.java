package org.vitarena.core.nn;

import org.vitarena.core.Tensor;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.AttentionOp;
import org.vitarena.core.ops.Linalg;
import org.vitarena.core.ops.Norms;
import org.vitarena.core.ops.Shapes;
import org.vitarena.core.ops.Stochastic;

import java.util.SplittableRandom;

/**
 * timm's multi-head self-attention: {@code qkv} [3C, C] (bias optional), {@code proj} [C, C].
 * Legend: B batch, N tokens, C channels, H heads, D = C/H head dim.
 */
public class Attention extends Module {
    public final int heads, headDim;
    public final float scale;
    private final Linear qkv, proj;
    private final float attnDrop, projDrop;
    /** True when a subclass overrides {@link #attend} or {@link #attendPacked} (CaiT's talking heads): the fused op is then not used. */
    private final boolean customAttend;

    public Attention(int dim, int heads, boolean qkvBias, float attnDrop, float projDrop, SplittableRandom rng) {
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " not divisible by heads " + heads);
        this.heads = heads;
        this.headDim = dim / heads;
        this.scale = (float) Math.pow(headDim, -0.5);
        this.qkv = child("qkv", new Linear(dim, 3 * dim, qkvBias, rng));
        this.proj = child("proj", new Linear(dim, dim, true, rng));
        this.attnDrop = attnDrop;
        this.projDrop = projDrop;
        this.customAttend = overridesAttend(getClass());
    }

    private static boolean overridesAttend(Class<?> cls) {
        for (Class<?> c = cls; c != Attention.class; c = c.getSuperclass()) {
            for (var m : c.getDeclaredMethods()) {
                if (m.getName().equals("attend") && m.getParameterCount() == 4
                        || m.getName().equals("attendPacked") && m.getParameterCount() == 2) return true;
            }
        }
        return false;
    }

    /** x [B, N, C] → [B, N, C]; {@code bias} (may be null) is added to the logits [B or 1, H, N, N]. */
    public Tensor forward(Tensor x, Tensor bias) {
        Tensor packed = qkv.forward(x); // [B, N, 3C]
        Tensor y;
        if (!customAttend && (!training() || attnDrop == 0f)) {
            y = AttentionOp.fromQkv(packed, heads, scale, bias); // [B, N, C], no layout copies
        } else {
            y = attendPacked(packed, bias);
        }
        y = proj.forward(y);
        return training() ? Stochastic.dropout(y, projDrop) : y;
    }

    /**
     * qkv [B, N, 3C] → [B, N, C] through {@link #attend} on q, k, v [B, H, N, D]; a subclass may
     * override this to work on the packed buffer directly (see {@link AttentionOp#scoresFromQkv}).
     */
    protected Tensor attendPacked(Tensor packed, Tensor bias) {
        int b = packed.dim(0), n = packed.dim(1), c = packed.dim(2) / 3;
        Tensor t = Shapes.permute(Shapes.reshape(packed, b, n, 3, heads, headDim), 2, 0, 3, 1, 4); // [3, B, H, N, D]
        Tensor q = Shapes.select(t, 0, 0), k = Shapes.select(t, 0, 1), v = Shapes.select(t, 0, 2);
        Tensor attn = attend(q, k, v, bias);
        return Shapes.reshape(Shapes.transpose(attn, 1, 2), b, n, c); // [B, N, C]
    }

    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /** softmax(q·kᵀ·scale + bias)·v for q, k, v [B, H, N, D]. */
    protected Tensor attend(Tensor q, Tensor k, Tensor v, Tensor bias) {
        Tensor logits = Linalg.matmul(Arith.scale(q, scale), k, false, true); // [B, H, N, N]
        if (bias != null) logits = Arith.add(logits, bias);
        Tensor p = Norms.softmax(logits);
        if (training()) p = Stochastic.dropout(p, attnDrop);
        return Linalg.matmul(p, v); // [B, H, N, D]
    }
}
