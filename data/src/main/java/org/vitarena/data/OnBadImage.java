package org.vitarena.data;

/** What the reader does with an image file it cannot decode. */
public enum OnBadImage {
    /** Stop with a {@link DataException} naming the file and the problem (the default). */
    FAIL,
    /** Leave the file out, count it, and report the count. */
    SKIP
}
