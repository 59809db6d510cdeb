package io.vmafx.core.batch;

/**
 * A pairs file {@code batch} cannot use: a malformed row (named by its line and, where there is one, its field), an
 * unreadable file, a file that changed between passes. The command exits 2 with the message.
 */
public final class BadPairsFile extends Exception {
    private static final long serialVersionUID = 1L;

    public BadPairsFile(String message) {
        super(message);
    }

    /** A row that is wrong: {@code pairs.csv line 12: width: expected a whole number, got "abc"}. */
    static BadPairsFile at(String file, long line, String message) {
        return new BadPairsFile(file + " line " + line + ": " + message);
    }
}
