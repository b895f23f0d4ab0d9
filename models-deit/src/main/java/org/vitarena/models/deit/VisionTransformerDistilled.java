package org.vitarena.models.deit;

import org.vitarena.core.Tensor;
import org.vitarena.core.nn.Init;
import org.vitarena.core.nn.Linear;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Shapes;
import org.vitarena.models.vit.VisionTransformer;
import org.vitarena.models.vit.VitConfig;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Training data-efficient image transformers & distillation through attention (Touvron et al., 2020),
 * as timm's {@code timm.models.deit.VisionTransformerDistilled} computes it: a {@link VisionTransformer}
 * with a second prefix token ({@code dist_token}, after the class token), a position embedding that
 * covers both, and a second classifier ({@code head_dist}) on the distillation token.
 *
 * <p>In evaluation the output is the mean of the two heads. In distilled training (the default here,
 * timm's {@code set_distilled_training(True)}) {@link #forwardTrain} returns both, class head first,
 * so a distillation loss can use them; with it switched off training also sees the mean.
 *
 * <p>Legend: B batch, N patch tokens, T = 2 + N, D embed dim, K classes.
 */
public class VisionTransformerDistilled extends VisionTransformer {
    // assigned from createHeads() during the superclass constructor: no initialiser, or it would be cleared
    private Linear headDist;
    private boolean distilledTraining = true;

    public VisionTransformerDistilled(VitConfig cfg, long seed) {
        super(cfg, seed);
        if (!cfg.globalPool().equals("token")) {
            throw new IllegalArgumentException("VisionTransformerDistilled pools its class and distillation tokens: global_pool must be 'token'");
        }
    }

    @Override
    protected void addPrefixTokens(SplittableRandom rng) {
        int d = cfg.embedDim();
        param("dist_token", Tensor.of(Init.truncNormal(rng, 0.02f, d), 1, 1, d));
    }

    /** Class and distillation tokens. */
    @Override
    public int numPrefixTokens() {
        return 2;
    }

    @Override
    protected void createHeads(int classes, SplittableRandom rng) {
        super.createHeads(classes, rng);
        headDist = child("head_dist", new Linear(cfg.embedDim(), classes, true, rng));
    }

    /** [cls, dist], each [B, 1, D]. */
    @Override
    protected List<Tensor> prefixTokens(int batch) {
        var p = namedParameters();
        int d = cfg.embedDim();
        return List.of(Arith.expand(p.get("cls_token"), batch, 1, d), Arith.expand(p.get("dist_token"), batch, 1, d));
    }

    /** timm's {@code set_distilled_training}: whether {@link #forwardTrain} returns both heads. */
    public void setDistilledTraining(boolean on) {
        distilledTraining = on;
    }

    public boolean distilledTraining() {
        return distilledTraining;
    }

    /** tokens [B, T, D] → (class logits [B, K], distillation logits [B, K]). */
    private List<Tensor> heads(Tensor features) {
        return List.of(head.forward(Shapes.select(features, 1, 0)), headDist.forward(Shapes.select(features, 1, 1)));
    }

    /** tokens [B, T, D] → (head(x[:, 0]) + head_dist(x[:, 1])) / 2, [B, K]. */
    @Override
    public Tensor forwardHead(Tensor features) {
        List<Tensor> h = heads(features);
        return Arith.scale(Arith.add(h.get(0), h.get(1)), 0.5f);
    }

    /** In distilled training, [class logits, distillation logits]; otherwise the mean, as in evaluation. */
    @Override
    public List<Tensor> forwardTrain(Tensor images) {
        if (distilledTraining && training()) return heads(forwardFeatures(images));
        return super.forwardTrain(images);
    }

    @Override
    public List<String> headPrefixes() {
        return List.of("head.", "head_dist.");
    }
}
