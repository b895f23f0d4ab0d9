package org.vitarena.engine;

/**
 * Crash tests: with {@code -Dvitarena.test.pauseAt=POINT} the writer stops for a minute at that point of
 * a checkpoint write, so that a test can kill the process there with SIGKILL. Points:
 * {@code checkpoint-temp-written} (a complete temporary file, not yet renamed) and
 * {@code epoch-file-written} (the epoch file in place, {@code last.ckpt} not yet replaced).
 * Without the property nothing happens.
 */
final class TestHooks {
    private static final String POINT = System.getProperty("vitarena.test.pauseAt");

    private TestHooks() {}

    static void pause(String point) {
        if (!point.equals(POINT)) return;
        try {
            Thread.sleep(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
