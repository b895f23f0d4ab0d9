package org.vitarena.models.vit;

import org.vitarena.core.nn.VisionModel;
import org.vitarena.spi.Kwargs;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;
import org.vitarena.spi.TimmSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The ViT family for the runner: variants from {@link VitVariants}, timm kwargs for VisionTransformer. */
public final class VitProvider implements ModelProvider {
    public static final String TIMM_CLASS = "timm.models.vision_transformer.VisionTransformer";

    @Override public int spiVersion() { return ModelProvider.SPI_VERSION; }

    @Override public String family() { return "vit"; }

    @Override public List<String> variants() { return VitVariants.TABLE.names(); }

    @Override
    public VisionModel create(String variant, ModelOptions options) {
        return new VisionTransformer(VitVariants.TABLE.config(variant, options), options.seed());
    }

    @Override public Set<String> timmClasses() { return Set.of(TIMM_CLASS); }

    /** Parses timm's VisionTransformer kwargs (the subset with which it builds the standard model). */
    public static VitConfig fromTimm(Map<String, Object> kwargs) {
        Set<String> known = Set.of("img_size", "patch_size", "in_chans", "num_classes", "embed_dim", "depth", "num_heads",
                "mlp_ratio", "qkv_bias", "init_values", "drop_rate", "attn_drop_rate", "drop_path_rate", "global_pool", "class_token");
        for (String k : kwargs.keySet()) {
            if (!known.contains(k)) throw new IllegalArgumentException("VisionTransformer argument '" + k + "' is not supported; supported: " + known);
        }
        Kwargs a = new Kwargs(kwargs);
        if (!a.b("class_token", true)) throw new IllegalArgumentException("only models with a class token are supported (class_token=True)");
        return new VitConfig(a.imgSize(224), a.i("patch_size", 16), a.i("in_chans", 3), a.i("num_classes", 1000),
                a.i("embed_dim", 768), a.i("depth", 12), a.i("num_heads", 12), a.f("mlp_ratio", 4f), a.b("qkv_bias", true),
                a.fOrNull("init_values", null), 1e-6f, a.f("drop_rate", 0f), a.f("attn_drop_rate", 0f), a.f("drop_path_rate", 0f),
                a.s("global_pool", "token"));
    }

    /**
     * The inverse of {@link #fromTimm}: the sizes always, every other argument where it differs from
     * timm's default. VisionTransformerDistilled takes the same arguments.
     *
     * @throws IllegalArgumentException for a LayerNorm epsilon timm's constructor cannot take
     */
    public static Map<String, Object> toTimm(VitConfig c) {
        if (c.normEps() != 1e-6f) throw new IllegalArgumentException("timm's VisionTransformer has no argument for norm eps " + c.normEps());
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("img_size", c.imgSize());
        k.put("patch_size", c.patchSize());
        k.put("embed_dim", c.embedDim());
        k.put("depth", c.depth());
        k.put("num_heads", c.numHeads());
        k.put("num_classes", c.numClasses());
        if (c.inChans() != 3) k.put("in_chans", c.inChans());
        if (c.mlpRatio() != 4f) k.put("mlp_ratio", c.mlpRatio());
        if (!c.qkvBias()) k.put("qkv_bias", false);
        if (c.initValues() != null) k.put("init_values", c.initValues());
        if (c.dropRate() != 0f) k.put("drop_rate", c.dropRate());
        if (c.attnDropRate() != 0f) k.put("attn_drop_rate", c.attnDropRate());
        if (c.dropPathRate() != 0f) k.put("drop_path_rate", c.dropPathRate());
        if (!c.globalPool().equals("token")) k.put("global_pool", c.globalPool());
        return k;
    }

    @Override
    public VisionModel createFromTimm(String timmClass, Map<String, Object> kwargs, long seed) {
        if (!TIMM_CLASS.equals(timmClass)) throw new IllegalArgumentException("vit cannot build " + timmClass);
        return new VisionTransformer(fromTimm(kwargs), seed);
    }

    @Override
    public Optional<TimmSpec> timmSpec(String variant, ModelOptions options) {
        return Optional.of(VitVariants.TABLE.timmSpec(variant, options, TIMM_CLASS, VitProvider::toTimm));
    }

    @Override
    public String describe(String variant) {
        return VitVariants.TABLE.find(variant).map(c -> "ViT D" + c.embedDim() + " depth " + c.depth() + " heads " + c.numHeads() + " patch " + c.patchSize() + " @" + c.imgSize() + "px").orElse("");
    }
}
