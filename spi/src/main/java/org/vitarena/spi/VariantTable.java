package org.vitarena.spi;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A family's variants as data: names, in the order they were added, mapped to configs. Immutable once
 * built; a provider keeps one in a static field and answers {@link ModelProvider#variants()} and
 * {@link ModelProvider#create} from it:
 *
 * <pre>{@code
 * static final VariantTable<VitConfig> VARIANTS = VariantTable.<VitConfig>builder("vit")
 *         .addTimm("vit_tiny_patch16_224", VitConfig.of(224, 16, 192, 12, 3, 1000))
 *         .add("vit_demo", VitConfig.of(64, 8, 64, 4, 4, 1000))
 *         .build();
 *
 * public List<String> variants() { return VARIANTS.names(); }
 * public VisionModel create(String v, ModelOptions o) { return new VisionTransformer(VARIANTS.config(v, o), o.seed()); }
 * }</pre>
 *
 * Options (class count, image size, drop-path rate) are applied by {@link VariantConfig#apply} when the
 * config implements it, else by the function given to {@link #builder(String, BiFunction)}.
 * {@link Builder#addTimm} marks a name that {@code timm.create_model} knows for the same architecture;
 * {@link Builder#add} makes no such claim (a variant of this project's own, such as a {@code *_demo}).
 *
 * @param <C> the family's config type
 */
public final class VariantTable<C> {
    private final String family;
    private final Map<String, C> configs;
    private final Set<String> timmNames;
    private final List<String> names;
    private final BiFunction<? super C, ModelOptions, ? extends C> applyOptions;

    private VariantTable(Builder<C> b) {
        this.family = b.family;
        this.configs = Collections.unmodifiableMap(new LinkedHashMap<>(b.configs));
        this.timmNames = Set.copyOf(b.timmNames);
        this.names = List.copyOf(b.configs.keySet());
        this.applyOptions = b.applyOptions;
    }

    /** A builder for a family whose config applies options itself. */
    public static <C extends VariantConfig<C>> Builder<C> builder(String family) {
        return new Builder<>(family, VariantConfig::apply);
    }

    /** A builder for any config type, with the function that applies {@link ModelOptions} to a config. */
    public static <C> Builder<C> builder(String family, BiFunction<? super C, ModelOptions, ? extends C> applyOptions) {
        return new Builder<>(family, Objects.requireNonNull(applyOptions, "applyOptions"));
    }

    /** The family name used in messages, e.g. "vit". */
    public String family() {
        return family;
    }

    /** Every variant name, in the order added; unmodifiable. */
    public List<String> names() {
        return names;
    }

    public boolean contains(String name) {
        return configs.containsKey(name);
    }

    /** Whether {@code timm.create_model(name)} builds this variant's architecture (added with {@link Builder#addTimm}). */
    public boolean timmHasName(String name) {
        return timmNames.contains(name);
    }

    /** The variant's config as published (1000 classes, its own image size), if there is one. */
    public Optional<C> find(String name) {
        return Optional.ofNullable(configs.get(name));
    }

    /**
     * The variant's config as published.
     *
     * @throws IllegalArgumentException "unknown FAMILY variant 'x'; known: a, b, c", with a "did you
     *                                  mean" suggestion when a known name is close
     */
    public C get(String name) {
        C c = configs.get(name);
        if (c == null) throw unknown(name);
        return c;
    }

    /** The variant's config with {@code options} applied; throws as {@link #get} for an unknown name. */
    public C config(String name, ModelOptions options) {
        return applyOptions.apply(get(name), options);
    }

    /** Every name and its published config, in order; unmodifiable. */
    public Map<String, C> asMap() {
        return configs;
    }

    /**
     * The timm spec of a variant with options applied: {@code toKwargs} of the applied config, and when
     * timm has the name, the arguments to pass to {@code timm.create_model} with it (those that differ
     * from the published variant's, {@code num_classes} always).
     */
    public TimmSpec timmSpec(String name, ModelOptions options, String timmClass, Function<? super C, Map<String, Object>> toKwargs) {
        Map<String, Object> kwargs = toKwargs.apply(config(name, options));
        if (!timmHasName(name)) return new TimmSpec(timmClass, kwargs, null, Map.of());
        Map<String, Object> published = toKwargs.apply(get(name));
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("num_classes", kwargs.get("num_classes"));
        for (var e : kwargs.entrySet()) {
            if (!Objects.equals(e.getValue(), published.get(e.getKey()))) overrides.put(e.getKey(), e.getValue());
        }
        return new TimmSpec(timmClass, kwargs, name, overrides);
    }

    private IllegalArgumentException unknown(String name) {
        String msg = "unknown " + family + " variant '" + name + "'; known: " + String.join(", ", names);
        return new IllegalArgumentException(suggest(name, names).map(s -> msg + "; did you mean '" + s + "'?").orElse(msg));
    }

    /**
     * The known name closest to {@code name} by edit distance, when it is close enough to be a typo: at
     * most a third of the longer name's length, and never more than 4 edits.
     */
    public static Optional<String> suggest(String name, Collection<String> known) {
        if (name == null || name.isEmpty()) return Optional.empty();
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = editDistance(name, k);
            if (d < bestDistance && d <= Math.min(4, Math.max(name.length(), k.length()) / 3)) {
                best = k;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character each cost 1. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    @Override
    public String toString() {
        return "VariantTable[" + family + ": " + String.join(", ", names) + "]";
    }

    /** Collects variants in order; a name may be added once. */
    public static final class Builder<C> {
        private final String family;
        private final BiFunction<? super C, ModelOptions, ? extends C> applyOptions;
        private final Map<String, C> configs = new LinkedHashMap<>();
        private final Set<String> timmNames = new LinkedHashSet<>();

        private Builder(String family, BiFunction<? super C, ModelOptions, ? extends C> applyOptions) {
            if (family == null || family.isBlank()) throw new IllegalArgumentException("a variant table needs a family name");
            this.family = family;
            this.applyOptions = applyOptions;
        }

        /**
         * Adds a variant of this family's own (one {@code timm.create_model} does not know by this name).
         *
         * @throws IllegalArgumentException when the name is already in the table
         */
        public Builder<C> add(String name, C config) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(config, () -> "config of " + name);
            if (name.isBlank()) throw new IllegalArgumentException("a " + family + " variant needs a name");
            if (configs.putIfAbsent(name, config) != null) {
                throw new IllegalArgumentException("duplicate " + family + " variant '" + name + "'");
            }
            return this;
        }

        /** Adds a variant that {@code timm.create_model(name)} builds with the same architecture. */
        public Builder<C> addTimm(String name, C config) {
            add(name, config);
            timmNames.add(name);
            return this;
        }

        /** @throws IllegalStateException when no variant was added */
        public VariantTable<C> build() {
            if (configs.isEmpty()) throw new IllegalStateException("the " + family + " variant table is empty");
            return new VariantTable<>(this);
        }
    }
}
