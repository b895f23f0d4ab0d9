package org.vitarena.runner;

import org.vitarena.core.io.Safetensors;
import org.vitarena.engine.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code runner export}: a checkpoint's weights as a timm-loadable model.safetensors. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a checkpoint's model weights under timm's names, loadable by",
                "timm.create_model(name, num_classes=N) + load_state_dict."})
public final class ExportCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--checkpoint", required = true, description = "A .ckpt written by `runner train`.")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "The .safetensors file to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Checkpoint.Loaded c = Checkpoint.load(checkpoint);
        Safetensors.write(out, c.model(), Map.of("format", "pt", "vitarena.model", c.state().model(),
                "vitarena.num_classes", String.valueOf(c.state().numClasses())));
        spec.commandLine().getOut().printf("wrote %s: %d tensors of %s (%d classes); load with timm.create_model('%s', num_classes=%d)%n",
                out, c.model().size(), c.state().model(), c.state().numClasses(), c.state().model(), c.state().numClasses());
        return 0;
    }
}
