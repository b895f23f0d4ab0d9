package org.vitarena.models.swin;

import org.vitarena.core.Tensor;
import org.vitarena.core.io.Safetensors;
import org.vitarena.core.nn.DropPath;
import org.vitarena.core.nn.Init;
import org.vitarena.core.nn.LayerNorm;
import org.vitarena.core.nn.Linear;
import org.vitarena.core.nn.Mlp;
import org.vitarena.core.nn.Module;
import org.vitarena.core.nn.ModuleList;
import org.vitarena.core.nn.PatchEmbed;
import org.vitarena.core.nn.VisionModel;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.AttentionOp;
import org.vitarena.core.ops.Linalg;
import org.vitarena.core.ops.Norms;
import org.vitarena.core.ops.Shapes;
import org.vitarena.core.ops.Stochastic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Swin Transformer: Hierarchical Vision Transformer using Shifted Windows (Liu et al., 2021), as
 * timm 1.0's {@code timm.models.swin_transformer.SwinTransformer} computes it: a patch embedding with
 * LayerNorm giving an NHWC grid; stages {@code layers.i}, each starting (for i > 0) with a 2×2 patch
 * merging and followed by blocks of window attention with a learned relative position bias, every
 * odd block on windows cyclically shifted by half a window with an attention mask between the
 * regions the shift joins; a final LayerNorm, global average pooling and {@code head.fc}.
 *
 * <p>Legend: B batch, G grid side of a stage, C its width, w window side, N = w² tokens per window,
 * nW = (G/w)² windows per image, H heads, D = C/H head dim, K classes.
 */
public class SwinTransformer extends VisionModel {
    private final SwinConfig cfg;
    private final PatchEmbed patchEmbed;
    private final List<Stage> stages = new ArrayList<>();
    private final LayerNorm norm;
    private Head head;

    public SwinTransformer(SwinConfig cfg, long seed) {
        this.cfg = cfg;
        SplittableRandom rng = new SplittableRandom(seed);
        this.patchEmbed = child("patch_embed", new PatchEmbed(cfg.patchSize(), cfg.inChans(), cfg.embedDim(), true, cfg.normEps(), rng));
        ModuleList layers = child("layers", new ModuleList());
        int total = cfg.totalDepth(), k = 0;
        for (int i = 0; i < cfg.numStages(); i++) {
            float[] dpr = new float[cfg.stageDepth(i)];
            // torch.linspace(0, drop_path_rate, total) split per stage (timm's stagewise rates)
            for (int j = 0; j < dpr.length; j++, k++) dpr[j] = total == 1 ? 0f : cfg.dropPathRate() * k / (total - 1);
            stages.add(layers.add(new Stage(cfg, i, dpr, rng)));
        }
        this.norm = child("norm", new LayerNorm(cfg.numFeatures(), cfg.normEps()));
        this.head = child("head", new Head(cfg.numFeatures(), cfg.numClasses(), cfg.dropRate(), rng));
    }

    public SwinConfig config() {
        return cfg;
    }

    /** images [B, 3, H, W] → features [B, G, G, C] of the last stage, after the final norm (NHWC). */
    @Override
    public Tensor forwardFeatures(Tensor images) {
        if (images.dim(2) != cfg.imgSize() || images.dim(3) != cfg.imgSize()) {
            throw new IllegalArgumentException("this Swin was built for " + cfg.imgSize() + "x" + cfg.imgSize() + " images (its windows and masks depend on it), got "
                    + Arrays.toString(images.shape()));
        }
        Tensor x = patchEmbed.forwardGrid(images); // [B, G, G, C]
        for (Stage s : stages) x = s.forward(x);
        return norm.forward(x);
    }

    /** features [B, G, G, C] → logits [B, K]: mean over the grid, dropout, fc. */
    @Override
    public Tensor forwardHead(Tensor features) {
        return head.forward(features);
    }

    @Override
    public int numClasses() {
        return head.fc.out;
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
        head = child("head", new Head(cfg.numFeatures(), classes, cfg.dropRate(), rng));
    }

    // ------------------------------------------------------------------------------------ blocks

    /** timm's WindowAttention: {@code relative_position_bias_table} [(2w−1)², H], {@code qkv}, {@code proj}. */
    static final class WindowAttention extends Module {
        final int heads, headDim, window;
        final float scale;
        private final int[] relIndex;
        private final Linear qkv, proj;
        private final float attnDrop, projDrop;

