package io.vmafx.core.config;

/** A bad setting; the message is one line that names the variable (or flag) and what is wrong. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
