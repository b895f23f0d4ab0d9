package org.vitarena.runner;

import org.vitarena.engine.Checkpoint;
import org.vitarena.engine.ModelRegistry;
import org.vitarena.spi.ModelOptions;
import org.vitarena.spi.TimmSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code runner export}: a checkpoint's weights as a timm-loadable model.safetensors, and the timm call that builds the model. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a checkpoint's model weights under timm's names and print how to build the model in timm:",
                "timm.create_model(name, num_classes=N) where timm has the name, else the timm class with its",
                "constructor arguments; then load_state_dict."})
public final class ExportCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.ParentCommand Main parent;
    @picocli.CommandLine.Mixin CommonOptions common;

    @Option(names = "--checkpoint", required = true, description = "A .ckpt written by `runner train`.")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "The .safetensors file to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Checkpoint.Loaded c = Checkpoint.load(checkpoint);
        Checkpoint.State s = c.state();
        Checkpoint.exportWeights(c, out);
        ModelRegistry reg = common.inherit(parent == null ? null : parent.common).registry(spec.commandLine().getErr());
        spec.commandLine().getOut().printf("wrote %s: %d tensors of %s (%d classes); load with %s and load_state_dict%n",
                out, c.model().size(), s.model(), s.numClasses(), timmCall(reg, s.model(), s.numClasses(), s.imgSize()));
        return 0;
    }

    /**
     * Python that builds {@code model} in timm: its provider's {@link TimmSpec} (create_model where timm
     * has the name, else the class and its kwargs); without one, create_model on the name, which works
     * only where timm has it.
     */
    static String timmCall(ModelRegistry reg, String model, int numClasses, int imgSize) {
        Optional<TimmSpec> spec;
        try {
            spec = reg.entry(model).provider().timmSpec(model, new ModelOptions(numClasses, imgSize, 0f, 0L));
        } catch (RuntimeException e) {
            spec = Optional.empty(); // a plugin model not installed here, or a provider that fails: fall back to the name
        }
        return spec.map(TimmSpec::python).orElseGet(() -> "timm.create_model('" + model + "', num_classes=" + numClasses
                + ") (if timm has a model of that name; its provider gives no timm spec)");
    }
}
