package org.vitarena.runner.report;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class ProgressTest {
    static final long S = 1_000_000_000L;

    @Test void plainLinesAtMostEveryTwoSecondsPlusTheFinalOne() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        AtomicLong now = new AtomicLong(1000 * S);
        Progress.Plain p = new Progress.Plain("vit_demo epoch 1/3", 120, out, now::get, 2000);
        // 0.5 s per batch: a line every 4 batches (2 s)
        for (int i = 1; i <= 120; i++) {
            now.addAndGet(S / 2);
            p.step(1, 2.0 - i / 100.0, 312.4);
        }
        p.close();
        p.close(); // idempotent
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\\R");
        assertEquals(29 + 1, lines.length, String.join("\n", lines)); // at 4,8,...,116 batches, then the final
        assertEquals("vit_demo epoch 1/3: 4/120 batches, 312.4 img/s, loss 1.960, ETA 00:58", lines[0]);
        assertEquals("vit_demo epoch 1/3: 8/120 batches, 312.4 img/s, loss 1.920, ETA 00:56", lines[1]);
        assertEquals("vit_demo epoch 1/3: 120/120 batches, 312.4 img/s, loss 0.800, ETA 00:00, elapsed 01:00", lines[29]);
        for (String l : lines)
            assertTrue(l.matches("vit_demo epoch 1/3: \\d+/120 batches, \\d+\\.\\d img/s, loss \\d+\\.\\d{3}, ETA \\d\\d:\\d\\d(, elapsed \\d\\d:\\d\\d)?"), l);
    }

    @Test void fastStepsPrintOnlyTheFinalLineAndTheExampleFormat() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        AtomicLong now = new AtomicLong(0);
        Progress.Plain p = new Progress.Plain("task", 120, out, now::get, 2000);
        now.set(S); p.step(30, 1.5, 300);
        now.set(3 * S + S / 2); p.step(7, 1.234, 312.4); // 37 batches after 3.5 s: ETA 83 batches * 3.5/37 s = 7.85 s
        now.set(4 * S); p.step(10, 1.1, 320);              // within 2 s of the last line: silent
        p.close();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\\R");
        assertEquals(2, lines.length, String.join("\n", lines));
        assertEquals("task: 37/120 batches, 312.4 img/s, loss 1.234, ETA 00:08", lines[0]);
        assertEquals("task: 47/120 batches, 320.0 img/s, loss 1.100, ETA 00:06, elapsed 00:04", lines[1]);
    }

    @Test void unknownValuesAndLongEtas() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        AtomicLong now = new AtomicLong(0);
        Progress.Plain p = new Progress.Plain("eval", 10_000, out, now::get, 2000);
        now.set(10 * S); p.step(1, Double.NaN, Double.NaN);
        p.close();
        String first = bytes.toString(StandardCharsets.UTF_8).split("\\R")[0];
        assertEquals("eval: 1/10000 batches, - img/s, loss -, ETA 27:46:30", first);
        assertEquals("--:--", Progress.clock(-1));
        assertEquals("01:05", Progress.clock(65));
    }

    @Test void startWithoutATerminalIsPlain() {
        // surefire's forked JVM has no terminal
        assertTrue(Progress.usePlain());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress p = Progress.start("t", 2, new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            assertInstanceOf(Progress.Plain.class, p);
            p.step(2, 0.5, 100);
        }
        assertTrue(bytes.toString(StandardCharsets.UTF_8).startsWith("t: 2/2 batches, 100.0 img/s, loss 0.500, ETA 00:00"),
                bytes.toString(StandardCharsets.UTF_8));
    }

    @Test void theBarRunsToo() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress p = new Progress.Bar("bar", 3, new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            p.step(1, 1.0, 10);
            p.step(2, 0.9, 11);
        }
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("bar"), s);
        assertTrue(s.contains("3/3"), s);
    }
}
