package io.vmafx.spi.bypass;

/** A bypass could not start; the message says why in one line. The node goes on without the bypass. */
public class BypassException extends Exception {
    private static final long serialVersionUID = 1L;

    public BypassException(String message) {
        super(message);
    }

    public BypassException(String message, Throwable cause) {
        super(message, cause);
    }
}
