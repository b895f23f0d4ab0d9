package org.vitarena.runner;

import org.vitarena.engine.ModelRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.vitarena.spi.ModelProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code runner list}: every model found through the SPI, with its family, its provider's one-line description and its source. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List every model on the class path and in plugins.")
public final class ListCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.ParentCommand Main parent;
    @picocli.CommandLine.Mixin CommonOptions common;

    @Option(names = "--json", description = "JSON array of {model, family, description, source}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        ModelRegistry reg = common.inherit(parent == null ? null : parent.common).registry(spec.commandLine().getErr());
        var entries = reg.entries();
        List<String> descriptions = new ArrayList<>();
        for (var e : entries) descriptions.add(describe(e.provider(), e.model(), err));
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ArrayNode arr = m.createArrayNode();
            for (int i = 0; i < entries.size(); i++) {
                var e = entries.get(i);
                arr.addObject().put("model", e.model()).put("family", e.family()).put("description", descriptions.get(i)).put("source", e.source());
            }
            out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
        } else {
            int wm = "MODEL".length(), wf = "FAMILY".length(), wd = "DESCRIPTION".length();
            for (int i = 0; i < entries.size(); i++) {
                wm = Math.max(wm, entries.get(i).model().length());
                wf = Math.max(wf, entries.get(i).family().length());
                wd = Math.max(wd, descriptions.get(i).length());
            }
            String row = "%-" + wm + "s  %-" + wf + "s  %-" + wd + "s  %s%n";
            out.printf(row, "MODEL", "FAMILY", "DESCRIPTION", "SOURCE");
            for (int i = 0; i < entries.size(); i++) {
                var e = entries.get(i);
                out.printf(row, e.model(), e.family(), descriptions.get(i), e.source());
            }
        }
        return 0;
    }

    /** The provider's one line for a variant; a plugin whose describe() fails gets a warning and an empty cell. */
    static String describe(ModelProvider provider, String model, PrintWriter err) {
        try {
            String d = provider.describe(model);
            return d == null ? "" : d.strip();
        } catch (RuntimeException | LinkageError e) {
            err.println("warning: " + provider.getClass().getName() + ".describe('" + model + "') failed: " + e);
            return "";
        }
    }
}
