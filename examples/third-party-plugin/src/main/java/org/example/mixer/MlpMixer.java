package org.example.mixer;

import org.vitarena.core.Tensor;
import org.vitarena.core.nn.DropPath;
import org.vitarena.core.nn.LayerNorm;
import org.vitarena.core.nn.Linear;
import org.vitarena.core.nn.Mlp;
import org.vitarena.core.nn.Module;
import org.vitarena.core.nn.ModuleList;
import org.vitarena.core.nn.PatchEmbed;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Shapes;

import java.util.List;
import java.util.SplittableRandom;

/**
 * MLP-Mixer: An all-MLP Architecture for Vision (Tolstikhin et al., 2021), as timm's
 * {@code timm.models.mlp_mixer.MlpMixer} names its parameters ({@code stem.proj}, {@code blocks.i.norm1},
 * {@code blocks.i.mlp_tokens}, {@code blocks.i.norm2}, {@code blocks.i.mlp_channels}, {@code norm},
 * {@code head}), built only from ViT Arena's core blocks.
 *
 * <p>Legend: B batch, N tokens, C channels, K classes.
 */
public final class MlpMixer extends VisionModel {
    private final MixerConfig cfg;
    private final PatchEmbed stem;
    private final List<MixerBlock> blocks = new java.util.ArrayList<>();
    private final LayerNorm norm;
    private Linear head;
    private int numClasses;

    /** x + drop_path(mlp_tokens(norm1(x)ᵀ)ᵀ), then x + drop_path(mlp_channels(norm2(x))); x [B, N, C]. */
    static final class MixerBlock extends Module {
        private final LayerNorm norm1, norm2;
        private final Mlp mlpTokens, mlpChannels;
        private final DropPath dropPath;

        MixerBlock(MixerConfig c, float dpr, SplittableRandom rng) {
            int dim = c.embedDim();
            norm1 = child("norm1", new LayerNorm(dim, 1e-6f));
            mlpTokens = child("mlp_tokens", new Mlp(c.tokens(), (int) (c.tokensRatio() * dim), 0f, rng));
            norm2 = child("norm2", new LayerNorm(dim, 1e-6f));
            mlpChannels = child("mlp_channels", new Mlp(dim, (int) (c.channelsRatio() * dim), 0f, rng));
            dropPath = new DropPath(dpr);
        }

        Tensor forward(Tensor x) {
            Tensor t = Shapes.transpose(mlpTokens.forward(Shapes.transpose(norm1.forward(x), 1, 2)), 1, 2);
            x = Arith.add(x, dropPath.apply(t, training()));
            return Arith.add(x, dropPath.apply(mlpChannels.forward(norm2.forward(x)), training()));
        }
    }

    public MlpMixer(MixerConfig cfg, long seed) {
        this.cfg = cfg;
        SplittableRandom rng = new SplittableRandom(seed);
        stem = child("stem", new PatchEmbed(cfg.patchSize(), 3, cfg.embedDim(), false, 1e-6f, rng));
        ModuleList list = child("blocks", new ModuleList());
        for (int i = 0; i < cfg.depth(); i++) {
            float dpr = cfg.depth() == 1 ? 0f : cfg.dropPathRate() * i / (cfg.depth() - 1);
            blocks.add(list.add(new MixerBlock(cfg, dpr, rng)));
        }
        norm = child("norm", new LayerNorm(cfg.embedDim(), 1e-6f));
        resetHead(cfg.numClasses(), rng);
    }

    /** images [B, 3, H, W] → tokens [B, N, C] after the final norm. */
    @Override
    public Tensor forwardFeatures(Tensor images) {
        Tensor x = stem.forward(images);
        for (MixerBlock b : blocks) x = b.forward(x);
        return norm.forward(x);
    }

    /** tokens [B, N, C] → logits [B, K] by average pooling. */
    @Override
    public Tensor forwardHead(Tensor features) {
        return head.forward(Shapes.mean(features, 1, false));
    }

    @Override public int numClasses() { return numClasses; }
    @Override public int imgSize() { return cfg.imgSize(); }
    @Override public List<String> headPrefixes() { return List.of("head."); }

    @Override
    public void resetHead(int classes, SplittableRandom rng) {
        head = child("head", new Linear(cfg.embedDim(), classes, true, rng));
        numClasses = classes;
    }
}
