package org.vitarena.runner;

import org.vitarena.data.SyntheticDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code runner make-synthetic}: the embedded dataset written in Tiny ImageNet's exact layout, as JPEGs. */
@Command(name = "make-synthetic", mixinStandardHelpOptions = true,
        description = "Write the synthetic dataset in Tiny ImageNet's layout (wnids.txt, words.txt, train/, val/, test/).")
public final class MakeSyntheticCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, description = "Folder to create.")
    Path out;

    @Option(names = "--classes", defaultValue = "10", description = "Classes. Default: ${DEFAULT-VALUE}.")
    int classes;

    @Option(names = "--train-per-class", defaultValue = "500", description = "Training images per class. Default: ${DEFAULT-VALUE}.")
    int trainPerClass;

    @Option(names = "--val-per-class", defaultValue = "50", description = "Validation images per class. Default: ${DEFAULT-VALUE}.")
    int valPerClass;

    @Option(names = "--seed", defaultValue = "0", description = "Generation seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (java.nio.file.Files.isDirectory(out)) {
            try (var entries = java.nio.file.Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(out + " exists and is not empty: writing a dataset there would mix its files with "
                            + "what is there; name a new or empty folder");
                }
            }
        } else if (java.nio.file.Files.exists(out)) {
            throw new IllegalArgumentException(out + " is a file: name a new or empty folder");
        }
        SyntheticDataset.writeTinyImageNetLayout(out, classes, trainPerClass, valPerClass, seed);
        spec.commandLine().getOut().printf("wrote %d classes (%d train, %d val images each) to %s%n", classes, trainPerClass, valPerClass, out);
        return 0;
    }
}
