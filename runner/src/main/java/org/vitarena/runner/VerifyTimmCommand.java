package org.vitarena.runner;

import org.vitarena.engine.ModelRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.vitarena.verify.TimmVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code runner verify-timm DIR}: every reference case against the models on the class path. */
@Command(name = "verify-timm", mixinStandardHelpOptions = true,
        description = {"Compare every model family with timm reference files (format: reference/README.md):",
                "eval logits, training loss, every gradient, the AdamW trace and the resampling references."})
public final class VerifyTimmCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.ParentCommand Main parent;
    @Mixin CommonOptions common;

    @Parameters(index = "0", description = "Folder of reference cases (e.g. reference, made by verify/generator/make_reference.py).")
    Path dir;

    @Option(names = "--json", description = "JSON list of {case, family, status, logits_maxdiff, loss_diff, grad_maxrel, detail}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        common.inherit(parent == null ? null : parent.common).apply(spec.commandLine().getErr());
        ModelRegistry reg = common.inherit(parent == null ? null : parent.common).registry(spec.commandLine().getErr());
        List<TimmVerifier.Result> results = new TimmVerifier(reg.providers()).verifyAll(dir);
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ArrayNode arr = m.createArrayNode();
            for (var r : results) {
                ObjectNode o = arr.addObject();
                o.put("case", r.caseName()).put("family", r.family()).put("status", r.status().name());
                putNumber(o, "logits_maxdiff", r.logitsMaxdiff());
                putNumber(o, "loss_diff", r.lossDiff());
                putNumber(o, "grad_maxrel", r.gradMaxrel());
                o.put("detail", r.detail());
            }
            out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
        } else {
            results.forEach(r -> out.println(r.line()));
            long pass = results.stream().filter(r -> r.status() == TimmVerifier.Status.PASS).count();
            long fail = results.stream().filter(r -> r.status() == TimmVerifier.Status.FAIL).count();
            out.printf("%d passed, %d failed, %d skipped%n", pass, fail, results.size() - pass - fail);
        }
        return results.stream().anyMatch(r -> r.status() == TimmVerifier.Status.FAIL) ? 1 : 0;
    }

    private static void putNumber(ObjectNode o, String k, double v) {
        if (Double.isNaN(v)) o.putNull(k);
        else o.put(k, v);
    }
}
