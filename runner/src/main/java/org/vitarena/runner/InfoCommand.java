package org.vitarena.runner;

import org.vitarena.engine.ModelRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.vitarena.spi.ModelInfo;
import org.vitarena.spi.ModelOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code runner info MODEL}: parameters and multiply-accumulates of one forward pass. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Parameters and GMACs of one image's forward pass (matmuls and the patch convolution, as papers count).")
public final class InfoCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.ParentCommand Main parent;
    @picocli.CommandLine.Mixin CommonOptions common;

    @Parameters(index = "0", description = "Model name (see `runner list`).")
    String model;

    @Option(names = "--num-classes", defaultValue = "200",
            description = "Classifier outputs. Default: ${DEFAULT-VALUE} (Tiny ImageNet's classes, as the runner trains); "
                    + "1000 gives ImageNet's published counts.")
    int numClasses;

    @Option(names = "--img-size", defaultValue = "0", description = "Input size in pixels; 0 keeps the variant's.")
    int imgSize;

    @Option(names = "--json", description = "JSON {model, family, params, gmacs, img_size, num_classes}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ModelRegistry reg = common.inherit(parent == null ? null : parent.common).registry(spec.commandLine().getErr());
        var entry = reg.entry(model);
        ModelInfo info = ModelInfo.measure(() -> entry.provider().create(model, new ModelOptions(numClasses, imgSize, 0f, 0L)));
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("family", entry.family());
            m.put("params", info.params());
            m.put("gmacs", Math.round(info.gmacs() * 1000) / 1000.0);
            m.put("img_size", info.imgSize());
            m.put("num_classes", info.numClasses());
            out.println(new ObjectMapper().writeValueAsString(m));
        } else {
            out.printf("%s (%d classes, %d px): %.1fM params, %s GMACs%n", model, info.numClasses(), info.imgSize(),
                    info.params() / 1e6, info.gmacs() >= 1 ? String.format("%.1f", info.gmacs()) : String.format("%.4f", info.gmacs()));
        }
        return 0;
    }
}
