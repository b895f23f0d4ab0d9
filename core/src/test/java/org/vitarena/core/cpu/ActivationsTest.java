package org.vitarena.core.cpu;

import org.junit.jupiter.api.Test;
import org.vitarena.core.backend.UnaryOp;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vectorised GELU and its derivative against the double-precision erf reference. */
class ActivationsTest {
    @Test
    void geluAndDerivativeMatchTheExactErfFormulaOverTheWholeRange() {
        int n = 20_003; // not a multiple of the vector width: the scalar tail is covered too
        float[] x = new float[n], y = new float[n], dy = new float[n], dx = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -12f + 24f * i / (n - 1);
            dy[i] = 1f;
        }
        Activations.gelu(x, y, 0, n);
        Activations.geluBackward(x, dy, dx, false, 0, n);
        double worstY = 0, worstD = 0;
        for (int i = 0; i < n; i++) {
            worstY = Math.max(worstY, Math.abs(y[i] - UnaryOp.GELU.apply(x[i])) / Math.max(1, Math.abs(x[i])));
            worstD = Math.max(worstD, Math.abs(dx[i] - UnaryOp.GELU.derivative(x[i])));
        }
        assertTrue(worstY < 3e-7, "gelu relative error " + worstY);
        assertTrue(worstD < 5e-7, "gelu' error " + worstD);
    }
}
