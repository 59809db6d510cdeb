package io.vmafx.core.job;

/** A job failed; the message is one line naming the input (when one is to blame) and the cause. */
public final class JobException extends Exception {
    private static final long serialVersionUID = 1L;

    public JobException(String message) {
        super(message);
    }

    public JobException(String message, Throwable cause) {
        super(message, cause);
    }
}
