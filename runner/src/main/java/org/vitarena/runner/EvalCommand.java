package org.vitarena.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.vitarena.data.AugmentConfig;
import org.vitarena.data.DataLoader;
import org.vitarena.data.Dataset;
import org.vitarena.data.LabelMap;
import org.vitarena.engine.Checkpoint;
import org.vitarena.engine.DataSpec;
import org.vitarena.engine.Evaluator;
import org.vitarena.engine.ModelRegistry;
import org.vitarena.engine.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code runner eval}: accuracy of a checkpoint on a validation split. Needs nothing but the checkpoint
 * (which carries the model, its options and the label map) and the validation images.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a checkpoint: acc@1, acc@5, loss, per-class accuracy.")
public final class EvalCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.ParentCommand Main parent;
    @Mixin CommonOptions common;

    @Option(names = "--checkpoint", required = true, description = "A .ckpt written by `runner train`.")
    Path checkpoint;

    @Option(names = "--data", description = "Dataset folder (any layout train takes; train/ is not needed but for an ImageFolder's class names). Default: the dataset the checkpoint was trained on.")
    Path data;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--json", description = "Print {\"acc1\", \"acc5\", \"loss\", \"images\"}.")
    boolean json;

    @Option(names = "--per-class", description = "Write per-class accuracy as CSV to this file.")
    Path perClass;

    @Option(names = "--save-grid", description = "Write a PNG grid of validation images with true and predicted labels.")
    Path grid;

    @Override
    public Integer call() throws Exception {
        common.inherit(parent == null ? null : parent.common).apply(spec.commandLine().getErr());
        PrintWriter out = spec.commandLine().getOut();
        ModelRegistry reg = common.inherit(parent == null ? null : parent.common).registry(spec.commandLine().getErr());
        // where results go is checked before the evaluation runs
        OutputFiles.checkWritable(perClass, "--per-class");
        OutputFiles.checkWritable(grid, "--save-grid");
        Checkpoint.Loaded ckpt = Checkpoint.load(checkpoint);
        var model = Models.fromCheckpoint(reg, ckpt);
        LabelMap trained = LabelMap.decode(ckpt.state().labelMap());
        DataSpec spec0 = data != null ? DataSpec.folder(data, "fail") : ckpt.state().config().data();
        PrintStream progress = new PrintStream(new WriterOutputStream(spec.commandLine().getErr()), true);
        Dataset val = spec0.open(false, progress, trained, checkpoint.toString()).val(); // an ImageFolder needs only val/
        if (!val.labelMap().ids().equals(trained.ids())) {
            throw new IllegalArgumentException("the validation classes of " + spec0.name() + " (" + val.numClasses()
                    + ") are not the classes " + checkpoint + " was trained on (" + trained.size() + "); point --data at the same dataset");
        }
        Evaluator.Result r;
        try (DataLoader loader = DataLoader.builder(val).setBatchSize(batch).optAugment(AugmentConfig.eval(model.imgSize()))
                .optShuffle(false).optSeed(0).optThreads(Runtime.getRuntime().availableProcessors()).build()) {
            r = Evaluator.evaluate(model, loader, grid == null ? 0 : 32);
        }
        if (perClass != null) {
            StringBuilder sb = new StringBuilder("class_index,class_id,class_name,correct,total,accuracy\n");
            for (int c = 0; c < trained.size(); c++) {
                sb.append(String.format("%d,%s,\"%s\",%d,%d,%.4f%n", c, trained.ids().get(c), trained.names().get(c).replace("\"", "'"),
                        r.correctPerClass()[c], r.totalPerClass()[c], r.totalPerClass()[c] == 0 ? 0.0 : 100.0 * r.correctPerClass()[c] / r.totalPerClass()[c]));
            }
            OutputFiles.write(perClass, sb.toString());
        }
        if (grid != null && r.sample() != null) {
            var s = r.sample();
            org.vitarena.runner.report.PredictionGrid.write(grid, s.images(), s.n(), s.size(), s.labels(), s.predicted(),
                    trained.names().toArray(String[]::new));
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("acc1", r.acc1());
            m.put("acc5", r.acc5());
            m.put("loss", r.loss());
            m.put("images", r.images());
            out.println(new ObjectMapper().writeValueAsString(m));
        } else {
            out.printf("%s on %s: acc@1 %.2f%%, acc@5 %.2f%%, loss %.4f, %d images%n", ckpt.state().model(), spec0.name(), r.acc1(), r.acc5(),
                    r.loss(), r.images());
        }
        return 0;
    }
}
