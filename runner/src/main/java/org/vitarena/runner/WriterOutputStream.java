package org.vitarena.runner;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Bridges picocli's PrintWriter (captured in tests) to code that logs to a PrintStream. */
final class WriterOutputStream extends OutputStream {
    private final PrintWriter w;
    private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

    WriterOutputStream(PrintWriter w) {
        this.w = w;
    }

    @Override public synchronized void write(int b) {
        buf.write(b);
        if (b == '\n') flush();
    }

    @Override public synchronized void flush() {
        w.print(buf.toString(StandardCharsets.UTF_8));
        w.flush();
        buf.reset();
    }
}
