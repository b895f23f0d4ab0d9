package org.vitarena.core.optim;

import org.vitarena.core.MemoryPool;
import org.vitarena.core.Tensor;
import org.vitarena.core.io.Safetensors;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch.optim.SGD: g ← g + wd·p; with momentum μ, b ← g on first use else μb + (1−dampening)g, and
 * g ← g + μb (Nesterov) or b; then p ← p − lr·g.
 */
public final class SGD extends Optimizer {
    public final float momentum, dampening, weightDecay;
    public final boolean nesterov;
    private final Map<String, Tensor> buf = new HashMap<>();

    public SGD(Map<String, Tensor> params, float lr, float momentum, float dampening, float weightDecay, boolean nesterov) {
        super(params, lr);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    @Override
    public void step() {
        for (var e : params.entrySet()) {
            Tensor p = e.getValue();
            Tensor g = p.grad();
            if (g == null) continue;
            String k = e.getKey();
            boolean first = !buf.containsKey(k);
            Tensor b = momentum == 0 ? null : buf.computeIfAbsent(k, x -> MemoryPool.persistent(() -> Tensor.zeros(p.shape())));
            float wd = noDecay.contains(k) ? 0f : weightDecay;
            p.backend().sgd(p.storage(), g.storage(), b == null ? null : b.storage(), lr, momentum, dampening, wd, nesterov, first);
        }
    }

    @Override
    public Map<String, Safetensors.Entry> state() {
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
        buf.forEach((k, t) -> out.put("momentum_buffer." + k, Safetensors.Entry.ofFloats(t.shape(), t.toArray())));
        return out;
    }

    @Override
    public void loadState(Map<String, Safetensors.Entry> state) {
        buf.clear();
        state.forEach((k, e) -> {
            if (k.startsWith("momentum_buffer.")) buf.put(k.substring("momentum_buffer.".length()), Tensor.of(e.floats(), e.shape()));
        });
    }
}
