package io.vmafx.core.discovery;

/** The node's providers cannot be put together (two built-in providers share a name); one line naming both modules. */
public final class DiscoveryException extends Exception {
    private static final long serialVersionUID = 1L;

    public DiscoveryException(String message) {
        super(message);
    }
}