        WindowAttention(int dim, int heads, int window, boolean qkvBias, float attnDrop, float projDrop, SplittableRandom rng) {
            this.heads = heads;
            this.headDim = dim / heads;
            this.window = window;
            this.scale = (float) Math.pow(headDim, -0.5);
            int rows = (2 * window - 1) * (2 * window - 1);
            param("relative_position_bias_table", Tensor.of(Init.truncNormal(rng, 0.02f, rows * heads), rows, heads));
            this.relIndex = WindowGeometry.relativePositionIndex(window);
            this.qkv = child("qkv", new Linear(dim, 3 * dim, qkvBias, rng));
            this.proj = child("proj", new Linear(dim, dim, true, rng));
            this.attnDrop = attnDrop;
            this.projDrop = projDrop;
        }

        /** The bias [1, H, N, N] gathered from the table (differentiable: its backward scatters into the table). */
        Tensor relativePositionBias() {
            int n = window * window;
            Tensor t = Shapes.gather(namedParameters().get("relative_position_bias_table"), 0, relIndex); // [N·N, H]
            return Shapes.reshape(Shapes.permute(Shapes.reshape(t, n, n, heads), 2, 0, 1), 1, heads, n, n);
        }

        /** x [B·nW, N, C] → [B·nW, N, C]; {@code mask} [nW, 1, N, N] or null. */
        Tensor forward(Tensor x, Tensor mask) {
            return project(attend(x, mask));
        }

        /** The output projection, then its dropout in training: [B·nW, N, C] → [B·nW, N, C]. */
        Tensor project(Tensor a) {
            Tensor y = proj.forward(a);
            return training() ? Stochastic.dropout(y, projDrop) : y;
        }

        /** Whether the output projection is only the linear layer (no dropout after it). */
        boolean plainProjection() {
            return !training() || projDrop == 0f;
        }

        /** The attention before its output projection: x [B·nW, N, C] → [B·nW, N, C]. */
        Tensor attend(Tensor x, Tensor mask) {
            int bw = x.dim(0), n = x.dim(1), c = x.dim(2);
            if (!training() || attnDrop == 0f) { // fused: q, k, v read in place from the qkv buffer
                Tensor bias = relativePositionBias(); // [1, H, N, N]
                if (mask != null) {
                    int nw = mask.dim(0), b = bw / nw;
                    bias = Arith.add(bias, mask); // [nW, H, N, N]
                    if (b > 1) bias = Shapes.reshape(Arith.expand(Shapes.reshape(bias, 1, nw, heads, n, n), b, nw, heads, n, n), bw, heads, n, n);
                }
                return AttentionOp.fromQkv(qkv.forward(x), heads, scale, bias); // [B·nW, N, C]
            }
            Tensor t = Shapes.permute(Shapes.reshape(qkv.forward(x), bw, n, 3, heads, headDim), 2, 0, 3, 1, 4); // [3, B·nW, H, N, D]
            Tensor q = Shapes.select(t, 0, 0), k = Shapes.select(t, 0, 1), v = Shapes.select(t, 0, 2);
            Tensor logits = Linalg.matmul(Arith.scale(q, scale), k, false, true); // [B·nW, H, N, N]
            logits = Arith.add(logits, relativePositionBias());
            if (mask != null) {
                int nw = mask.dim(0);
                logits = Shapes.reshape(Arith.add(Shapes.reshape(logits, bw / nw, nw, heads, n, n), mask), bw, heads, n, n);
            }
            Tensor p = Norms.softmax(logits);
            if (training()) p = Stochastic.dropout(p, attnDrop);
            return Shapes.reshape(Shapes.transpose(Linalg.matmul(p, v), 1, 2), bw, n, c); // [B·nW, N, C]
        }
    }

    /**
     * timm's SwinTransformerBlock on x [B, G, G, C]: x + drop_path(shift⁻¹(windows⁻¹(attn(windows(shift(norm1(x))))))),
     * then x + drop_path(mlp(norm2(x))).
     */
    static final class SwinBlock extends Module {
        final int grid, window, shift;
        private final DropPath dropPath;
        private final LayerNorm norm1, norm2;
        private final WindowAttention attn;
        private final Mlp mlp;
        private final float[] maskData; // [nW, 1, N, N] for a shifted block, else null
        private final int[] windowOrder, gridOrder; // [G²]: the shift and partition, and their inverse

