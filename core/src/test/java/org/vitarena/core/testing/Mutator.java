package org.vitarena.core.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Random damage to a file's bytes, for fuzz tests of readers: bit flips and byte overwrites (mostly in
 * the first {@code hot} bytes, where a header is), truncation, a chunk duplicated or cut out, a changed
 * header length, and a number inside the header replaced by a small, huge or negative one. Seeded.
 */
public final class Mutator {
    private final SplittableRandom rng;
    private final int hot;

    /** @param hot how many leading bytes (the header) get most of the damage */
    public Mutator(long seed, int hot) {
        this.rng = new SplittableRandom(seed);
        this.hot = hot;
    }

    /** What the last {@link #mutate} did, for failure messages. */
    public String last = "";

    public byte[] mutate(byte[] good) {
        byte[] b = good.clone();
        int kind = rng.nextInt(8);
        int pos = rng.nextInt(10) < 8 ? rng.nextInt(Math.min(hot, b.length)) : rng.nextInt(b.length);
        switch (kind) {
            case 0, 1 -> {
                b[pos] ^= (byte) (1 << rng.nextInt(8));
                last = "flip a bit at " + pos;
            }
            case 2 -> {
                b[pos] = (byte) rng.nextInt(256);
                last = "set byte " + pos;
            }
            case 3 -> {
                int n = rng.nextInt(b.length);
                last = "truncate to " + n;
                return Arrays.copyOf(b, n);
            }
            case 4 -> {
                int len = 1 + rng.nextInt(Math.max(1, Math.min(64, b.length - pos)));
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, pos + len);
                System.arraycopy(b, pos, out, pos + len, b.length - pos);
                last = "duplicate " + len + " bytes at " + pos;
                return out;
            }
            case 5 -> {
                int len = 1 + rng.nextInt(Math.max(1, Math.min(64, b.length - pos)));
                byte[] out = new byte[b.length - Math.min(len, b.length - pos)];
                System.arraycopy(b, 0, out, 0, pos);
                System.arraycopy(b, pos + (b.length - out.length), out, pos, out.length - pos);
                last = "cut " + (b.length - out.length) + " bytes at " + pos;
                return out;
            }
            case 6 -> {
                long[] lens = {0, 1, 7, b.length, b.length - 8, Long.MAX_VALUE, -1, 1L << 40, rng.nextLong()};
                long len = lens[rng.nextInt(lens.length)];
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
                last = "header length " + len;
            }
            default -> {
                // a number in the header (a dimension, an offset) replaced
                String text = new String(b, 0, Math.min(hot, b.length), StandardCharsets.ISO_8859_1);
                int start = -1;
                for (int tries = 0; tries < 20 && start < 0; tries++) {
                    int p = 8 + rng.nextInt(Math.max(1, text.length() - 8));
                    while (p < text.length() && !Character.isDigit(text.charAt(p))) p++;
                    if (p < text.length()) start = p;
                }
                if (start < 0) {
                    last = "no number found";
                    return b;
                }
                int end = start;
                while (end < text.length() && Character.isDigit(text.charAt(end))) end++;
                String[] values = {"0", "1", "1500000000", "4294967296", "99999999999999999999", "-3", "2147483647", "12"};
                String v = values[rng.nextInt(values.length)];
                String changed = text.substring(0, start) + v + text.substring(end);
                byte[] head = changed.getBytes(StandardCharsets.ISO_8859_1);
                byte[] out = new byte[head.length + b.length - text.length()];
                System.arraycopy(head, 0, out, 0, head.length);
                System.arraycopy(b, text.length(), out, head.length, b.length - text.length());
                last = "number at " + start + " -> " + v;
                return out;
            }
        }
        return b;
    }
}
