package org.vitarena.runner;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code runner}: train and compare vision transformers. Without a subcommand, {@code --all} trains
 * and compares every model on the class path and in the plugins folder.
 */
@Command(name = "runner", mixinStandardHelpOptions = true, version = "ViT Arena 0.1.0",
        description = "Train and compare vision transformers on the JVM.",
        subcommands = {ListCommand.class, InfoCommand.class, VerifyTimmCommand.class, TrainCommand.class},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:success", "1:a check failed (verify-timm FAIL, training diverged)", "2:bad usage or input"})
public final class Main implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--all", description = "Train and compare every model (the embedded synthetic dataset unless --data).")
    boolean all;

    @Override
    public Integer call() {
        if (!all) {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 0;
        }
        spec.commandLine().getErr().println("runner --all: training is not available yet (see `runner list`, `runner info`, `runner verify-timm`)");
        return 2;
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("VITARENA_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return ex instanceof IllegalArgumentException || ex instanceof java.io.IOException ? 2 : 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
