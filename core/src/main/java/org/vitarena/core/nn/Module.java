package org.vitarena.core.nn;

import org.vitarena.core.Tensor;
import org.vitarena.core.io.NamedParameters;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A node of a model tree, holding parameters and child modules under names. Dotted paths of the
 * tree ({@code blocks.3.attn.qkv.weight}) are exactly timm's {@code state_dict} keys.
 */
public abstract class Module implements NamedParameters {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers (or replaces) a trainable parameter. */
    protected Tensor param(String name, Tensor t) {
        t.requiresGrad(true);
        params.put(name, t);
        return t;
    }

    /** Registers (or replaces) a child module. */
    protected <M extends Module> M child(String name, M m) {
        children.put(name, m);
        m.train(training);
        return m;
    }

    /** Every parameter under its dotted path, in registration order (timm's order). */
    @Override
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        params.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out));
    }

    /** Direct children by name. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Number of parameter elements. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) n += t.size();
        return n;
    }

    /** Training mode enables dropout and drop-path; evaluation disables them. */
    public void train(boolean on) {
        training = on;
        children.values().forEach(m -> m.train(on));
    }

    public boolean training() {
        return training;
    }

    /** Clears every parameter's gradient. */
    public void zeroGrad() {
        namedParameters().values().forEach(Tensor::zeroGrad);
    }
}
