package org.vitarena.core.optim;

import org.vitarena.core.Tensor;
import org.vitarena.core.io.Safetensors;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Updates named parameters from their gradients. State (moments, step counts) is kept per name so it
 * can be checkpointed and restored exactly. Parameters without a gradient are skipped, as torch does.
 */
public abstract class Optimizer {
    protected final Map<String, Tensor> params;
    /** Learning rate of the next {@link #step()}; a scheduler sets it. */
    protected float lr;
    /** Names excluded from weight decay (norms, biases) when the option is on. */
    protected final java.util.Set<String> noDecay = new java.util.HashSet<>();

    protected Optimizer(Map<String, Tensor> params, float lr) {
        this.params = new LinkedHashMap<>(params);
        this.lr = lr;
    }

    public void setLr(float lr) {
        this.lr = lr;
    }

    public float lr() {
        return lr;
    }

    /** Excludes 1-d parameters (biases, norm weights, layer-scale gammas) and tokens from weight decay. */
    public void excludeNormsAndBiasesFromDecay() {
        params.forEach((k, t) -> {
            if (t.rank() <= 1 || k.endsWith(".bias") || k.endsWith("token") || k.endsWith("pos_embed")) noDecay.add(k);
        });
    }

    public abstract void step();

    public void zeroGrad() {
        params.values().forEach(Tensor::zeroGrad);
    }

    /** The optimiser state for a checkpoint: tensors under {@code <kind>.<param name>} and scalars. */
    public abstract Map<String, Safetensors.Entry> state();

    /** Restores {@link #state()}. */
    public abstract void loadState(Map<String, Safetensors.Entry> state);
}