        SwinBlock(int dim, int grid, int heads, int window, int shift, float mlpRatio, boolean qkvBias, float projDrop,
                  float attnDrop, float dropPath, float eps, SplittableRandom rng) {
            this.grid = grid;
            this.window = window;
            this.shift = shift;
            this.dropPath = new DropPath(dropPath);
            this.norm1 = child("norm1", new LayerNorm(dim, eps));
            this.attn = child("attn", new WindowAttention(dim, heads, window, qkvBias, attnDrop, projDrop, rng));
            this.norm2 = child("norm2", new LayerNorm(dim, eps));
            this.mlp = child("mlp", new Mlp(dim, (int) (dim * mlpRatio), projDrop, rng));
            this.maskData = shift > 0 ? WindowGeometry.shiftedWindowMask(grid, window, shift) : null;
            this.windowOrder = WindowGeometry.windowOrder(grid, window, shift);
            this.gridOrder = WindowGeometry.gridOrder(grid, window, shift);
        }

        /**
         * [B, G, G, C] → windows [B·nW, N, C]: timm's roll(x, (−s, −s)) then window_partition, as one
         * copy. The rolls and the permute, each a copy kept for the backward, held three tensors of
         * the block's activation size where one does (Swin-T/2 training, BENCHMARKS.md).
         */
        private Tensor partition(Tensor x) {
            int b = x.dim(0), c = x.dim(3);
            Tensor t = Shapes.reorder(Shapes.reshape(x, b, grid * grid, c), 1, windowOrder);
            return Shapes.reshape(t, b * grid * grid / (window * window), window * window, c);
        }

        /** windows [B·nW, N, C] → [B, G, G, C]: timm's window_reverse then roll(x, (s, s)), as one copy. */
        private Tensor reverse(Tensor w, int b) {
            int c = w.dim(2);
            Tensor t = Shapes.reorder(Shapes.reshape(w, b, grid * grid, c), 1, gridOrder);
            return Shapes.reshape(t, b, grid, grid, c);
        }

        Tensor forward(Tensor x) {
            int b = x.dim(0);
            int nw = (grid / window) * (grid / window), n = window * window;
            Tensor mask = maskData == null ? null : Tensor.of(maskData, nw, 1, n, n);
            Tensor a = attn.attend(partition(norm1.forward(x)), mask); // [B·nW, N, C]
            if (attn.plainProjection() && (!training() || dropPath.rate() == 0f)) {
                // x + window_reverse(proj(a)) rolled back, in one op that keeps neither copy for the backward
                int c = x.dim(3);
                Tensor y = Linalg.linearAdd(Shapes.reshape(a, b, grid * grid, c), attn.proj.weight(), attn.proj.bias(),
                        Shapes.reshape(x, b, grid * grid, c), gridOrder);
                x = Shapes.reshape(y, b, grid, grid, c);
            } else {
                x = Arith.add(x, dropPath.apply(reverse(attn.project(a), b), training()));
            }
            return Arith.add(x, dropPath.apply(mlp.forward(norm2.forward(x)), training()));
        }
    }

    /** timm's PatchMerging: [B, G, G, C] → 2×2 neighbours concatenated (x0, x1, x2, x3 order) → norm(4C) → reduction [2C, 4C]. */
    static final class PatchMerging extends Module {
        private final LayerNorm norm;
        private final Linear reduction;

        PatchMerging(int dim, int outDim, float eps, SplittableRandom rng) {
            this.norm = child("norm", new LayerNorm(4 * dim, eps));
            this.reduction = child("reduction", new Linear(4 * dim, outDim, false, rng));
        }

        Tensor forward(Tensor x) {
            int b = x.dim(0), g = x.dim(1), c = x.dim(3);
            Tensor t = Shapes.permute(Shapes.reshape(x, b, g / 2, 2, g / 2, 2, c), 0, 1, 3, 4, 2, 5); // [B, G/2, G/2, 2(w), 2(h), C]
            return reduction.forward(norm.forward(Shapes.reshape(t, b, g / 2, g / 2, 4 * c)));
        }
    }

    /** timm's SwinTransformerStage: {@code downsample} (stages after the first), then {@code blocks.j}. */
    static final class Stage extends Module {
        private final PatchMerging downsample;
        final List<SwinBlock> blocks = new ArrayList<>();

