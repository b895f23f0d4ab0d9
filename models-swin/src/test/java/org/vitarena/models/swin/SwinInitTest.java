package org.vitarena.models.swin;

import org.junit.jupiter.api.Test;
import org.vitarena.core.testing.Golden;
import org.vitarena.spi.ModelOptions;
import org.vitarena.verify.InitReference;

import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A freshly built swin_demo is initialised as timm initialises the same SwinTransformer: per tensor, mean and std
 * within sampling error of timm's over 8 seeds, constant tensors exactly equal
 * ({@code reference/init/swin_demo.json}, made by {@code verify/generator/init_stats.py}; tolerances in
 * {@link InitReference}).
 */
class SwinInitTest {
    @Test
    void everyTensorIsInitialisedAsTimmDoes() throws Exception {
        InitReference ref = InitReference.read(Golden.repository().resolve("init/swin_demo.json"));
        SwinProvider provider = new SwinProvider();
        // the statistics were made for exactly the kwargs this variant maps to (10 classes)
        var spec = provider.timmSpec("swin_demo", new ModelOptions(10, 0, 0f, 0)).orElseThrow();
        assertTrue(spec.timmClass().equals(ref.timmClass()) && ref.sameKwargs(spec.kwargs()),
                "reference/init/swin_demo.json was made for " + ref.timmClass() + " " + ref.kwargs() + ", the variant is " + spec.classCall());
        InitReference.Report r = ref.check(provider);
        r.rows().forEach(row -> System.out.println(row.line()));
        System.out.println(r.summary());
        assertTrue(r.failures().isEmpty(), r.summary() + "; differing:\n"
                + r.failures().stream().map(InitReference.Row::line).collect(Collectors.joining("\n")));
    }
}
