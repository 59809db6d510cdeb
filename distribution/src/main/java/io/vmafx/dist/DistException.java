package io.vmafx.dist;

/** A bad input to vmafx-dist (an option, a module set, a directory): the message is one line naming it and the cause. */
final class DistException extends Exception {
    private static final long serialVersionUID = 1L;

    DistException(String message) {
        super(message);
    }
}
