package org.vitarena.models.swin;

import org.vitarena.core.nn.VisionModel;
import org.vitarena.spi.Kwargs;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;
import org.vitarena.spi.TimmSpec;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The Swin family for the runner: variants from {@link SwinVariants}, timm kwargs for SwinTransformer. */
public final class SwinProvider implements ModelProvider {
    public static final String TIMM_CLASS = "timm.models.swin_transformer.SwinTransformer";

    @Override public int spiVersion() { return ModelProvider.SPI_VERSION; }

    @Override public String family() { return "swin"; }

    @Override public List<String> variants() { return SwinVariants.TABLE.names(); }

    @Override
    public VisionModel create(String variant, ModelOptions options) {
        return new SwinTransformer(SwinVariants.TABLE.config(variant, options), options.seed());
    }

    @Override public Set<String> timmClasses() { return Set.of(TIMM_CLASS); }

    /**
     * Parses timm's SwinTransformer kwargs with timm's defaults, including its drop_path_rate of 0.1
     * (so a training forward built from kwargs that omit it is stochastic, as in timm).
     */
    public static SwinConfig fromTimm(Map<String, Object> kwargs) {
        Set<String> known = Set.of("img_size", "patch_size", "in_chans", "num_classes", "global_pool", "embed_dim", "depths", "num_heads",
                "head_dim", "window_size", "always_partition", "strict_img_size", "mlp_ratio", "qkv_bias", "drop_rate", "proj_drop_rate",
                "attn_drop_rate", "drop_path_rate");
        for (String k : kwargs.keySet()) {
            if (!known.contains(k)) throw new IllegalArgumentException("SwinTransformer argument '" + k + "' is not supported; supported: " + known);
        }
        Kwargs a = new Kwargs(kwargs);
        if (!a.s("global_pool", "avg").equals("avg")) throw new IllegalArgumentException("only global_pool='avg' is supported");
        if (kwargs.get("head_dim") != null) throw new IllegalArgumentException("only head_dim=None (embed_dim / num_heads) is supported");
        if (a.b("always_partition", false)) throw new IllegalArgumentException("only always_partition=False is supported");
        if (!a.b("strict_img_size", true)) throw new IllegalArgumentException("only strict_img_size=True is supported");
        if (kwargs.get("embed_dim") instanceof List<?>) throw new IllegalArgumentException("only an int embed_dim (doubled per stage) is supported");
        if (kwargs.get("mlp_ratio") instanceof List<?>) throw new IllegalArgumentException("only one mlp_ratio for all stages is supported");
        int[] depths = a.ints("depths", new int[]{2, 2, 6, 2});
        int[] heads = a.ints("num_heads", new int[]{3, 6, 12, 24});
        int[] window = a.ints("window_size", new int[]{7});
        for (int w : window) {
            if (w != window[0]) throw new IllegalArgumentException("only square windows, equal in every stage, are supported; got window_size " + Arrays.toString(window));
        }
        return new SwinConfig(a.imgSize(224), a.i("patch_size", 4), a.i("in_chans", 3), a.i("num_classes", 1000), a.i("embed_dim", 96),
                depths, heads, window[0], a.f("mlp_ratio", 4f), a.b("qkv_bias", true), 1e-5f, a.f("drop_rate", 0f),
                a.f("proj_drop_rate", 0f), a.f("attn_drop_rate", 0f), a.f("drop_path_rate", 0.1f));
    }

    /**
     * The inverse of {@link #fromTimm}: the sizes and {@code drop_path_rate} always (timm's default is
     * 0.1, not 0), every other argument where it differs from timm's default.
     *
     * @throws IllegalArgumentException for a LayerNorm epsilon timm's constructor cannot take
     */
    public static Map<String, Object> toTimm(SwinConfig c) {
        if (c.normEps() != 1e-5f) throw new IllegalArgumentException("timm's SwinTransformer has no argument for norm eps " + c.normEps());
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("img_size", c.imgSize());
        k.put("patch_size", c.patchSize());
        k.put("window_size", c.windowSize());
        k.put("embed_dim", c.embedDim());
        k.put("depths", Arrays.stream(c.depths()).boxed().toList());
        k.put("num_heads", Arrays.stream(c.numHeads()).boxed().toList());
        k.put("num_classes", c.numClasses());
        k.put("drop_path_rate", c.dropPathRate());
        if (c.inChans() != 3) k.put("in_chans", c.inChans());
        if (c.mlpRatio() != 4f) k.put("mlp_ratio", c.mlpRatio());
        if (!c.qkvBias()) k.put("qkv_bias", false);
        if (c.dropRate() != 0f) k.put("drop_rate", c.dropRate());
        if (c.projDropRate() != 0f) k.put("proj_drop_rate", c.projDropRate());
        if (c.attnDropRate() != 0f) k.put("attn_drop_rate", c.attnDropRate());
        return k;
    }

    @Override
    public VisionModel createFromTimm(String timmClass, Map<String, Object> kwargs, long seed) {
        if (!TIMM_CLASS.equals(timmClass)) throw new IllegalArgumentException("swin cannot build " + timmClass);
        return new SwinTransformer(fromTimm(kwargs), seed);
    }

    @Override
    public Optional<TimmSpec> timmSpec(String variant, ModelOptions options) {
        return Optional.of(SwinVariants.TABLE.timmSpec(variant, options, TIMM_CLASS, SwinProvider::toTimm));
    }

    @Override
    public String describe(String variant) {
        return SwinVariants.TABLE.find(variant).map(c -> "Swin C" + c.embedDim() + " depths " + Arrays.toString(c.depths()) + " heads " + Arrays.toString(c.numHeads())
                + " patch " + c.patchSize() + " window " + c.windowSize() + " @" + c.imgSize() + "px").orElse("");
    }
}
