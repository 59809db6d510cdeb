package io.vmafx.core.cli;

import io.vmafx.core.config.Variable;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The flags that override the node's environment variables, one per {@link Variable}, added to every
 * command that starts a node. Built from the enum so that a new variable gets its flag without a second list.
 */
final class NodeOptions {

    private NodeOptions() {
    }

    /** Adds the flags to {@code command}; the serve-only ones ({@link Variable#serveOnly()}) only to a command that serves. */
    static void addTo(CommandSpec command, boolean serves) {
        for (Variable v : Variable.values()) {
            if (v.serveOnly() && !serves) {
                continue;
            }
            command.addOption(OptionSpec.builder(v.flag())
                    .paramLabel("VALUE")
                    .type(String.class)
                    .description(v.description() + " [" + v.env() + "]")
                    .build());
        }
    }

    /** The flags given on the command line, by the variable they override. */
    static Map<Variable, String> flags(CommandSpec command) {
        Map<Variable, String> m = new EnumMap<>(Variable.class);
        for (Variable v : Variable.values()) {
            OptionSpec o = command.findOption(v.flag());
            if (o != null && o.getValue() != null) {
                m.put(v, o.getValue());
            }
        }
        return m;
    }
}
