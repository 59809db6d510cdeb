package io.vmafx.api.uri;

/** An asset URI that cannot be read; the message names the input and what is wrong with it. */
public final class InvalidAssetUriException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String input;
    private final String reason;

    public InvalidAssetUriException(String input, String cause) {
        this(input, input, cause);
    }

    /** With the input {@code shown} differently in the message, e.g. with a password masked. */
    InvalidAssetUriException(String input, String shown, String cause) {
        super("invalid asset URI '" + printable(shown) + "': " + cause);
        this.input = input;
        this.reason = cause;
    }

    /**
     * What is wrong, without the input: for callers that must not repeat the input (the node's API answers a
     * client that may have put a secret in it).
     */
    public String reason() {
        return reason;
    }

    /** The text as the caller gave it. */
    public String input() {
        return input;
    }

    /**
     * The input with control characters (C0, DEL, C1) and unpaired surrogates shown as escapes, so the
     * message stays on one line and encodes cleanly.
     */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
