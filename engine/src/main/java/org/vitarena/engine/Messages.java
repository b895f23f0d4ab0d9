package org.vitarena.engine;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Lines printed to a stream, handed one at a time to a consumer (for libraries that report through a PrintStream). */
final class Messages {
    private Messages() {}

    static PrintStream printStream(Consumer<String> lines) {
        return new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                if (b == '\n') {
                    String s = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    lines.accept(s.endsWith("\r") ? s.substring(0, s.length() - 1) : s);
                } else {
                    line.write(b);
                }
            }
        }, true, StandardCharsets.UTF_8);
    }
}
