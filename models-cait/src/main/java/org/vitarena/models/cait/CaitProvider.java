package org.vitarena.models.cait;

import org.vitarena.core.nn.VisionModel;
import org.vitarena.spi.Kwargs;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.ModelProvider;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The CaiT family for the runner: variants from {@link CaitVariants}, timm kwargs for Cait. */
public final class CaitProvider implements ModelProvider {
    public static final String TIMM_CLASS = "timm.models.cait.Cait";

    @Override public int spiVersion() { return ModelProvider.SPI_VERSION; }

    @Override public String family() { return "cait"; }

    @Override public List<String> variants() { return List.copyOf(CaitVariants.TABLE.keySet()); }

    /** The config of a variant with the options applied. */
    public static CaitConfig config(String variant, ModelOptions o) {
        CaitConfig c = CaitVariants.TABLE.get(variant);
        if (c == null) {
            throw new IllegalArgumentException("unknown cait variant '" + variant + "'; known: " + String.join(", ", CaitVariants.TABLE.keySet()));
        }
        c = c.withNumClasses(o.numClasses()).withDropPath(o.dropPathRate());
        return o.imgSize() > 0 ? c.withImgSize(o.imgSize()) : c;
    }

    @Override
    public VisionModel create(String variant, ModelOptions options) {
        return new Cait(config(variant, options), options.seed());
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

    @Override
    public VisionModel createFromTimm(String timmClass, Map<String, Object> kwargs, long seed) {
        if (!TIMM_CLASS.equals(timmClass)) throw new IllegalArgumentException("cait cannot build " + timmClass);
        return new Cait(fromTimm(kwargs), seed);
    }

    @Override
    public String describe(String variant) {
        CaitConfig c = CaitVariants.TABLE.get(variant);
        return c == null ? "" : "CaiT D" + c.embedDim() + " depth " + c.depth() + "+" + c.depthTokenOnly() + " heads "
                + c.numHeads() + " patch " + c.patchSize() + " @" + c.imgSize() + "px";
    }
}
