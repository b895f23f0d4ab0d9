package org.vitarena.runner;

import org.vitarena.engine.ModelRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code runner list}: every model found through the SPI, with its family and source. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List every model on the class path and in plugins.")
public final class ListCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.ParentCommand Main parent;
    @picocli.CommandLine.Mixin CommonOptions common;

    @Option(names = "--json", description = "JSON array of {model, family, source}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        ModelRegistry reg = common.inherit(parent == null ? null : parent.common).registry(spec.commandLine().getErr());
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ArrayNode arr = m.createArrayNode();
            for (var e : reg.entries()) arr.addObject().put("model", e.model()).put("family", e.family()).put("source", e.source());
            out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
        } else {
            out.printf("%-40s %-8s %s%n", "MODEL", "FAMILY", "SOURCE");
            for (var e : reg.entries()) out.printf("%-40s %-8s %s%n", e.model(), e.family(), e.source());
        }
        return 0;
    }
}
