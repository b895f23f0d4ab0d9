package org.vitarena.models.deit;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import org.vitarena.spi.ModelOptions;
import org.vitarena.verify.InitReference;

import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A freshly built deit_demo is initialised as timm initialises the same VisionTransformerDistilled: per tensor, mean and std
 * within sampling error of timm's over 8 seeds, constant tensors exactly equal
 * ({@code reference/init/deit_demo.json}, made by {@code verify/generator/init_stats.py}; tolerances in
 * {@link InitReference}).
 */
class DeitInitTest {
    @Test
    void everyTensorIsInitialisedAsTimmDoes() throws Exception {
        InitReference ref = InitReference.read(Golden.repository().resolve("init/deit_demo.json"));
        DeitProvider provider = new DeitProvider();
        // the statistics were made for exactly the kwargs this variant maps to (10 classes)
        var spec = provider.timmSpec("deit_demo", new ModelOptions(10, 0, 0f, 0)).orElseThrow();
        assertTrue(spec.timmClass().equals(ref.timmClass()) && ref.sameKwargs(spec.kwargs()),
                "reference/init/deit_demo.json was made for " + ref.timmClass() + " " + ref.kwargs() + ", the variant is " + spec.classCall());
        InitReference.Report r = ref.check(provider);
        r.rows().forEach(row -> System.out.println(row.line()));
        System.out.println(r.summary());
        assertTrue(r.failures().isEmpty(), r.summary() + "; differing:\n"
                + r.failures().stream().map(InitReference.Row::line).collect(Collectors.joining("\n")));
    }
}
