package org.vitarena.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How timm builds the same architecture as one variant with its options applied, for people who take
 * weights to timm ({@code runner export}) and for checking a family against timm.
 *
 * @param timmClass         fully qualified timm class, e.g. {@code timm.models.vision_transformer.VisionTransformer}
 * @param kwargs            its constructor arguments, complete: {@link ModelProvider#createFromTimm} with them
 *                          builds a model with the same parameter names and shapes as {@link ModelProvider#create}
 * @param timmName          the name {@code timm.create_model} knows for this architecture, or null when timm
 *                          has none (the {@code *_demo} variants, the 64 px benchmark sizes)
 * @param createModelKwargs the arguments to pass with {@code timmName}: {@code num_classes}, and those
 *                          that differ from the published variant (an image size the options changed);
 *                          empty when {@code timmName} is null
 */
public record TimmSpec(String timmClass, Map<String, Object> kwargs, String timmName, Map<String, Object> createModelKwargs) {
    public TimmSpec {
        Objects.requireNonNull(timmClass, "timmClass");
        kwargs = Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
        createModelKwargs = timmName == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(createModelKwargs));
    }

    /** Whether {@code timm.create_model(timmName)} builds it. */
    public boolean timmHasName() {
        return timmName != null;
    }

    /** Python that builds the model in timm: {@link #createModelCall()} when timm has the name, else {@link #classCall()}. */
    public String python() {
        return timmHasName() ? createModelCall() : classCall();
    }

    /** {@code timm.models.vision_transformer.VisionTransformer(img_size=64, patch_size=8, ...)}. */
    public String classCall() {
        return timmClass + "(" + arguments(kwargs) + ")";
    }

    /**
     * {@code timm.create_model('vit_base_patch16_224', num_classes=10)}.
     *
     * @throws IllegalStateException when timm has no name for it
     */
    public String createModelCall() {
        if (!timmHasName()) throw new IllegalStateException("timm has no model name for this " + timmClass);
        String args = arguments(createModelKwargs);
        return "timm.create_model(" + python(timmName) + (args.isEmpty() ? "" : ", " + args) + ")";
    }

    private static String arguments(Map<String, Object> m) {
        return m.entrySet().stream().map(e -> e.getKey() + "=" + python(e.getValue())).collect(Collectors.joining(", "));
    }

    /** A Python literal: None, True/False, 'text', numbers as Java prints them (valid Python), lists in brackets. */
    static String python(Object v) {
        return switch (v) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case String s -> "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
            case int[] a -> python(java.util.Arrays.stream(a).boxed().toList());
            case List<?> l -> l.stream().map(TimmSpec::python).collect(Collectors.joining(", ", "[", "]"));
            default -> v.toString();
        };
    }
}