        Stage(SwinConfig cfg, int i, float[] dpr, SplittableRandom rng) {
            int dim = cfg.stageDim(i);
            this.downsample = i > 0 ? child("downsample", new PatchMerging(cfg.stageDim(i - 1), dim, cfg.normEps(), rng)) : null;
            ModuleList list = child("blocks", new ModuleList());
            for (int j = 0; j < cfg.stageDepth(i); j++) {
                int shift = j % 2 == 0 ? 0 : cfg.stageShift(i);
                blocks.add(list.add(new SwinBlock(dim, cfg.stageGrid(i), cfg.stageHeads(i), cfg.stageWindow(i), shift, cfg.mlpRatio(),
                        cfg.qkvBias(), cfg.projDropRate(), cfg.attnDropRate(), dpr[j], cfg.normEps(), rng)));
            }
        }

        Tensor forward(Tensor x) {
            if (downsample != null) x = downsample.forward(x);
            for (SwinBlock b : blocks) x = b.forward(x);
            return x;
        }
    }

    /** timm's ClassifierHead with average pooling over an NHWC grid: {@code fc}. */
    static final class Head extends Module {
        final Linear fc;
        private final float drop;

        Head(int features, int classes, float drop, SplittableRandom rng) {
            this.fc = child("fc", new Linear(features, classes, true, rng));
            this.drop = drop;
        }

        Tensor forward(Tensor x) { // [B, G, G, C] → [B, K]
            Tensor pooled = Shapes.mean(Shapes.reshape(x, x.dim(0), x.dim(1) * x.dim(2), x.dim(3)), 1, false);
            if (training()) pooled = Stochastic.dropout(pooled, drop);
            return fc.forward(pooled);
        }
    }

    // ------------------------------------------------------------------------ checkpoint filter

    private static final Pattern TABLE_KEY = Pattern.compile("layers\\.(\\d+)\\.blocks\\.(\\d+)\\.attn\\.relative_position_bias_table");
    private static final Pattern OLD_DOWNSAMPLE = Pattern.compile("layers\\.(\\d+)\\.downsample");

    /**
     * timm's checkpoint_filter_fn for Swin: drops the non-persistent buffers
     * ({@code relative_position_index}, {@code attn_mask}) that old checkpoints carry; renames the
     * original Microsoft layout (downsample at the end of a stage, {@code head.} without {@code fc})
     * when {@code head.fc.weight} is absent; and resizes every {@code relative_position_bias_table}
     * whose window differs from this model's, with timm's resize_rel_pos_bias_table
     * ({@link WindowGeometry#resizeBiasTable}). A table that cannot be resized (another head count,
     * or not square) is refused with the shapes this model would load.
     */
    @Override
    public Map<String, Safetensors.Entry> filterCheckpoint(Map<String, Safetensors.Entry> state) {
        boolean oldLayout = !state.containsKey("head.fc.weight") && state.containsKey("head.weight");
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        for (var e : state.entrySet()) {
            String key = e.getKey();
            Safetensors.Entry v = e.getValue();
            if (key.contains("relative_position_index") || key.contains("attn_mask")) continue;
            if (oldLayout) {
                Matcher m = OLD_DOWNSAMPLE.matcher(key);
                if (m.find()) key = m.replaceFirst("layers." + (Integer.parseInt(m.group(1)) + 1) + ".downsample");
                if (key.startsWith("head.")) key = "head.fc." + key.substring("head.".length());
            }
            Matcher t = TABLE_KEY.matcher(key);
            if (t.matches() && v.isFloating()) {
                int stage = Integer.parseInt(t.group(1));
                if (stage < cfg.numStages()) {
                    int w = cfg.stageWindow(stage), heads = cfg.stageHeads(stage), rows = (2 * w - 1) * (2 * w - 1);
                    int[] s = v.shape();
                    if (s.length != 2 || s[1] != heads || Math.round(Math.sqrt(s[0])) * Math.round(Math.sqrt(s[0])) != s[0]
                            || Math.round(Math.sqrt(s[0])) % 2 == 0) {
                        refused.add(key + " " + v + ": a table resizes only as [(2w-1)^2, " + heads + "] (any window w, " + heads
                                + " heads); this model loads [" + rows + ", " + heads + "] (window " + w + ")");
                    } else if (s[0] != rows) {
                        v = Safetensors.Entry.ofFloats(new int[]{rows, heads}, WindowGeometry.resizeBiasTable(v.floats(), heads, w));
                    }
                }
            }
            out.put(key, v);
        }
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException("relative position bias tables that cannot be resized for this model:\n  " + String.join("\n  ", refused));
        }
        return out;
    }
}
