package org.vitarena.data;

/** Bad or missing input data. The message names the file, the problem and, where there is one, the fix. */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
