package org.vitarena.models.cait;

import org.vitarena.core.Tensor;
import org.vitarena.core.io.Pretrained;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.nn.Init;
import org.vitarena.core.nn.LayerNorm;
import org.vitarena.core.nn.Linear;
import org.vitarena.core.nn.ModuleList;
import org.vitarena.core.nn.PatchEmbed;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Shapes;
import org.vitarena.core.ops.Stochastic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Going deeper with Image Transformers (Touvron et al., 2021), as timm's {@code timm.models.cait.Cait}
 * computes it. Patch tokens plus a position embedding that has no class position go through
 * {@code depth} {@link LayerScaleBlock}s (talking-heads self-attention, LayerScale); only then does the
 * class token enter, updated by {@code depth_token_only} {@link LayerScaleBlockClassAttn}s that attend
 * over [cls, patches]; the final norm covers [cls, patches] and the head reads the class token.
 *
 * <p>Legend: B batch, N patch tokens, D embed dim, K classes.
 */
public class Cait extends VisionModel {
    private final CaitConfig cfg;
    private final PatchEmbed patchEmbed;
    private final List<LayerScaleBlock> blocks = new ArrayList<>();
    private final List<LayerScaleBlockClassAttn> blocksTokenOnly = new ArrayList<>();
    private final LayerNorm norm;
    private Linear head;
    private int numClasses;

    public Cait(CaitConfig cfg, long seed) {
        this.cfg = cfg;
        SplittableRandom rng = new SplittableRandom(seed);
        int d = cfg.embedDim(), n = cfg.gridSize() * cfg.gridSize();
        this.patchEmbed = child("patch_embed", new PatchEmbed(cfg.patchSize(), cfg.inChans(), d, false, cfg.normEps(), rng));
        param("cls_token", Tensor.of(Init.truncNormal(rng, 0.02f, d), 1, 1, d));
        param("pos_embed", Tensor.of(Init.truncNormal(rng, 0.02f, n * d), 1, n, d));
        ModuleList blockList = child("blocks", new ModuleList());
        for (int i = 0; i < cfg.depth(); i++) {
            blocks.add(blockList.add(new LayerScaleBlock(d, cfg.numHeads(), cfg.mlpRatio(), cfg.qkvBias(), cfg.projDropRate(),
                    cfg.attnDropRate(), cfg.dropPathRate(), cfg.normEps(), cfg.initValues(), rng)));
        }
        ModuleList tokenList = child("blocks_token_only", new ModuleList());
        for (int i = 0; i < cfg.depthTokenOnly(); i++) {
            blocksTokenOnly.add(tokenList.add(new LayerScaleBlockClassAttn(d, cfg.numHeads(), cfg.mlpRatioTokenOnly(),
                    cfg.qkvBias(), cfg.normEps(), cfg.initValues(), rng)));
        }
        this.norm = child("norm", new LayerNorm(d, cfg.normEps()));
        resetHead(cfg.numClasses(), rng);
    }

    public CaitConfig config() {
        return cfg;
    }

    /** images [B, 3, H, W] → [cls, patches] [B, 1 + N, D] after the final norm. */
    @Override
    public Tensor forwardFeatures(Tensor images) {
        Tensor x = Arith.add(patchEmbed.forward(images), namedParameters().get("pos_embed")); // [B, N, D]
        if (training()) x = Stochastic.dropout(x, cfg.posDropRate());
        for (LayerScaleBlock blk : blocks) x = blk.forward(x);
        Tensor cls = Arith.expand(namedParameters().get("cls_token"), x.dim(0), 1, cfg.embedDim()); // [B, 1, D]
        for (LayerScaleBlockClassAttn blk : blocksTokenOnly) cls = blk.forward(x, cls);
        return norm.forward(Shapes.concat(1, cls, x));
    }

    /** [B, 1 + N, D] → logits [B, K] from the class token. */
    @Override
    public Tensor forwardHead(Tensor features) {
        Tensor cls = Shapes.select(features, 1, 0);
        if (training()) cls = Stochastic.dropout(cls, cfg.dropRate());
        return head.forward(cls);
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
        head = child("head", new Linear(cfg.embedDim(), classes, true, rng));
        numClasses = classes;
    }

    /**
     * timm's checkpoint_filter_fn for CaiT (strips a {@code module.} prefix left by
     * DistributedDataParallel), plus what timm leaves out: {@code pos_embed} is resampled bicubically
     * when the checkpoint's grid differs from this model's, as timm.layers.resample_abs_pos_embed does
     * with no prefix tokens (CaiT's position embedding has no class position).
     */
    @Override
    public Map<String, Safetensors.Entry> filterCheckpoint(Map<String, Safetensors.Entry> state) {
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k.replace("module.", ""), v));
        return Pretrained.resamplePosEmbed(out, 0, cfg.gridSize(), cfg.embedDim());
    }
}
