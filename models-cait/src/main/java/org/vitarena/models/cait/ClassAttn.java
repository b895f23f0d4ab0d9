package org.vitarena.models.cait;

import org.vitarena.core.Tensor;
import org.vitarena.core.nn.Linear;
import org.vitarena.core.nn.Module;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Linalg;
import org.vitarena.core.ops.Norms;
import org.vitarena.core.ops.Shapes;

import java.util.SplittableRandom;

/**
 * CaiT's class attention: only the class token (position 0) queries; keys and values come from every
 * token. Separate {@code q}, {@code k}, {@code v} projections [C, C], then {@code proj}. As in timm, the
 * class-attention stage has no dropout.
 *
 * <p>Legend: B batch, T = 1 + N tokens (class first), C channels, H heads, Dh = C/H head dim.
 */
public class ClassAttn extends Module {
    private final int heads, headDim;
    private final float scale;
    private final Linear q, k, v, proj;

    public ClassAttn(int dim, int heads, boolean qkvBias, SplittableRandom rng) {
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " not divisible by heads " + heads);
        this.heads = heads;
        this.headDim = dim / heads;
        this.scale = (float) Math.pow(headDim, -0.5);
        this.q = child("q", new Linear(dim, dim, qkvBias, rng));
        this.k = child("k", new Linear(dim, dim, qkvBias, rng));
        this.v = child("v", new Linear(dim, dim, qkvBias, rng));
        this.proj = child("proj", new Linear(dim, dim, true, rng));
    }

    /** u [B, T, C] → the class token's update [B, 1, C]. */
    public Tensor forward(Tensor u) {
        int b = u.dim(0), t = u.dim(1), c = u.dim(2);
        Tensor qc = Shapes.reshape(q.forward(Shapes.select(u, 1, 0)), b, heads, 1, headDim); // [B, H, 1, Dh]
        Tensor kk = Shapes.permute(Shapes.reshape(k.forward(u), b, t, heads, headDim), 0, 2, 1, 3); // [B, H, T, Dh]
        Tensor vv = Shapes.permute(Shapes.reshape(v.forward(u), b, t, heads, headDim), 0, 2, 1, 3); // [B, H, T, Dh]
        Tensor p = Norms.softmax(Linalg.matmul(Arith.scale(qc, scale), kk, false, true)); // [B, H, 1, T]
        Tensor x = Shapes.reshape(Linalg.matmul(p, vv), b, 1, c); // [B, H, 1, Dh] is [B, 1, C] in memory
        return proj.forward(x);
    }
}
