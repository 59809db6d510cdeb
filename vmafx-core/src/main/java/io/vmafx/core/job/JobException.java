package io.vmafx.core.job;

/**
 * A job failed; the message is one line naming the input (when one is to blame) and the cause. Bounded: a line
 * over {@link #MAX_LENGTH} characters (a tool's long answer, a hostile name quoted twice) keeps its start and its
 * end with the middle left out, so no error a client reads or a log keeps can grow without bound.
 */
public final class JobException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The longest message kept. */
    public static final int MAX_LENGTH = 2000;
    private static final int KEEP_END = 400;

    public JobException(String message) {
        super(bounded(message));
    }

    public JobException(String message, Throwable cause) {
        super(bounded(message), cause);
    }

    static String bounded(String message) {
        if (message == null) {
            return null;
        }
        String line = message.replaceAll("\\s*[\\r\\n]+\\s*", " ");
        if (line.length() <= MAX_LENGTH) {
            return line;
        }
        int cut = line.length() - (MAX_LENGTH - KEEP_END);
        return line.substring(0, MAX_LENGTH - KEEP_END - 40) + " [... " + cut + " characters left out ...] "
                + line.substring(line.length() - KEEP_END);
    }
}
