package io.vmafx.api.uri;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class InvalidAssetUriExceptionTest {

    @Test
    void messageNamesInputAndCause() {
        InvalidAssetUriException e = new InvalidAssetUriException("s3://b", "it names no object");
        assertEquals("invalid asset URI 's3://b': it names no object", e.getMessage());
        assertEquals("s3://b", e.input());
    }

    @Test
    void isAnIllegalArgumentException() {
        IllegalArgumentException e = new InvalidAssetUriException("x", "y");
        assertEquals("x", ((InvalidAssetUriException) e).input());
    }

    @Test
    void controlCharactersAreEscapedInTheMessageOnly() {
        InvalidAssetUriException e = new InvalidAssetUriException("a\nb\tc\u007fd\u0085e", "why");
        assertEquals("invalid asset URI 'a\\u000ab\\u0009c\\u007fd\\u0085e': why", e.getMessage());
        assertEquals("a\nb\tc\u007fd\u0085e", e.input());
    }

    @Test
    void unpairedSurrogatesAreEscapedAndPairsKept() {
        assertEquals("\\ud800x🎬", InvalidAssetUriException.printable("\ud800x🎬"));
    }

    @Test
    void shownTextReplacesTheInputInTheMessage() {
        InvalidAssetUriException e = new InvalidAssetUriException("sftp://u:pw@h/x", "sftp://u:***@h/x", "no passwords");
        assertEquals("invalid asset URI 'sftp://u:***@h/x': no passwords", e.getMessage());
        assertEquals("sftp://u:pw@h/x", e.input());
    }
}
