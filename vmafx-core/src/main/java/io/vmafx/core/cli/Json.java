package io.vmafx.core.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;

/** JSON text for the CLI's {@code --json} output: one object on one line. */
final class Json {

    private Json() {
    }

    static String write(Object value) {
        try {
            return JSON.std.asString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
