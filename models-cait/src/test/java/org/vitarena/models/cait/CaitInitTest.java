package org.vitarena.models.cait;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import org.vitarena.spi.ModelOptions;
import org.vitarena.verify.InitReference;

import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A freshly built cait_demo is initialised as timm initialises the same Cait: per tensor, mean and std
 * within sampling error of timm's over 8 seeds, constant tensors exactly equal
 * ({@code reference/init/cait_demo.json}, made by {@code verify/generator/init_stats.py}; tolerances in
 * {@link InitReference}).
 */
class CaitInitTest {
    @Test
    void everyTensorIsInitialisedAsTimmDoes() throws Exception {
        InitReference ref = InitReference.read(Golden.repository().resolve("init/cait_demo.json"));
        CaitProvider provider = new CaitProvider();
        // the statistics were made for exactly the kwargs this variant maps to (10 classes)
        var spec = provider.timmSpec("cait_demo", new ModelOptions(10, 0, 0f, 0)).orElseThrow();
        assertTrue(spec.timmClass().equals(ref.timmClass()) && ref.sameKwargs(spec.kwargs()),
                "reference/init/cait_demo.json was made for " + ref.timmClass() + " " + ref.kwargs() + ", the variant is " + spec.classCall());
        InitReference.Report r = ref.check(provider);
        r.rows().forEach(row -> System.out.println(row.line()));
        System.out.println(r.summary());
        assertTrue(r.failures().isEmpty(), r.summary() + "; differing:\n"
                + r.failures().stream().map(InitReference.Row::line).collect(Collectors.joining("\n")));
    }
}
