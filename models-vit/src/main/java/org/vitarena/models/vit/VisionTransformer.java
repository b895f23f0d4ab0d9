package org.vitarena.models.vit;

import org.vitarena.core.Tensor;
import org.vitarena.core.io.Pretrained;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.nn.Block;
import org.vitarena.core.nn.Init;
import org.vitarena.core.nn.LayerNorm;
import org.vitarena.core.nn.Linear;
import org.vitarena.core.nn.ModuleList;
import org.vitarena.core.nn.PatchEmbed;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An Image is Worth 16x16 Words (Dosovitskiy et al., 2020), as timm's
 * {@code timm.models.vision_transformer.VisionTransformer} computes it: patch embedding, a class
 * token, a learned position embedding that includes the class position, pre-norm blocks, a final
 * norm, class-token pooling and a linear head.
 *
 * <p>Legend: B batch, N patch tokens, T = prefix tokens + N, D embed dim, K classes.
 */
public class VisionTransformer extends VisionModel {
    protected final VitConfig cfg;
    protected final PatchEmbed patchEmbed;
    protected final List<Block> blocks = new ArrayList<>();
    protected final LayerNorm norm, fcNorm;
    protected Linear head;
    protected int numClasses;

    public VisionTransformer(VitConfig cfg, long seed) {
        this.cfg = cfg;
        SplittableRandom rng = new SplittableRandom(seed);
        int d = cfg.embedDim();
        this.patchEmbed = child("patch_embed", new PatchEmbed(cfg.patchSize(), cfg.inChans(), d, false, cfg.normEps(), rng));
        param("cls_token", Tensor.of(Init.normal(rng, 1e-6f, d), 1, 1, d));
        addPrefixTokens(rng);
        int tokens = numPrefixTokens() + cfg.gridSize() * cfg.gridSize();
        param("pos_embed", Tensor.of(Init.truncNormal(rng, 0.02f, tokens * d), 1, tokens, d));
        ModuleList blockList = child("blocks", new ModuleList());
        for (int i = 0; i < cfg.depth(); i++) {
            float dpr = cfg.depth() == 1 ? 0f : cfg.dropPathRate() * i / (cfg.depth() - 1);
            blocks.add(blockList.add(new Block(d, cfg.numHeads(), cfg.mlpRatio(), cfg.qkvBias(),
                    cfg.initValues(), cfg.dropRate(), cfg.attnDropRate(), dpr, cfg.normEps(), rng)));
        }
        boolean avg = cfg.globalPool().equals("avg");
        // timm: with average pooling the final norm becomes fc_norm, applied after pooling
        this.norm = avg ? null : child("norm", new LayerNorm(d, cfg.normEps()));
        this.fcNorm = avg ? child("fc_norm", new LayerNorm(d, cfg.normEps())) : null;
        createHeads(cfg.numClasses(), rng);
    }

    /** Hook for models with more prefix tokens (DeiT's distillation token). */
    protected void addPrefixTokens(SplittableRandom rng) {}

    /** Class token only. */
    public int numPrefixTokens() {
        return 1;
    }

    /** Creates the classifier(s) for {@code classes} outputs. */
    protected void createHeads(int classes, SplittableRandom rng) {
        head = child("head", new Linear(cfg.embedDim(), classes, true, rng));
        numClasses = classes;
    }

    public VitConfig config() {
        return cfg;
    }

    /** The prefix tokens broadcast over the batch, in order ([B, 1, D] each). */
    protected List<Tensor> prefixTokens(int batch) {
        Tensor cls = namedParameters().get("cls_token");
        return List.of(Arith.expand(cls, batch, 1, cfg.embedDim()));
    }

    /** images [B, 3, H, W] → tokens [B, T, D] after the final norm. */
    @Override
    public Tensor forwardFeatures(Tensor images) {
        Tensor x = patchEmbed.forward(images); // [B, N, D]
        int b = x.dim(0);
        List<Tensor> parts = new ArrayList<>(prefixTokens(b));
        parts.add(x);
        x = Shapes.concat(1, parts.toArray(Tensor[]::new));
        x = Arith.add(x, namedParameters().get("pos_embed"));
        for (Block blk : blocks) x = blk.forward(x);
        return norm == null ? x : norm.forward(x);
    }

    /** tokens [B, T, D] → logits [B, K] from the class token, or from the mean of the patch tokens. */
    @Override
    public Tensor forwardHead(Tensor features) {
        if (fcNorm == null) return head.forward(Shapes.select(features, 1, 0));
        Tensor patches = Shapes.slice(features, 1, numPrefixTokens(), features.dim(1));
        return head.forward(fcNorm.forward(Shapes.mean(patches, 1, false)));
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int imgSize() {
        return cfg.imgSize();
    }

    @Override
    public List<String> headPrefixes() {
        return List.of("head.");
    }

    @Override
    public void resetHead(int classes, SplittableRandom rng) {
        createHeads(classes, rng);
    }

    /**
     * timm's checkpoint_filter_fn for ViT: resamples {@code pos_embed} bicubically when the
     * checkpoint's grid differs from this model's (timm.layers.resample_abs_pos_embed, prefix tokens
     * kept as they are).
     */
    @Override
    public Map<String, Safetensors.Entry> filterCheckpoint(Map<String, Safetensors.Entry> state) {
        return Pretrained.resamplePosEmbed(state, numPrefixTokens(), cfg.gridSize(), cfg.embedDim());
    }
}
