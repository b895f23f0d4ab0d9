package org.vitarena.runner.report;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.Console;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of one task (an epoch, an evaluation pass) counted in batches. On a terminal, a
 * me.tongfei progress bar with images/s, running loss and ETA; otherwise (output not a terminal,
 * or the environment variable {@code VITARENA_PLAIN_PROGRESS} set) plain lines, at most one every
 * {@value #PLAIN_INTERVAL_MS} ms plus a final one on {@link #close()}:
 * <pre>task: 37/120 batches, 312.4 img/s, loss 1.234, ETA 00:12</pre>
 */
public abstract sealed class Progress implements AutoCloseable {
    public static final String PLAIN_ENV = "VITARENA_PLAIN_PROGRESS";
    static final long PLAIN_INTERVAL_MS = 2000;

    /** A progress bar on a terminal, plain lines otherwise. */
    public static Progress start(String task, long total, PrintStream out) {
        return usePlain() ? plain(task, total, out) : new Bar(task, total, out);
    }

    /** Plain periodic lines whatever the output is. */
    public static Progress plain(String task, long total, PrintStream out) {
        return new Plain(task, total, out, System::nanoTime, PLAIN_INTERVAL_MS);
    }

    static boolean usePlain() {
        if (System.getenv(PLAIN_ENV) != null) return true;
        Console c = System.console();
        return c == null || !c.isTerminal();
    }

    /**
     * {@code n} more batches are done (since the last call); {@code runningLoss} is the running mean
     * loss and {@code imgPerSec} the current throughput, both shown as given (NaN shows as "-").
     */
    public abstract void step(long n, double runningLoss, double imgPerSec);

    /** Ends the task: the bar is completed, or the plain mode prints its final line. Idempotent. */
    @Override
    public abstract void close();

    static String clock(long seconds) {
        if (seconds < 0) return "--:--";
        long h = seconds / 3600, m = (seconds / 60) % 60, s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%02d:%02d", m, s);
    }

    static String num(String f, double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, f, v) : "-";
    }

    static final class Plain extends Progress {
        private final String task;
        private final long total;
        private final PrintStream out;
        private final LongSupplier nanoTime;
        private final long intervalNanos;
        private final long startNanos;
        private long lastPrintNanos;
        private long done;
        private double loss = Double.NaN, imgPerSec = Double.NaN;
        private boolean closed;

        Plain(String task, long total, PrintStream out, LongSupplier nanoTime, long intervalMillis) {
            this.task = task;
            this.total = total;
            this.out = out;
            this.nanoTime = nanoTime;
            this.intervalNanos = intervalMillis * 1_000_000L;
            this.startNanos = nanoTime.getAsLong();
            this.lastPrintNanos = startNanos;
        }

        @Override
        public synchronized void step(long n, double runningLoss, double imgPerSec) {
            if (closed) return;
            done += n;
            this.loss = runningLoss;
            this.imgPerSec = imgPerSec;
            long now = nanoTime.getAsLong();
            if (now - lastPrintNanos >= intervalNanos && done < total) {
                lastPrintNanos = now;
                out.println(line(now));
                out.flush();
            }
        }

        String line(long now) {
            long eta = -1;
            if (done > 0 && total > 0) {
                double perBatch = (now - startNanos) / 1e9 / done;
                eta = Math.round(perBatch * Math.max(0, total - done));
            }
            return String.format(Locale.ROOT, "%s: %d/%d batches, %s img/s, loss %s, ETA %s",
                    task, done, total, num("%.1f", imgPerSec), num("%.3f", loss), clock(eta));
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            long now = nanoTime.getAsLong();
            out.println(line(now) + ", elapsed " + clock(Math.round((now - startNanos) / 1e9)));
            out.flush();
        }
    }

    static final class Bar extends Progress {
        private final ProgressBar bar;
        private boolean closed;

        Bar(String task, long total, PrintStream out) {
            this.bar = new ProgressBarBuilder()
                    .setTaskName(task)
                    .setInitialMax(total)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUnit(" batches", 1)
                    .setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(out))
                    .build();
        }

        @Override
        public synchronized void step(long n, double runningLoss, double imgPerSec) {
            if (closed) return;
            bar.setExtraMessage(num("%.1f", imgPerSec) + " img/s, loss " + num("%.3f", runningLoss));
            bar.stepBy(n);
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            bar.close();
        }
    }
}
