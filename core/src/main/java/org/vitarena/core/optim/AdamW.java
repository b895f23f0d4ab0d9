package org.vitarena.core.optim;

import org.vitarena.core.MemoryPool;
import org.vitarena.core.Tensor;
import org.vitarena.core.io.Safetensors;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch.optim.AdamW (decoupled weight decay, bias-corrected moments, amsgrad off): for each
 * parameter p with gradient g at step t, p ← p(1 − lr·wd); m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²;
 * p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).
 */
public final class AdamW extends Optimizer {
    public final float beta1, beta2, eps, weightDecay;
    private final Map<String, Tensor> m = new HashMap<>(), v = new HashMap<>();
    private final Map<String, Integer> steps = new HashMap<>();

    public AdamW(Map<String, Tensor> params, float lr, float beta1, float beta2, float eps, float weightDecay) {
        super(params, lr);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** The paper's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.05. */
    public static AdamW paper(Map<String, Tensor> params) {
        return new AdamW(params, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.05f);
    }

    @Override
    public void step() {
        for (var e : params.entrySet()) {
            Tensor p = e.getValue();
            Tensor g = p.grad();
            if (g == null) continue;
            String k = e.getKey();
            Tensor mk = m.computeIfAbsent(k, x -> MemoryPool.persistent(() -> Tensor.zeros(p.shape())));
            Tensor vk = v.computeIfAbsent(k, x -> MemoryPool.persistent(() -> Tensor.zeros(p.shape())));
            int t = steps.merge(k, 1, Integer::sum);
            float wd = noDecay.contains(k) ? 0f : weightDecay;
            p.backend().adamw(p.storage(), g.storage(), mk.storage(), vk.storage(), lr, beta1, beta2, eps, wd, t);
        }
    }

    @Override
    public Map<String, Safetensors.Entry> state() {
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
        for (String k : params.keySet()) {
            if (!steps.containsKey(k)) continue;
            out.put("exp_avg." + k, Safetensors.Entry.ofFloats(m.get(k).shape(), m.get(k).toArray()));
            out.put("exp_avg_sq." + k, Safetensors.Entry.ofFloats(v.get(k).shape(), v.get(k).toArray()));
            out.put("step." + k, Safetensors.Entry.ofLongs(new int[]{1}, new long[]{steps.get(k)}));
        }
        return out;
    }

    @Override
    public void loadState(Map<String, Safetensors.Entry> state) {
        m.clear();
        v.clear();
        steps.clear();
        for (String k : params.keySet()) {
            Safetensors.Entry s = state.get("step." + k);
            if (s == null) continue;
            steps.put(k, (int) s.longs()[0]);
            m.put(k, Tensor.of(state.get("exp_avg." + k).floats(), state.get("exp_avg." + k).shape()));
            v.put(k, Tensor.of(state.get("exp_avg_sq." + k).floats(), state.get("exp_avg_sq." + k).shape()));
        }
    }
}
