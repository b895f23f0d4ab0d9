package org.vitarena.models.cait;

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

/** The CaiT family for the runner: variants from {@link CaitVariants}, timm kwargs for Cait. */
public final class CaitProvider implements ModelProvider {
    public static final String TIMM_CLASS = "timm.models.cait.Cait";

    @Override public int spiVersion() { return ModelProvider.SPI_VERSION; }

    @Override public String family() { return "cait"; }

    @Override public List<String> variants() { return CaitVariants.TABLE.names(); }

    @Override
    public VisionModel create(String variant, ModelOptions options) {
        return new Cait(CaitVariants.TABLE.config(variant, options), options.seed());
    }

    @Override public Set<String> timmClasses() { return Set.of(TIMM_CLASS); }

    /** Parses timm's Cait kwargs (the subset with which it builds the standard model), with timm's defaults. */
    public static CaitConfig fromTimm(Map<String, Object> kwargs) {
        Set<String> known = Set.of("img_size", "patch_size", "in_chans", "num_classes", "global_pool", "embed_dim", "depth",
                "num_heads", "mlp_ratio", "qkv_bias", "drop_rate", "pos_drop_rate", "proj_drop_rate", "attn_drop_rate",
                "drop_path_rate", "init_values", "depth_token_only", "mlp_ratio_token_only");
        for (String k : kwargs.keySet()) {
            if (!known.contains(k)) throw new IllegalArgumentException("Cait argument '" + k + "' is not supported; supported: " + known);
        }
        Kwargs a = new Kwargs(kwargs);
        if (!a.s("global_pool", "token").equals("token")) throw new IllegalArgumentException("only global_pool='token' is supported");
        return new CaitConfig(a.imgSize(224), a.i("patch_size", 16), a.i("in_chans", 3), a.i("num_classes", 1000),
                a.i("embed_dim", 768), a.i("depth", 12), a.i("num_heads", 12), a.f("mlp_ratio", 4f), a.b("qkv_bias", true),
                a.f("init_values", 1e-4f), a.i("depth_token_only", 2), a.f("mlp_ratio_token_only", 4f), 1e-6f,
                a.f("drop_rate", 0f), a.f("pos_drop_rate", 0f), a.f("proj_drop_rate", 0f), a.f("attn_drop_rate", 0f),
                a.f("drop_path_rate", 0f));
    }

    /**
     * The inverse of {@link #fromTimm}: the sizes and {@code init_values} always, every other argument
     * where it differs from timm's default.
     *
     * @throws IllegalArgumentException for a LayerNorm epsilon timm's constructor cannot take
     */
    public static Map<String, Object> toTimm(CaitConfig c) {
        if (c.normEps() != 1e-6f) throw new IllegalArgumentException("timm's Cait has no argument for norm eps " + c.normEps());
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("img_size", c.imgSize());
        k.put("patch_size", c.patchSize());
        k.put("embed_dim", c.embedDim());
        k.put("depth", c.depth());
        k.put("num_heads", c.numHeads());
        k.put("num_classes", c.numClasses());
        k.put("init_values", c.initValues());
        if (c.inChans() != 3) k.put("in_chans", c.inChans());
        if (c.mlpRatio() != 4f) k.put("mlp_ratio", c.mlpRatio());
        if (!c.qkvBias()) k.put("qkv_bias", false);
        if (c.depthTokenOnly() != 2) k.put("depth_token_only", c.depthTokenOnly());
        if (c.mlpRatioTokenOnly() != 4f) k.put("mlp_ratio_token_only", c.mlpRatioTokenOnly());
        if (c.dropRate() != 0f) k.put("drop_rate", c.dropRate());
        if (c.posDropRate() != 0f) k.put("pos_drop_rate", c.posDropRate());
        if (c.projDropRate() != 0f) k.put("proj_drop_rate", c.projDropRate());
        if (c.attnDropRate() != 0f) k.put("attn_drop_rate", c.attnDropRate());
        if (c.dropPathRate() != 0f) k.put("drop_path_rate", c.dropPathRate());
        return k;
    }

    @Override
    public VisionModel createFromTimm(String timmClass, Map<String, Object> kwargs, long seed) {
        if (!TIMM_CLASS.equals(timmClass)) throw new IllegalArgumentException("cait cannot build " + timmClass);
        return new Cait(fromTimm(kwargs), seed);
    }

    @Override
    public Optional<TimmSpec> timmSpec(String variant, ModelOptions options) {
        return Optional.of(CaitVariants.TABLE.timmSpec(variant, options, TIMM_CLASS, CaitProvider::toTimm));
    }

    @Override
    public String describe(String variant) {
        return CaitVariants.TABLE.find(variant).map(c -> "CaiT D" + c.embedDim() + " depth " + c.depth() + "+" + c.depthTokenOnly() + " heads "
                + c.numHeads() + " patch " + c.patchSize() + " @" + c.imgSize() + "px").orElse("");
    }
}
