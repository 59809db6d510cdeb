package io.vmafx.core.serve;

/** A request the API refuses with {@code 400}: the message says what is wrong, naming the field when there is one. */
public final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;
    private final String field;

    BadRequest(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The JSON field at fault, or null when the body as a whole is (not JSON, not an object). */
    public String field() {
        return field;
    }
}
