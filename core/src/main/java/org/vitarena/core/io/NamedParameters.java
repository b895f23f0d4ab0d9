package org.vitarena.core.io;

import org.vitarena.core.Tensor;

import java.util.Map;

/**
 * What {@link StateDict} reads from and writes to: tensors under their timm state-dict names.
 * {@code nn.Module} implements it; io itself knows nothing of modules.
 */
public interface NamedParameters {
    /** Every parameter under its dotted path ({@code blocks.3.attn.qkv.weight}), in timm's order. */
    Map<String, Tensor> namedParameters();
}
