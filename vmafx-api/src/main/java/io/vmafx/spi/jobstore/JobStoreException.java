package io.vmafx.spi.jobstore;

/**
 * The store could not do what was asked: it is out of reach (a network fault, a restart) or refused. The message is
 * one line naming the store without credentials and the cause; the node answers 503 and tries again later.
 */
public class JobStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public JobStoreException(String message) {
        super(message);
    }

    public JobStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
